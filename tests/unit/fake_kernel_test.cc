// The fake kernel's own rules, where a random case once found it kinder than the kernel, or
// where a kind's rule was checked with `ip` in a sandbox.
#include <gtest/gtest.h>

#include <functional>

#include "fake_kernel.h"

namespace netlab::testing {
namespace {

LinkObj link(const std::string& ns, const std::string& name, const std::string& kind) {
  LinkObj l;
  l.ns = ns;
  l.name = name;
  l.kind = kind;
  return l;
}

// The errno of what `f` asks the kernel, 0 when it succeeds.
int error_of(const std::function<void()>& f) {
  try {
    f();
    return 0;
  } catch (const KernelError& e) {
    return e.errno_value;
  }
}

void veth(FakeKernel& k, const std::string& name, std::optional<uint32_t> mtu = std::nullopt) {
  LinkObj a = link("host", name, "veth"), b = link("host", name + "p", "veth");
  a.mtu = mtu;
  k.create_link(a, &b);
}

LinkObj macvlan(const std::string& name, const std::string& parent, const std::string& mode) {
  LinkObj m = link("host", name, "macvlan");
  m.attrs = {{"parent", parent}};
  if (!mode.empty()) m.attrs["mode"] = mode;
  return m;
}

LinkObj vxlan(const std::string& name, const std::string& vni, const std::string& remote,
              const std::string& dev) {
  LinkObj x = link("host", name, "vxlan");
  x.attrs = {{"vni", vni}, {"remote", remote}};
  if (!dev.empty()) x.attrs["dev"] = dev;
  return x;
}

const LinkObj& in_host(FakeKernel& k, const std::string& name) {
  return *k.state.ns.at("host").link(name);
}

// NETLAB_RANDOM_SEED=2849476459854045: a bridge's MTU set by hand, its namespace deleted, the
// bridge made again there. The kernel's new bridge follows its ports; the fake remembered the
// old one's MTU as set.
TEST(FakeKernel, ABridgeMadeAgainInANewNamespaceFollowsItsPorts) {
  FakeKernel k;
  k.create_namespace("n1");
  k.create_link(link("n1", "br0", "bridge"), nullptr);
  k.user_set_mtu("n1", "br0", 1450);
  k.delete_namespace("n1");
  k.create_namespace("n1");
  k.create_link(link("n1", "br0", "bridge"), nullptr);
  LinkObj port = link("n1", "p0", "veth");
  port.mtu = 1300;
  LinkObj peer = link("n1", "p1", "veth");
  k.create_link(port, &peer);
  k.change_link("n1", "p0", {.master = std::string("br0")});
  EXPECT_EQ(k.state.ns.at("n1").link("br0")->mtu, 1300u);
}

// `ip link add ... type macvlan mode passthru` twice on one parent: EINVAL; a bridge macvlan
// beside a passthru one, and a passthru one beside a bridge one: EINVAL too.
TEST(FakeKernel, APassthruMacvlanIsAloneOnItsParent) {
  FakeKernel k;
  veth(k, "p0");
  k.create_link(macvlan("m1", "p0", "passthru"), nullptr);
  EXPECT_EQ(error_of([&] { k.create_link(macvlan("m2", "p0", "passthru"), nullptr); }), EINVAL);
  EXPECT_EQ(error_of([&] { k.create_link(macvlan("m3", "p0", "bridge"), nullptr); }), EINVAL);
  k.delete_link("host", "m1");
  k.create_link(macvlan("m3", "p0", "bridge"), nullptr);
  EXPECT_EQ(error_of([&] { k.create_link(macvlan("m4", "p0", "passthru"), nullptr); }), EINVAL);
  k.create_link(macvlan("m5", "p0", "private"), nullptr);
  veth(k, "q0");
  k.create_link(macvlan("m6", "q0", "passthru"), nullptr);  // another parent
}

// A macvlan is born with its parent's MTU and never has more (EINVAL); a parent that shrinks
// takes its macvlans down with it, one that grows leaves them.
TEST(FakeKernel, AMacvlansMtuIsItsParentsAtMost) {
  FakeKernel k;
  veth(k, "q0", 1300);
  k.create_link(macvlan("mq", "q0", "bridge"), nullptr);
  EXPECT_EQ(in_host(k, "mq").mtu, 1300u);
  EXPECT_EQ(error_of([&] { k.change_link("host", "mq", {.mtu = 1500}); }), EINVAL);
  LinkObj big = macvlan("mq2", "q0", "bridge");
  big.mtu = 1400;
  EXPECT_EQ(error_of([&] { k.create_link(big, nullptr); }), EINVAL);
  k.change_link("host", "q0", {.mtu = 9000});
  EXPECT_EQ(in_host(k, "mq").mtu, 1300u);
  k.change_link("host", "mq", {.mtu = 9000});
  k.change_link("host", "q0", {.mtu = 1200});
  EXPECT_EQ(in_host(k, "mq").mtu, 1200u);
  k.user_set_mtu("host", "q0", 1500);
  EXPECT_EQ(in_host(k, "mq").mtu, 1200u);
}

// A vxlan's MTU is its underlay's less the headers at most: a create request for more is cut
// down to that, a change to more refused (EINVAL); the underlay's later changes leave it.
TEST(FakeKernel, AVxlansMtuIsWhatItsUnderlayLeavesAtMost) {
  FakeKernel k;
  veth(k, "u0");
  k.create_link(vxlan("vx0", "5", "10.9.0.2", "u0"), nullptr);
  EXPECT_EQ(in_host(k, "vx0").mtu, 1450u);
  k.change_link("host", "u0", {.mtu = 1300});
  EXPECT_EQ(in_host(k, "vx0").mtu, 1450u);
  k.change_link("host", "u0", {.mtu = 9000});
  EXPECT_EQ(in_host(k, "vx0").mtu, 1450u);
  k.change_link("host", "vx0", {.mtu = 8950});
  EXPECT_EQ(error_of([&] { k.change_link("host", "vx0", {.mtu = 8951}); }), EINVAL);
  LinkObj big = vxlan("vx1", "6", "10.9.0.2", "u0");
  big.mtu = 9000;
  k.create_link(big, nullptr);
  EXPECT_EQ(in_host(k, "vx1").mtu, 8950u);
  k.create_link(vxlan("vxn", "9", "10.9.0.3", ""), nullptr);  // no underlay: no bound
  k.change_link("host", "vxn", {.mtu = 9000});
}

// "A VXLAN device with the specified VNI already exists" (EEXIST): whatever the remote,
// underlay or learning, unless the port or the family differs.
TEST(FakeKernel, OneVxlanPerVniPortAndFamilyInANamespace) {
  FakeKernel k;
  veth(k, "u0");
  k.create_namespace("n1");
  k.create_link(vxlan("vx0", "5", "10.9.0.2", "u0"), nullptr);
  EXPECT_EQ(error_of([&] { k.create_link(vxlan("vx2", "5", "10.9.0.3", ""), nullptr); }), EEXIST);
  LinkObj port = vxlan("vx4", "5", "10.9.0.3", "u0");
  port.attrs["port"] = "4790";
  k.create_link(port, nullptr);
  k.create_link(vxlan("vx5", "5", "fd00::3", "u0"), nullptr);
  LinkObj elsewhere = vxlan("vx6", "5", "10.9.0.3", "");
  elsewhere.ns = "n1";
  k.create_link(elsewhere, nullptr);
}

// What netlab's create request leaves unsaid, the kernel reports as it made it: a macvlan's
// mode, a vxlan's port and learning (netlab sends its own defaults), a tap's type; owner and
// group as numbers.
TEST(FakeKernel, ReportsAKindsAttributesAsTheKernelDoes) {
  FakeKernel k;
  veth(k, "p0");
  k.create_link(macvlan("m1", "p0", ""), nullptr);
  EXPECT_EQ(in_host(k, "m1").attrs, (std::map<std::string, std::string>{{"mode", "bridge"}}));
  k.create_link(vxlan("vx0", "05", "fd00:0::2", ""), nullptr);
  EXPECT_EQ(in_host(k, "vx0").attrs,
            (std::map<std::string, std::string>{
                {"vni", "5"}, {"remote", "fd00::2"}, {"port", "4789"}, {"learning", "true"}}));
  LinkObj tap = link("host", "tp0", "tun");
  tap.attrs = {{"owner", "root"}};
  k.create_link(tap, nullptr);
  EXPECT_EQ(in_host(k, "tp0").attrs,
            (std::map<std::string, std::string>{{"type", "tap"}, {"owner", "0"}}));
}

// A tun carries IP packets, no Ethernet frames: no macvlan stands on it, no bridge takes it
// (EINVAL, checked with ip); a tap is Ethernet.
TEST(FakeKernel, AMacvlanOrABridgeTakesOnlyAnEthernetLink) {
  FakeKernel k;
  for (const char* type : {"tun", "tap"}) {
    LinkObj t = link("host", type, "tun");
    t.attrs = {{"type", type}};
    k.create_link(t, nullptr);
  }
  k.create_link(link("host", "br0", "bridge"), nullptr);
  EXPECT_EQ(error_of([&] { k.create_link(macvlan("m0", "tun", ""), nullptr); }), EINVAL);
  EXPECT_EQ(error_of([&] { k.change_link("host", "tun", {.master = std::string("br0")}); }),
            EINVAL);
  k.create_link(macvlan("m1", "tap", ""), nullptr);
  EXPECT_EQ(error_of([&] { k.change_link("host", "tap", {.master = std::string("br0")}); }),
            EBUSY);  // its macvlan holds it
}

// A bridge whose MTU follows its ports takes its macvlans down with it.
TEST(FakeKernel, AMacvlanFollowsItsBridgeDown) {
  FakeKernel k;
  veth(k, "p0", 1400);
  k.create_link(link("host", "br0", "bridge"), nullptr);
  k.change_link("host", "p0", {.master = std::string("br0")});
  k.create_link(macvlan("m0", "br0", ""), nullptr);
  EXPECT_EQ(in_host(k, "m0").mtu, 1400u);
  k.change_link("host", "p0", {.mtu = 1280});
  EXPECT_EQ(in_host(k, "br0").mtu, 1280u);
  EXPECT_EQ(in_host(k, "m0").mtu, 1280u);
}

// Below MTU 1280 a link has no IPv6 (checked with ip): its address generation mode cannot be
// set (EAFNOSUPPORT) nor an IPv6 address added (EINVAL) or deleted (ENXIO); going below drops its
// IPv6 addresses, and coming back gives it IPv6 anew in the kernel's default mode. The kernel
// adapter sends a change's MTU before its mode.
TEST(FakeKernel, ALinkBelowMtu1280HasNoIpv6) {
  FakeKernel k;
  veth(k, "s0", 1250);
  EXPECT_EQ(in_host(k, "s0").ipv6_link_local, std::nullopt);
  EXPECT_EQ(error_of([&] { k.change_link("host", "s0", {.ipv6_link_local = false}); }),
            EAFNOSUPPORT);
  EXPECT_EQ(error_of([&] { k.add_address({"host", "s0", *Cidr::parse("fd00::1/64")}); }), EINVAL);
  EXPECT_EQ(error_of([&] {
              k.delete_address({"host", "s0", *Cidr::parse("fd00::1/64")});
            }),
            ENXIO);  // "IPv6 is disabled on this device", before the address is looked for
  EXPECT_EQ(error_of([&] { k.add_address({"host", "s9", *Cidr::parse("10.0.0.1/24")}); }), ENODEV);
  k.change_link("host", "s0", {.mtu = 1300, .ipv6_link_local = false});
  EXPECT_EQ(in_host(k, "s0").ipv6_link_local, false);
  k.change_link("host", "s0", {.up = true});
  k.add_address({"host", "s0", *Cidr::parse("fd00::1/64")});
  k.add_address({"host", "s0", *Cidr::parse("10.0.0.1/24")});
  k.user_set_mtu("host", "s0", 1250);
  EXPECT_EQ(in_host(k, "s0").ipv6_link_local, std::nullopt);
  EXPECT_EQ(k.state.ns.at("host").addrs.size(), 1u);  // the IPv4 one
  k.user_set_mtu("host", "s0", 1280);
  EXPECT_EQ(in_host(k, "s0").ipv6_link_local, true);
  EXPECT_EQ(error_of([&] { k.change_link("host", "s0", {.mtu = 1200, .ipv6_link_local = false}); }),
            EAFNOSUPPORT);
  EXPECT_EQ(in_host(k, "s0").mtu, 1200u);  // sent first, and done
}

// A kernel without sch_tbf (or sch_netem) refuses a qdisc of that kind with ENOENT, as the
// kernel's qdisc_lookup_ops does after trying to load its module; the engine's probe says so.
TEST(FakeKernel, AKernelWithoutAQdiscKindRefusesOne) {
  FakeKernel k;
  k.missing_qdiscs = {"tbf"};
  veth(k, "s0");
  QdiscObj tbf{.ns = "host", .dev = "s0", .kind = "tbf", .handle = kQdiscHandle};
  EXPECT_EQ(error_of([&] { k.add_qdisc(tbf, false); }), ENOENT);
  EXPECT_TRUE(k.state.ns.at("host").qdiscs.empty());
  QdiscObj netem = tbf;
  netem.kind = "netem";
  k.add_qdisc(netem, false);
  EXPECT_EQ(k.read({.host = false, .qdisc_kinds = {"netem", "tbf"}}).missing_qdisc_kinds,
            std::vector<std::string>{"tbf"});
}

}  // namespace
}  // namespace netlab::testing
