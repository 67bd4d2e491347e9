// NetlinkKernel against a real kernel, inside the sandbox; `ip` checks the work independently.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "kernel/netlink_kernel.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

class KernelTest : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    k = std::make_unique<NetlinkKernel>();  // after SetUp: the sandbox is "host"
  }
  std::unique_ptr<NetlinkKernel> k;
};

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

LinkObj veth(const std::string& ns, const std::string& name, const std::string& peer_ns,
             const std::string& peer_name) {
  LinkObj l;
  l.ns = ns;
  l.name = name;
  l.kind = "veth";
  l.peer_ns = peer_ns;
  l.peer_name = peer_name;
  return l;
}

LinkObj end_of(const LinkObj& l) {
  return veth(l.peer_ns, l.peer_name, l.ns, l.name);
}

LinkObj bridge(const std::string& ns, const std::string& name) {
  LinkObj l;
  l.ns = ns;
  l.name = name;
  l.kind = "bridge";
  return l;
}

Cidr cidr(const char* s) {
  return *Cidr::parse(s);
}

TEST_F(KernelTest, NamespaceCreateAndDelete) {
  k->create_namespace("net0");
  EXPECT_TRUE(has(sh("ip netns list").out, "net0"));
  auto inside = sh("ip netns exec net0 ip -o link show");
  EXPECT_EQ(inside.status, 0) << inside.err;
  EXPECT_TRUE(has(inside.out, "lo:"));
  EXPECT_FALSE(has(inside.out, "eth")) << "must be a fresh namespace";
  try {
    k->create_namespace("net0");
    ADD_FAILURE() << "created twice";
  } catch (const KernelError& e) {
    EXPECT_TRUE(has(e.what(), "File exists")) << e.what();
    EXPECT_TRUE(has(e.what(), "net0")) << e.what();
  }
  k->delete_namespace("net0");
  EXPECT_FALSE(has(sh("ip netns list").out, "net0"));
  EXPECT_NE(sh("test -e /run/netns/net0").status, 0);
  EXPECT_THROW(k->delete_namespace("host"), KernelError);
}

TEST_F(KernelTest, VethWithPeerInNamespace) {
  k->create_namespace("net0");
  LinkObj a = veth("host", "veth0", "net0", "ceth0");
  a.mtu = 1400;
  a.mac = *parse_mac("02:00:00:00:00:01");
  a.alias = "netlab:t";
  LinkObj b = end_of(a);
  b.alias = "netlab:t";
  b.mac = *parse_mac("02:00:00:00:00:02");
  b.mtu = 1400;
  k->create_link(a, &b);
  auto host = sh("ip -d link show veth0").out;
  EXPECT_TRUE(has(host, "veth")) << host;
  EXPECT_TRUE(has(host, "mtu 1400")) << host;
  EXPECT_TRUE(has(host, "02:00:00:00:00:01")) << host;
  EXPECT_TRUE(has(host, "alias netlab:t")) << host;
  EXPECT_TRUE(has(host, "state DOWN")) << host;
  auto peer = sh("ip -n net0 -d link show ceth0");
  EXPECT_EQ(peer.status, 0) << peer.err;
  EXPECT_TRUE(has(peer.out, "veth")) << peer.out;
  EXPECT_TRUE(has(peer.out, "02:00:00:00:00:02")) << peer.out;
  EXPECT_TRUE(has(peer.out, "mtu 1400")) << peer.out;
  EXPECT_TRUE(has(peer.out, "alias netlab:t")) << peer.out;
  EXPECT_FALSE(has(sh("ip link").out, "ceth0"));

  // The executor brings both ends up afterwards.
  k->change_link("host", "veth0", {.up = true});
  k->change_link("net0", "ceth0", {.up = true});
  EXPECT_TRUE(has(sh("ip -n net0 link show ceth0").out, "state UP"));

  k->delete_link("host", "veth0");
  EXPECT_NE(sh("ip link show veth0").status, 0);
  EXPECT_NE(sh("ip -n net0 link show ceth0").status, 0);
}

TEST_F(KernelTest, BridgeAndPorts) {
  k->create_link(bridge("host", "br0"), nullptr);
  EXPECT_TRUE(has(sh("ip -d link show br0").out, "bridge"));
  // One end joins at creation, the other through change_link.
  LinkObj a = veth("host", "v1", "host", "v2");
  a.master = "br0";
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  EXPECT_TRUE(has(sh("ip link show v1").out, "master br0"));
  k->change_link("host", "v2", {.master = "br0"});
  EXPECT_TRUE(has(sh("ip link show v2").out, "master br0"));
  k->change_link("host", "v2", {.master = ""});
  EXPECT_FALSE(has(sh("ip link show v2").out, "master"));
}

TEST_F(KernelTest, ChangeLinkInOneRequest) {
  k->create_link(bridge("host", "br0"), nullptr);
  LinkObj a = veth("host", "v1", "host", "v2");
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  LinkChange c;
  c.up = true;
  c.master = "br0";
  c.alias = "netlab:lab1";
  c.mtu = 1300;
  c.mac = *parse_mac("02:aa:bb:cc:dd:ee");
  k->change_link("host", "v1", c);
  auto out = sh("ip -d link show v1").out;
  EXPECT_TRUE(has(out, "master br0")) << out;
  EXPECT_TRUE(has(out, "alias netlab:lab1")) << out;
  EXPECT_TRUE(has(out, "mtu 1300")) << out;
  EXPECT_TRUE(has(out, "02:aa:bb:cc:dd:ee")) << out;
  EXPECT_TRUE(has(out, ",UP")) << out;  // administratively up (no carrier: v2 is down)
  k->change_link("host", "v1", {.up = false, .alias = ""});
  out = sh("ip -d link show v1").out;
  EXPECT_FALSE(has(out, ",UP")) << out;
  EXPECT_FALSE(has(out, "alias")) << out;
  EXPECT_TRUE(has(out, "master br0")) << out;  // untouched
}

TEST_F(KernelTest, Addresses) {
  LinkObj a = veth("host", "v1", "host", "v2");
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  k->change_link("host", "v1", {.up = true});
  k->change_link("host", "v2", {.up = true});
  k->add_address({"host", "v1", cidr("172.18.0.10/12")});
  k->add_address({"host", "v1", cidr("fd00::1/64")});
  auto v4 = sh("ip -4 addr show dev v1").out;
  EXPECT_TRUE(has(v4, "inet 172.18.0.10/12")) << v4;
  auto v6 = sh("ip -6 addr show dev v1").out;
  EXPECT_TRUE(has(v6, "inet6 fd00::1/64 scope global nodad \n")) << v6;  // not tentative
  EXPECT_FALSE(has(sh("ip -6 addr show dev v1 to fd00::1/64").out, "tentative"));
  EXPECT_TRUE(has(sh("ip -6 route show dev v1").out, "fd00::/64"));
  try {
    k->add_address({"host", "v1", cidr("172.18.0.10/12")});
    ADD_FAILURE() << "added twice";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.errno_value, EEXIST);
    EXPECT_TRUE(has(e.what(), "add address 172.18.0.10/12 to v1 in host: File exists")) << e.what();
  }
  k->delete_address({"host", "v1", cidr("172.18.0.10/12")});
  k->delete_address({"host", "v1", cidr("fd00::1/64")});
  EXPECT_FALSE(has(sh("ip addr show dev v1").out, "172.18.0.10"));
  EXPECT_FALSE(has(sh("ip addr show dev v1").out, "fd00::1"));
}

TEST_F(KernelTest, RoutesCarryTheProtocol) {
  k->create_namespace("net0");
  LinkObj a = veth("host", "veth0", "net0", "ceth0");
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  k->change_link("net0", "ceth0", {.up = true});
  k->change_link("host", "veth0", {.up = true});
  k->add_address({"net0", "ceth0", cidr("10.0.0.2/24")});
  k->add_address({"net0", "ceth0", cidr("fd00::2/64")});
  RouteObj def{"net0", cidr("0.0.0.0/0"), IpAddr::parse("10.0.0.1"), "ceth0", 0};
  RouteObj net{"net0", cidr("10.9.0.0/16"), IpAddr::parse("10.0.0.1"), "", 100};
  RouteObj onlink{"net0", cidr("192.168.5.0/24"), std::nullopt, "ceth0", 0};
  RouteObj v6{"net0", cidr("::/0"), IpAddr::parse("fd00::1"), "ceth0", 0};
  for (auto* r : {&def, &net, &onlink, &v6}) k->add_route(*r, false);
  auto out = sh("ip -n net0 route").out;
  EXPECT_TRUE(has(out, "default via 10.0.0.1 dev ceth0 proto 151")) << out;
  EXPECT_TRUE(has(out, "10.9.0.0/16 via 10.0.0.1 dev ceth0 proto 151 metric 100")) << out;
  EXPECT_TRUE(has(out, "192.168.5.0/24 dev ceth0 proto 151 scope link")) << out;
  auto out6 = sh("ip -n net0 -6 route").out;
  EXPECT_TRUE(has(out6, "default via fd00::1 dev ceth0 proto 151")) << out6;
  EXPECT_THROW(k->add_route(def, false), KernelError);  // NLM_F_EXCL

  // A delete matches exactly: the same route under another protocol is not ours.
  RouteObj other = net;
  other.protocol = 4;
  EXPECT_THROW(k->delete_route(other), KernelError);
  for (auto* r : {&def, &net, &onlink, &v6}) k->delete_route(*r);
  EXPECT_FALSE(has(sh("ip -n net0 route").out, "proto 151"));
  EXPECT_FALSE(has(sh("ip -n net0 -6 route").out, "proto 151"));
}

TEST_F(KernelTest, SysctlInNamespaceVsHost) {
  k->create_namespace("net0");
  ASSERT_EQ(sh("echo 0 > /proc/sys/net/ipv4/ip_forward").status, 0);
  auto before = sh("ip netns exec net0 cat /proc/sys/net/ipv4/ip_forward").out;
  std::string old = k->set_sysctl("net0", "net.ipv4.ip_forward", "1");
  EXPECT_EQ(old + "\n", before);
  EXPECT_EQ(sh("ip netns exec net0 cat /proc/sys/net/ipv4/ip_forward").out, "1\n");
  EXPECT_EQ(sh("cat /proc/sys/net/ipv4/ip_forward").out, "0\n");
  EXPECT_EQ(k->set_sysctl("host", "net.ipv4.ip_forward", "1"), "0");
  EXPECT_EQ(sh("cat /proc/sys/net/ipv4/ip_forward").out, "1\n");

  for (const char* bad : {"kernel.hostname", "net.ipv4/../x", "net..ipv4", "net.ipv4.", "net",
                          "net.ipv4.conf.all.forwarding/x"})
    EXPECT_THROW(k->set_sysctl("net0", bad, "1"), KernelError) << bad;
  try {
    k->set_sysctl("net0", "net.ipv4.no_such_key", "1");
    ADD_FAILURE();
  } catch (const KernelError& e) {
    EXPECT_TRUE(has(e.what(), "No such file or directory")) << e.what();
  }
}

// An interface whose name has a dot (a VLAN's "eth0.10"): its key's device is everything up
// to the last dot, and the file written is that interface's.
TEST_F(KernelTest, SysctlOfAnInterfaceWithADotInItsName) {
  k->create_namespace("net0");
  ASSERT_EQ(sh("ip -n net0 link add v.10 type veth peer name p10").status, 0);
  ASSERT_EQ(sh("ip netns exec net0 cat /proc/sys/net/ipv4/conf/v.10/forwarding").out, "0\n");
  EXPECT_EQ(k->set_sysctl("net0", "net.ipv4.conf.v.10.forwarding", "1"), "0");
  EXPECT_EQ(sh("ip netns exec net0 cat /proc/sys/net/ipv4/conf/v.10/forwarding").out, "1\n");
  ReadRequest req;
  req.namespaces = {"net0"};
  req.sysctl_keys["net0"] = {"net.ipv4.conf.v.10.forwarding"};
  EXPECT_EQ(k->read(req).ns.at("net0").sysctl.at("net.ipv4.conf.v.10.forwarding"), "1");
}

TEST_F(KernelTest, ReadReturnsWhatIpShows) {
  k->create_namespace("net0");
  k->create_link(bridge("host", "br0"), nullptr);
  LinkObj a = veth("host", "veth0", "net0", "ceth0");
  a.master = "br0";
  a.alias = "netlab:r";
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  k->change_link("net0", "ceth0", {.up = true, .mtu = 1450});
  k->change_link("host", "veth0", {.up = true});
  k->change_link("host", "br0", {.up = true});
  k->add_address({"host", "br0", cidr("172.18.0.1/12")});
  k->add_address({"net0", "ceth0", cidr("172.18.0.10/12")});
  k->add_address({"net0", "ceth0", cidr("fd00::10/64")});
  k->add_route({"net0", cidr("0.0.0.0/0"), IpAddr::parse("172.18.0.1"), "ceth0", 10}, false);

  ReadRequest req;
  req.namespaces = {"net0", "gone"};
  req.sysctl_keys["net0"] = {"net.ipv4.ip_forward", "net.ipv4.conf.ceth0.rp_filter",
                             "net.ipv4.conf.nothere.rp_filter"};
  LiveState live = k->read(req);

  ASSERT_TRUE(live.find("host"));
  EXPECT_TRUE(live.find("host")->exists);
  ASSERT_TRUE(live.find("gone"));
  EXPECT_FALSE(live.find("gone")->exists);
  const NsLive& host = *live.find("host");
  const NsLive& net0 = *live.find("net0");
  ASSERT_TRUE(net0.exists);

  const LinkObj* v = host.link("veth0");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, "veth");
  EXPECT_EQ(v->master, "br0");
  EXPECT_EQ(v->alias, "netlab:r");
  EXPECT_TRUE(v->up);
  const LinkObj* c = net0.link("ceth0");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mtu, 1450u);
  EXPECT_EQ(v->peer_ifindex, c->ifindex);
  EXPECT_EQ(c->peer_ifindex, v->ifindex);
  EXPECT_TRUE(has(sh("ip -n net0 -o link show ceth0").out,
                  std::to_string(c->ifindex) + ": ceth0@if" + std::to_string(v->ifindex)));
  EXPECT_TRUE(has(sh("ip link show veth0").out, format_mac(*v->mac)));
  ASSERT_TRUE(host.link("br0"));
  EXPECT_EQ(host.link("br0")->kind, "bridge");
  ASSERT_TRUE(net0.link("lo"));
  EXPECT_EQ(net0.link("lo")->kind, "loopback");

  auto has_addr = [](const NsLive& n, const std::string& dev, const char* c) {
    for (const auto& a : n.addrs)
      if (a.dev == dev && a.cidr == *Cidr::parse(c)) return true;
    return false;
  };
  EXPECT_TRUE(has_addr(host, "br0", "172.18.0.1/12"));
  EXPECT_TRUE(has_addr(net0, "ceth0", "172.18.0.10/12"));
  EXPECT_TRUE(has_addr(net0, "ceth0", "fd00::10/64"));

  ASSERT_EQ(net0.routes.size(), 1u) << "kernel routes must be left out";
  const RouteObj& r = net0.routes[0];
  EXPECT_EQ(r.dst, cidr("0.0.0.0/0"));
  EXPECT_EQ(r.via, IpAddr::parse("172.18.0.1"));
  EXPECT_EQ(r.dev, "ceth0");
  EXPECT_EQ(r.metric, 10u);
  EXPECT_EQ(r.protocol, kRouteProtocol);
  EXPECT_TRUE(host.routes.empty());

  EXPECT_EQ(net0.sysctl.at("net.ipv4.ip_forward"),
            sh("ip netns exec net0 cat /proc/sys/net/ipv4/ip_forward").out.substr(0, 1));
  EXPECT_TRUE(net0.sysctl.count("net.ipv4.conf.ceth0.rp_filter"));
  EXPECT_FALSE(net0.sysctl.count("net.ipv4.conf.nothere.rp_filter"));
}

TEST_F(KernelTest, ErrorsCarryTheKernelsReason) {
  k->create_namespace("net0");
  LinkObj a = veth("host", "veth0", "net0", "ceth0");
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  try {
    k->create_link(a, &b);
    ADD_FAILURE() << "created twice";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.errno_value, EEXIST);
    EXPECT_EQ(std::string(e.what()), "create veth veth0 in host (peer ceth0 in net0): File exists");
  }
  LinkObj longname = veth("host", "a-name-of-16-chr", "host", "x");
  LinkObj x = end_of(longname);
  EXPECT_THROW(k->create_link(longname, &x), KernelError);
  EXPECT_NE(sh("ip link show a-name-of-16-ch").status, 0) << "must not be truncated";
  try {
    k->change_link("host", "nosuch0", {.up = true});
    ADD_FAILURE();
  } catch (const KernelError& e) {
    EXPECT_TRUE(has(e.what(), "No such device")) << e.what();
  }
}

// Deleting a namespace frees its links asynchronously; delete_namespace must not return
// while the host end of one of its veths is still there.
// The kernel frees a deleted namespace (and the host ends of its veths) asynchronously;
// wait_gone returns only once they are gone, so an `up` straight after never meets them.
TEST_F(KernelTest, DeletedNamespaceTakesItsVethsAlongOnceWaitedFor) {
  for (int round = 0; round < 3; ++round) {
    k->create_namespace("net0");
    LinkObj a = veth("host", "veth0", "net0", "ceth0");
    LinkObj b = end_of(a);
    k->create_link(a, &b);
    k->delete_namespace("net0");
    k->wait_gone({{"host", "veth0"}});
    EXPECT_NE(sh("ip link show veth0").status, 0) << "round " << round;
  }
}

TEST_F(KernelTest, NatRuleInNamespace) {
  k->create_namespace("net0");
  NatRule r;
  r.ns = "net0";
  r.type = NatType::Masquerade;
  r.source = cidr("172.16.0.0/12");
  r.out = "!br0";
  r.chain = "POSTROUTING";
  r.comment = "netlab:t";
  k->add_nat(r);
  auto saved = sh("ip netns exec net0 iptables-legacy-save -t nat").out;
  EXPECT_TRUE(has(saved, "MASQUERADE")) << saved;
  EXPECT_FALSE(has(sh("iptables-legacy-save -t nat").out, "MASQUERADE"));
  ReadRequest req;
  req.nat_namespaces = {"net0"};
  auto live = k->read(req);
  ASSERT_EQ(live.find("net0")->nat.size(), 1u);
  EXPECT_TRUE(live.find("net0")->nat[0].same_rule(r)) << live.find("net0")->nat[0].str();
  k->delete_nat(r);
  EXPECT_FALSE(has(sh("ip netns exec net0 iptables-legacy-save -t nat").out, "MASQUERADE"));
}

// Not a benchmark, a smoke check of cost: a star of N namespaces on one bridge.
TEST_F(KernelTest, StarCost) {
  constexpr int n = 200;
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  k->create_link(bridge("host", "br0"), nullptr);
  for (int i = 0; i < n; ++i) {
    std::string ns = "n" + std::to_string(i);
    k->create_namespace(ns);
    LinkObj a = veth("host", "h" + std::to_string(i), ns, "eth0");
    a.master = "br0";
    LinkObj b = end_of(a);
    k->create_link(a, &b);
    k->change_link(ns, "eth0", {.up = true});
    k->change_link("host", a.name, {.up = true});
    k->add_address(
        {ns, "eth0",
         Cidr{*IpAddr::parse("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 2)),
              16}});
  }
  k->change_link("host", "br0", {.up = true});
  auto t1 = clock::now();
  ReadRequest req;
  for (int i = 0; i < n; ++i) req.namespaces.push_back("n" + std::to_string(i));
  auto live = k->read(req);
  auto t2 = clock::now();
  EXPECT_EQ(live.ns.size(), static_cast<size_t>(n + 1));
  for (int i = 0; i < n; ++i) k->delete_link("host", "h" + std::to_string(i));
  auto t3 = clock::now();
  for (int i = 0; i < n; ++i) k->delete_namespace("n" + std::to_string(i));
  auto t4 = clock::now();
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("star of %d: up %.0f ms, read %.0f ms, delete veths %.0f ms, namespaces %.0f ms\n", n,
              ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3));
  EXPECT_FALSE(has(sh("ip -o link").out, "h1"));
}

}  // namespace
}  // namespace netlab::testing

namespace netlab::testing {
namespace {

bool ready(NetlinkKernel& k, const std::string& ns, const std::string& name) {
  ReadRequest req;
  req.host = ns == "host";
  if (ns != "host") req.namespaces = {ns};
  const LinkObj* l = k.read(req).ns.at(ns).link(name);
  return l && l->ready;
}

// What wait_ready waits for reads back as ready: a veth pair up at both ends, a port forwarding
// on a bridge that is up, the bridge with it; and what cannot carry traffic never reads so.
TEST_F(KernelTest, WaitReadyReturnsOnceEveryLinkCarriesTraffic) {
  k->create_namespace("net0");
  LinkObj a = veth("host", "veth0", "net0", "ceth0");
  LinkObj b = end_of(a);
  k->create_link(a, &b);
  k->create_link(bridge("host", "br0"), nullptr);
  k->create_link(bridge("host", "idle"), nullptr);
  k->change_link("host", "veth0", {.up = true, .master = "br0"});
  EXPECT_FALSE(ready(*k, "host", "veth0")) << "its peer is down: no carrier";
  k->change_link("net0", "ceth0", {.up = true});
  k->change_link("host", "br0", {.up = true});
  k->change_link("host", "idle", {.up = true});
  k->wait_ready({{"host", "br0"}, {"host", "veth0"}, {"net0", "ceth0"}});
  EXPECT_TRUE(ready(*k, "host", "veth0"));
  EXPECT_TRUE(ready(*k, "host", "br0"));
  EXPECT_TRUE(ready(*k, "net0", "ceth0"));
  EXPECT_FALSE(ready(*k, "host", "idle")) << "a bridge without ports has no carrier";
  EXPECT_FALSE(ready(*k, "net0", "lo")) << "a loopback's operstate is unknown";
  k->change_link("host", "br0", {.up = false});
  EXPECT_FALSE(ready(*k, "host", "veth0")) << "a port of a bridge that is down is disabled";
  EXPECT_TRUE(ready(*k, "net0", "ceth0")) << "its carrier does not depend on the bridge";
}

}  // namespace
}  // namespace netlab::testing
