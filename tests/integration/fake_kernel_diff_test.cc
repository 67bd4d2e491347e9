// The unit tests' fake kernel against the real one: random sequences of Kernel calls, each
// applied to the fake and to NetlinkKernel in a fresh sandbox; every call must succeed or
// fail alike (same errno), and the state read at the end must be the same once what cannot
// match is left out (ifindexes, MACs, loopback, the kernel's IPv6 link-local addresses).
// NETLAB_DIFF_SEQUENCES=N runs more; NETLAB_DIFF_SEED=S replays one sequence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <tuple>

#include "../unit/fake_kernel.h"
#include "child_sandbox.h"
#include "kernel/netlink_kernel.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

using Rng = std::mt19937_64;

template <class T>
const T& one_of(Rng& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

const std::vector<std::string> kNs = {"host", "x0", "x1"};
// Few names, so that calls meet what earlier calls made. The first letter is the kind: l a
// veth, b a bridge, m a macvlan, x a vxlan, t a tun/tap.
const std::vector<std::string> kLinks = {"l0", "l1", "l2", "b0", "b1", "m0", "x0", "t0"};
const std::vector<std::string> kKindLinks = {"m0", "m1", "x0", "x1", "t0", "t1"};
const std::vector<std::string> kAddrs = {"10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24", "10.0.0.1/25",
                                         "10.0.1.1/24", "fd00::1/64",  "fd00::2/64",  "fd00::1/56"};
const std::vector<std::string> kVia = {"10.0.0.9", "10.0.1.9", "192.168.9.9",
                                       "fd00::9",  "fe80::1",  "-"};

// One random call: what it is (for the log) and how to make it on a kernel.
struct Op {
  std::string text;
  std::function<void(Kernel&)> apply;
  std::vector<std::pair<std::string, std::string>> gone_after;  // filled when applied
};

// A macvlan, vxlan or tun/tap, as the engine asks for one: the file's keys in `attrs`.
Op create_kind_link(Rng& rng, const std::string& ns) {
  LinkObj l;
  l.ns = ns;
  l.name = one_of(rng, kKindLinks);
  if (rng() % 4 == 0) l.mtu = one_of(rng, std::vector<uint32_t>{1300, 1500, 9000});
  if (l.name[0] == 'm') {
    l.kind = "macvlan";
    l.attrs["parent"] = one_of(rng, std::vector<std::string>{"l0", "l1", "l2", "b0", "x0", "t0"});
    if (rng() % 3 == 0) l.attrs["parent_namespace"] = one_of(rng, kNs);
    std::string mode =
        one_of(rng, std::vector<std::string>{"", "bridge", "private", "vepa", "passthru"});
    if (!mode.empty()) l.attrs["mode"] = mode;
  } else if (l.name[0] == 'x') {
    l.kind = "vxlan";
    l.attrs["vni"] = one_of(rng, std::vector<std::string>{"1", "2"});
    std::string peer = one_of(rng, std::vector<std::string>{"10.0.0.9", "fd00::9", "239.1.1.1"});
    bool group = peer == "239.1.1.1";
    l.attrs[group ? "group" : "remote"] = peer;
    if (group || rng() % 2)
      l.attrs["dev"] = one_of(rng, std::vector<std::string>{"l0", "l1", "b0"});
    if (rng() % 3 == 0) l.attrs["port"] = "4790";
    if (rng() % 3 == 0) l.attrs["learning"] = "false";
    if (rng() % 3 == 0 && peer.find(':') == std::string::npos) l.attrs["local"] = "10.0.0.1";
  } else {
    l.kind = "tun";
    l.attrs["type"] = rng() % 2 ? "tap" : "tun";
    if (rng() % 3 == 0) l.attrs["owner"] = "1000";
    if (rng() % 4 == 0) l.attrs["group"] = "100";
  }
  std::string text = "create " + l.kind + " " + ns + "/" + l.name;
  for (const auto& [k, v] : l.attrs) text += " " + k + "=" + v;
  if (l.mtu) text += " mtu " + std::to_string(*l.mtu);
  return {text, [=](Kernel& k) { k.create_link(l, nullptr); }};
}

// A qdisc of an impairment as the planner asks for one (state/qdisc.h): at the root, or a tbf
// under the root; made, changed in place or deleted.
Op qdisc_op(Rng& rng, const std::string& ns, const std::string& dev) {
  bool child = rng() % 3 == 0;
  QdiscObj q{ns, dev, child || rng() % 3 ? "tbf" : "netem", kQdiscHandle};
  if (child) {
    q.handle = kQdiscChildHandle;
    q.parent = kQdiscHandle | 1;
  }
  q.rate = one_of(rng, std::vector<uint32_t>{125'000, 1'250'000});
  q.burst = 12'500;
  q.limit =
      q.kind == "tbf" ? q.rate / 20 + q.burst : one_of(rng, std::vector<uint32_t>{1000, 5000});
  if (q.kind == "netem") {
    q.delay_us = one_of(rng, std::vector<uint32_t>{0, 10'000, 50'000});
    q.loss = one_of(rng, std::vector<uint32_t>{0, 42'949'673});
    q.corrupt = one_of(rng, std::vector<uint32_t>{0, 42'949'673});
  }
  std::string text = q.kind + " " + ns + "/" + dev + (child ? " child" : " root");
  if (rng() % 4 == 0) return {"delete_qdisc " + text, [=](Kernel& k) { k.delete_qdisc(q); }};
  bool replace = rng() % 3 == 0;
  return {(replace ? "change_qdisc " : "add_qdisc ") + text + " delay " +
              std::to_string(q.delay_us) + " corrupt " + std::to_string(q.corrupt),
          [=](Kernel& k) { k.add_qdisc(q, replace); }};
}

Op random_op(Rng& rng, std::map<std::string, std::vector<std::string>>& sysctl_keys) {
  // Weights: mostly calls that build on each other (links, up, addresses, routes).
  static const std::vector<int> kWeights = {1, 1, 8, 8, 25, 4, 18, 6, 14, 5, 4, 6, 8, 6};
  int kind = std::discrete_distribution<int>(kWeights.begin(), kWeights.end())(rng);
  std::string ns = rng() % 4 ? one_of(rng, std::vector<std::string>{"host", "x0"}) : "x1";
  std::string name = one_of(rng, kLinks);
  if (kind == 13) return qdisc_op(rng, ns, name);
  if (kind == 12) return create_kind_link(rng, ns);
  if (kind == 0) return {"create_namespace " + ns, [=](Kernel& k) { k.create_namespace(ns); }};
  if (kind == 1) return {"delete_namespace " + ns, [=](Kernel& k) { k.delete_namespace(ns); }};
  if (kind <= 3 && (name[0] == 'l' || name[0] == 'b')) {
    LinkObj l;
    l.ns = ns;
    l.name =
        rng() % 20 == 0 ? one_of(rng, std::vector<std::string>{"all", "0123456789abcdef"}) : name;
    l.kind = name[0] == 'b' ? "bridge" : "veth";
    if (rng() % 3 == 0) l.mtu = one_of(rng, std::vector<uint32_t>{1300, 1400, 9000});
    if (l.kind == "bridge")
      return {"create bridge " + ns + "/" + l.name, [=](Kernel& k) { k.create_link(l, nullptr); }};
    LinkObj p;
    p.ns = one_of(rng, kNs);
    p.name = one_of(rng, kLinks);
    p.kind = "veth";
    if (rng() % 3 == 0) p.mtu = 1500;
    return {"create veth " + ns + "/" + l.name + " peer " + p.ns + "/" + p.name,
            [=](Kernel& k) { k.create_link(l, &p); }};
  }
  if (kind <= 3) return create_kind_link(rng, ns);
  if (kind == 4) {
    LinkChange c;
    std::string text = "change_link " + ns + "/" + name;
    switch (rng() % 6 / 2 ? rng() % 5 : 0) {
      case 0:
        c.up = rng() % 4 != 0;
        text += c.up.value() ? " up" : " down";
        break;
      case 1:
        c.master = rng() % 4 ? one_of(rng, kLinks) : "";
        // A link as its own master: the kernel answers ELOOP or EINVAL depending on state the
        // fake does not keep; netlab never asks (validate refuses a bridge on a bridge).
        if (*c.master == name) c.master = "";
        text += " master '" + *c.master + "'";
        break;
      case 2:
        c.mtu = one_of(rng, std::vector<uint32_t>{1280, 1350, 1500, 50});
        text += " mtu " + std::to_string(*c.mtu);
        break;
      case 3:
        c.ipv6_link_local = rng() % 2;
        if (rng() % 2) c.up = true;  // in one request, as the executor sends it
        text += *c.ipv6_link_local ? " link-local" : " no-link-local";
        if (c.up) text += " up";
        break;
      default:
        c.alias = "netlab:d";
        text += " alias";
        break;
    }
    return {text, [=](Kernel& k) { k.change_link(ns, name, c); }};
  }
  if (kind == 5)
    return {"delete_link " + ns + "/" + name, [=](Kernel& k) { k.delete_link(ns, name); }};
  if (kind <= 7) {
    AddrObj a{ns, name, *Cidr::parse(one_of(rng, kAddrs))};
    bool add = kind == 6 || rng() % 2;
    return {
        std::string(add ? "add" : "delete") + "_address " + ns + "/" + name + " " + a.cidr.str(),
        [=](Kernel& k) { add ? k.add_address(a) : k.delete_address(a); }};
  }
  if (kind <= 9) {
    RouteObj r;
    r.ns = ns;
    std::string via = one_of(rng, kVia);
    bool v6 = via.find(':') != std::string::npos || (via == "-" && rng() % 2);
    r.dst = *Cidr::parse(v6 ? "fd99::/64" : "172.16.0.0/24");
    if (via != "-") r.via = IpAddr::parse(via);
    if (via == "-" || rng() % 2) r.dev = name;
    r.metric = one_of(rng, std::vector<uint32_t>{0, 10});
    bool add = kind == 8 || rng() % 2;
    std::string text = std::string(add ? "add" : "delete") + "_route " + ns + " " + r.dst.str() +
                       " via " + via + " dev '" + r.dev + "' metric " + std::to_string(r.metric);
    return {text, [=](Kernel& k) { add ? k.add_route(r, false) : k.delete_route(r); }};
  }
  if (ns == "host") ns = "x0";  // the sandbox's own settings stay as they are
  std::string key =
      one_of(rng, std::vector<std::string>{
                      "net.ipv4.ip_forward", "net.ipv4.conf." + name + ".forwarding",
                      "net.ipv4.conf.all.promote_secondaries", "net.ipv4.ip_local_reserved_ports"});
  std::string value =
      key.ends_with("ports")
          ? one_of(rng, std::vector<std::string>{"8080,8081,8082", "9000-9001,9003"})
          : one_of(rng, std::vector<std::string>{"1", "01", "010", "0", " 1"});
  if (key.ends_with("promote_secondaries")) value = "1";
  sysctl_keys[ns].push_back(key);
  return {"set_sysctl " + ns + " " + key + "='" + value + "'",
          [=](Kernel& k) { k.set_sysctl(ns, key, value); }};
}

// A small lab to start from, so that random calls meet links that are up, addresses, ports
// and routes: a pair host/l0 - x0/l0 with addresses, a pair host/l1 - x0/l1 with host/l1 a
// port of host/b0, and a route each way.
std::vector<Op> prologue(Rng& rng) {
  std::vector<Op> ops;
  auto veth = [&](const std::string& name, std::optional<uint32_t> mtu) {
    LinkObj l, p;
    l.ns = "host";
    l.name = p.name = name;
    l.kind = p.kind = "veth";
    l.mtu = mtu;
    p.ns = "x0";
    ops.push_back({"create veth host/" + name + " peer x0/" + name,
                   [=](Kernel& k) { k.create_link(l, &p); }});
  };
  veth("l0", std::nullopt);
  veth("l1", rng() % 2 ? std::optional<uint32_t>(1400) : std::nullopt);
  LinkObj br;
  br.ns = "host";
  br.name = "b0";
  br.kind = "bridge";
  if (rng() % 2) br.mtu = 9000;
  ops.push_back({"create bridge host/b0", [=](Kernel& k) { k.create_link(br, nullptr); }});
  auto change = [&](const std::string& ns, const std::string& name, LinkChange c,
                    const std::string& text) {
    ops.push_back({"change_link " + ns + "/" + name + " " + text,
                   [=](Kernel& k) { k.change_link(ns, name, c); }});
  };
  if (rng() % 2) change("host", "b0", {.mtu = 1350}, "mtu 1350");  // set by the user
  change("host", "l1", {.master = "b0"}, "master 'b0'");
  for (auto [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"host", "l0"}, {"x0", "l0"}, {"host", "l1"}, {"x0", "l1"}, {"host", "b0"}})
    change(ns, name, {.up = true}, "up");
  for (auto [ns, dev, cidr] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"host", "l0", "10.0.0.1/24"},
           {"x0", "l0", "10.0.0.2/24"},
           {"host", "l0", "10.0.0.3/24"},
           {"host", "l0", "fd00::1/64"},
           {"x0", "l0", "fd00::2/64"},
           {"host", "b0", "10.0.1.1/24"},
           {"x0", "l1", "10.0.1.2/24"}}) {
    AddrObj a{ns, dev, *Cidr::parse(cidr)};
    ops.push_back(
        {"add_address " + ns + "/" + dev + " " + cidr, [=](Kernel& k) { k.add_address(a); }});
  }
  for (auto [ns, dst, via] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"x0", "172.16.0.0/24", "10.0.0.1"},
           {"x0", "fd99::/64", "fd00::1"},
           {"host", "172.16.1.0/24", "10.0.1.2"}}) {
    RouteObj r;
    r.ns = ns;
    r.dst = *Cidr::parse(dst);
    r.via = IpAddr::parse(via);
    ops.push_back(
        {"add_route " + ns + " " + dst + " via " + via, [=](Kernel& k) { k.add_route(r, false); }});
  }
  return ops;
}

int outcome(Kernel& k, const Op& op) {
  try {
    op.apply(k);
    return 0;
  } catch (const KernelError& e) {
    return e.errno_value ? e.errno_value : -1;
  } catch (const std::exception&) {
    return -2;
  }
}

bool link_local(const IpAddr& a) {
  return a.is_v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

// A veth's other end: one that names it back. Ifindexes repeat across namespaces, so there
// may be several; `hint` (the fake's answer, whose ifindexes are unique) wins if among them.
std::string peer_of(const LiveState& s, const std::string& nsn, const LinkObj& l,
                    const std::string& hint) {
  std::vector<std::string> found;
  for (const auto& [n, ns] : s.ns)
    for (const auto& p : ns.links)
      if (p.ifindex == l.peer_ifindex && p.peer_ifindex == l.ifindex &&
          !(n == nsn && p.name == l.name))
        found.push_back(n + "/" + p.name);
  if (std::find(found.begin(), found.end(), hint) != found.end()) return hint;
  return found.empty() ? "?" : found.front();
}

// The link a link stands on (a macvlan's parent, a vxlan's underlay): its ifindex is in
// the namespace of that one, which the dump does not name. `hint` as for peer_of.
std::string lower_of(const LiveState& s, const LinkObj& l, const std::string& hint) {
  std::vector<std::string> found;
  for (const auto& [n, ns] : s.ns)
    for (const auto& p : ns.links)
      if (p.ifindex == l.lower_ifindex) found.push_back(n + "/" + p.name);
  if (std::find(found.begin(), found.end(), hint) != found.end()) return hint;
  return found.empty() ? "?" : found.front();
}

std::vector<std::string> normal(const LiveState& s, const FakeKernel& fake) {
  std::vector<std::string> out;
  for (const auto& [n, ns] : s.ns) {
    if (!ns.exists) continue;
    out.push_back("namespace " + n);
    std::vector<std::string> part;
    for (const auto& l : ns.links) {
      if (l.kind == "loopback" || l.name == "lo") continue;
      std::ostringstream o;
      o << n << " link " << l.name << " " << l.kind << " mtu " << l.mtu.value_or(0)
        << (l.up ? " up" : " down") << " master '" << l.master << "' alias '" << l.alias << "'"
        << " link-local " << (l.ipv6_link_local ? (*l.ipv6_link_local ? "on" : "off") : "?");
      if (l.peer_ifindex) {
        const NsLive* f = fake.state.find(n);
        const LinkObj* fl = f ? f->link(l.name) : nullptr;
        std::string hint = fl ? peer_of(fake.state, n, *fl, "") : "";
        o << " peer " << peer_of(s, n, l, hint);
      }
      for (const auto& [k, v] : l.attrs) o << " " << k << "=" << v;
      if (l.lower_ifindex) {
        const NsLive* f = fake.state.find(n);
        const LinkObj* fl = f ? f->link(l.name) : nullptr;
        o << " on " << lower_of(s, l, fl ? lower_of(fake.state, *fl, "") : "");
      }
      part.push_back(o.str());
    }
    for (const auto& r : ns.routes)
      part.push_back(n + " route " + r.dst.str() + (r.via ? " via " + r.via->str() : "") + " dev " +
                     r.dev + " metric " + std::to_string(r.metric));
    auto fake_ns = fake.state.find(n);
    for (const auto& [k, v] : ns.sysctl)
      if (fake_ns && fake_ns->sysctl.count(k)) part.push_back(n + " sysctl " + k + "='" + v + "'");
    for (const auto& q : ns.qdiscs) {
      std::ostringstream o;
      o << n << " qdisc " << q.dev << " " << q.kind << " " << std::hex << q.handle << " parent "
        << q.parent << std::dec << " limit " << q.limit;
      if (q.kind == "tbf") o << " rate " << q.rate;
      // Times go through the kernel's clock ticks: compared to the millisecond.
      if (q.kind == "netem")
        o << " delay " << (q.delay_us + 1) / 1000 << "ms loss " << q.loss << " corrupt "
          << q.corrupt;
      part.push_back(o.str());
    }
    std::sort(part.begin(), part.end());
    out.insert(out.end(), part.begin(), part.end());
    auto addrs = ns.addrs;
    std::erase_if(addrs, [](const AddrObj& a) { return a.dev == "lo" || link_local(a.cidr.addr); });
    std::stable_sort(addrs.begin(), addrs.end(), [](const AddrObj& x, const AddrObj& y) {
      return std::pair(x.dev, x.cidr.addr.is_v6()) < std::pair(y.dev, y.cidr.addr.is_v6());
    });
    for (const auto& a : addrs) out.push_back(n + " address " + a.dev + " " + a.cidr.str());
  }
  return out;
}

// One sequence (in a child process, in a fresh sandbox): "" when fake and kernel agree.
std::string run_sequence(uint64_t seed, int length) {
  Rng rng(seed);
  FakeKernel fake;
  NetlinkKernel real;
  std::map<std::string, std::vector<std::string>> keys;
  std::ostringstream log;
  std::string problems;
  // Both namespaces exist at first, so that most calls get past the namespace check.
  for (const char* n : {"x0", "x1"}) {
    fake.create_namespace(n);
    real.create_namespace(n);
  }
  // The fake lacks what this kernel lacks (asked as the engine asks).
  for (const auto& k :
       real.read({.host = false, .qdisc_kinds = {"netem", "tbf"}}).missing_qdisc_kinds)
    fake.missing_qdiscs.insert(k);
  std::vector<Op> ops = prologue(rng);
  for (int i = 0; i < length; ++i) ops.push_back(random_op(rng, keys));
  for (const Op& op : ops) {
    // The ends a namespace's deletion takes with it go asynchronously in the kernel, and so
    // do the macvlans elsewhere on its links.
    std::vector<std::pair<std::string, std::string>> peers;
    if (op.text.starts_with("delete_namespace ")) {
      std::string doomed = op.text.substr(17);
      if (auto* d = fake.state.find(doomed))
        for (const auto& [n, ns] : fake.state.ns)
          for (const auto& l : ns.links)
            for (const auto& x : d->links)
              if (n != doomed && ((l.peer_ifindex == x.ifindex && x.peer_ifindex == l.ifindex) ||
                                  l.lower_ifindex == x.ifindex))
                peers.push_back({n, l.name});
    }
    int f = outcome(fake, op), r = outcome(real, op);
    if (!peers.empty() && r == 0) real.wait_gone(peers);
    log << "  " << op.text << " -> fake " << f << ", kernel " << r << "\n";
    if (f != r)
      problems += "  call " + op.text + ": fake " + std::to_string(f) + " (" +
                  std::strerror(std::abs(f)) + "), kernel " + std::to_string(r) + " (" +
                  std::strerror(std::abs(r)) + ")\n";
  }
  ReadRequest req;
  for (const auto& n : kNs)
    if (n != "host") req.namespaces.push_back(n);
  req.sysctl_keys = keys;
  req.link_kinds = {"macvlan", "vxlan", "tun"};  // their data read back
  req.qdisc_namespaces = {kNs.begin(), kNs.end()};
  auto want = normal(fake.read(req), fake), got = normal(real.read(req), fake);
  for (const auto& w : want)
    if (std::find(got.begin(), got.end(), w) == got.end())
      problems += "  only in fake:   " + w + "\n";
  for (const auto& g : got)
    if (std::find(want.begin(), want.end(), g) == want.end())
      problems += "  only in kernel: " + g + "\n";
  if (problems.empty() && want != got) problems = "  same lines, another order (address order)\n";
  if (problems.empty()) return "";
  return "sequence NETLAB_DIFF_SEED=" + std::to_string(seed) + "\n" + log.str() + "differs:\n" +
         problems;
}

class FakeKernelDiff : public Sandbox {};

TEST_F(FakeKernelDiff, RandomCallSequencesEndAlikeOnTheFakeAndTheKernel) {
  if (IsSkipped()) return;
  const char* replay = std::getenv("NETLAB_DIFF_SEED");
  const char* count = std::getenv("NETLAB_DIFF_SEQUENCES");
  uint64_t base = replay && *replay ? std::strtoull(replay, nullptr, 0) : std::random_device{}();
  int sequences = replay && *replay ? 1 : (count && *count ? std::atoi(count) : 40);
  std::cout << "fake/kernel: " << sequences << " sequence(s) of 30 calls from seed " << base
            << "\n";
  int failed = 0;
  // The start of each difference, for the summary: how often, and the first sequence.
  std::map<std::string, std::pair<int, uint64_t>> kinds;
  for (int i = 0; i < sequences; ++i) {
    uint64_t seed = base + i;
    std::string out = in_child_sandbox([&] { return run_sequence(seed, 30); });
    if (!out.empty() && !out.starts_with("sequence "))
      out = "sequence NETLAB_DIFF_SEED=" + std::to_string(seed) + ": " + out;
    if (out.empty()) continue;
    if (failed++ < 5) ADD_FAILURE() << out;
    std::istringstream lines(out.substr(out.find("\ndiffers:\n") + 10));
    for (std::string line; std::getline(lines, line);) {
      auto& k = kinds[line.substr(0, 100)];
      if (!k.first++) k.second = seed;
    }
  }
  std::string summary;
  for (const auto& [k, n] : kinds)
    summary += "  " + std::to_string(n.first) +
               "x (first NETLAB_DIFF_SEED=" + std::to_string(n.second) + ")" + k + "\n";
  EXPECT_EQ(failed, 0) << failed << " of " << sequences << " sequences differ:\n" << summary;
}

}  // namespace
}  // namespace netlab::testing
