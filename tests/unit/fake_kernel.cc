#include "fake_kernel.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <thread>
#include <utility>

#include "fake_kernel_rules.h"
#include "kinds/link_kind.h"

namespace netlab::testing {

namespace {

constexpr uint32_t kMinMtu = 68, kMaxMtu = 65535;
constexpr uint32_t kIpv6MinMtu = 1280;    // below it a link has no IPv6
constexpr size_t kMaxBridgePorts = 1023;  // BR_MAX_PORTS less port 0

[[noreturn]] void fail(const std::string& what, int err) {
  throw KernelError(what + ": " + std::strerror(err), err);
}

bool link_local(const IpAddr& a) {
  return a.is_v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

bool same_dev_family(const AddrObj& a, const std::string& dev, bool v6) {
  return a.dev == dev && a.cidr.addr.is_v6() == v6;
}

// A v4 address is primary when no earlier address of the same link shares its subnet.
bool carries_ethernet(const LinkObj& l) {
  const LinkKind* k = find_link_kind(l.kind);
  return k ? k->ethernet(l) : l.kind != "loopback";
}

bool is_primary(const std::vector<AddrObj>& addrs, size_t i) {
  for (size_t j = 0; j < i; ++j)
    if (same_dev_family(addrs[j], addrs[i].dev, false) && same_subnet(addrs[j].cidr, addrs[i].cidr))
      return false;
  return true;
}

// The links of the fake's namespaces, for a kind whose default MTU is its lower link's.
class Links final : public LiveLinks {
 public:
  explicit Links(const LiveState& s) : s_(s) {}
  const LinkObj* live_link(const std::string& ns, const std::string& name) const override {
    auto it = s_.ns.find(ns);
    return it == s_.ns.end() ? nullptr : it->second.link(name);
  }
  const LinkObj* declared(const std::string&, const std::string&) const override { return nullptr; }

 private:
  const LiveState& s_;
};

}  // namespace

void FakeKernel::call(const std::string& c) {
  int i = static_cast<int>(calls.size());
  calls.push_back(c);
  if (i != fail_at && c != fail_on) return;
  if (c == fail_on && fail_once) fail_on.clear();
  throw KernelError(c + ": injected failure", fail_errno);
}

NsLive& FakeKernel::ns(const std::string& name) {
  auto it = state.ns.find(name);
  if (it == state.ns.end() || !it->second.exists) fail("no namespace " + name, ENOENT);
  return it->second;
}

LinkObj* FakeKernel::find(const std::string& nsn, const std::string& name) {
  for (auto& l : ns(nsn).links)
    if (l.name == name) return &l;
  return nullptr;
}

LinkObj& FakeKernel::link(const std::string& nsn, const std::string& name,
                          const std::string& what) {
  LinkObj* l = find(nsn, name);
  if (!l) fail(what + ": no link " + name + " in " + nsn, ENODEV);
  return *l;
}

LiveState FakeKernel::read(const ReadRequest& req) {
  std::lock_guard lock(mutex_);
  ++reads;
  LiveState out;
  read_log.push_back({calls.size(), req.host, req.namespaces});
  if (req.host) out.ns["host"] = state.ns["host"];
  for (const auto& n : req.namespaces) {
    auto it = state.ns.find(n);
    out.ns[n] = it == state.ns.end() ? NsLive{} : it->second;
  }
  for (const auto& k : req.link_kinds)
    if (missing_kinds.count(k)) out.missing_link_kinds.push_back(k);
  for (const auto& k : req.qdisc_kinds)
    if (missing_qdiscs.count(k)) out.missing_qdisc_kinds.push_back(k);
  // Qdiscs are dumped only where asked for, and kept as the real read keeps them.
  for (auto& [name, n] : out.ns)
    if (!req.qdisc_namespaces.count(name))
      n.qdiscs.clear();
    else
      std::erase_if(n.qdiscs, [](const QdiscObj& q) { return !q.worth_reading(); });
  mark_ready(out);
  return out;
}

std::map<int, const LinkObj*> FakeKernel::links_by_index() const {
  std::map<int, const LinkObj*> out;
  for (const auto& [name, n] : state.ns)
    for (const auto& l : n.links)
      if (l.kind != "loopback") out[l.ifindex] = &l;
  return out;
}

bool FakeKernel::carries(const std::string& nsn, const LinkObj& l,
                         const std::map<int, const LinkObj*>& by_index) {
  if (!l.up) return false;
  if (l.kind == "veth") {
    auto peer = by_index.find(l.peer_ifindex);
    if (peer == by_index.end() || !peer->second->up) return false;
  } else if (l.kind == "bridge") {
    const auto& links = ns(nsn).links;
    return std::any_of(links.begin(), links.end(), [&](const LinkObj& p) {
      return p.master == l.name && carries(nsn, p, by_index);
    });
  } else {
    return false;
  }
  const LinkObj* bridge = l.master.empty() ? nullptr : find(nsn, l.master);
  return l.master.empty() || (bridge && bridge->up);
}

void FakeKernel::mark_ready(LiveState& out) {
  auto by_index = links_by_index();
  for (auto& [name, n] : out.ns)
    for (auto& l : n.links)
      l.ready = carries(name, l, by_index) && (!links_start_late || started_.count({name, l.name}));
}

uint64_t FakeKernel::create_namespace(const std::string& name) {
  std::this_thread::sleep_for(namespace_delay);
  std::lock_guard lock(mutex_);
  call("create_namespace " + name);
  if (name == "host") fail("create namespace host", EINVAL);
  auto& n = state.ns[name];
  if (n.exists) fail("create namespace " + name, EEXIST);
  n = NsLive{};
  n.exists = true;
  n.cookie = next_cookie_++;
  LinkObj lo;
  lo.ns = name;
  lo.name = "lo";
  lo.kind = "loopback";
  lo.mtu = 65536;
  lo.ifindex = 1;
  n.links.push_back(lo);
  return n.cookie;
}

void FakeKernel::delete_namespace(const std::string& name) {
  std::lock_guard lock(mutex_);
  call("delete_namespace " + name);
  if (name == "host") fail("delete namespace host", EINVAL);
  std::vector<LinkObj> links = ns(name).links;  // a copy: dropping a peer may change them
  for (const auto& l : links)
    if (paired(l) && find(name, l.name)) drop_peer(l);
  state.ns.erase(name);
  // What the kernel knew of its links goes with them: a bridge made again under the same name
  // follows its ports until someone sets its MTU.
  std::erase_if(mtu_by_user_, [&](const auto& key) { return key.first == name; });
  std::erase_if(started_, [&](const auto& key) { return key.first == name; });
  for (const auto& l : links) {
    lower_.erase({name, l.name});
    drop_uppers(name, l.name);
  }
}

// A link as the kernel makes it: down, no master yet, the kernel's MTU unless given.
LinkObj FakeKernel::born(const LinkObj& l) {
  LinkObj x = l;
  x.peer_ns.clear();  // the kernel reports a peer's ifindex, not its name
  x.peer_name.clear();
  x.up = false;
  x.master.clear();
  // The kernel refuses an address generation mode in a create request: every link is born
  // with its namespace's default one, which makes a link-local address.
  x.ipv6_link_local = true;
  x.ifindex = next_ifindex_++;
  if (!x.mtu) x.mtu = find_link_kind(l.kind)->default_mtu();
  if (*x.mtu < kMinMtu || *x.mtu > kMaxMtu) fail("create " + l.name + ": mtu", EINVAL);
  return x;
}

void FakeKernel::create_link(const LinkObj& link, const LinkObj* peer) {
  std::lock_guard lock(mutex_);
  call("create_link " + link.ns + "/" + link.name);
  std::string what = "create " + link.kind + " " + link.name + " in " + link.ns;
  const LinkKind* kind = find_link_kind(link.kind);
  if (!kind || missing_kinds.count(link.kind)) fail(what, EOPNOTSUPP);
  if (paired(link) && !peer) fail(what + ": a " + link.kind + " needs its peer", EINVAL);
  // The order of the real checks: the name's form (before any request), both namespaces,
  // what exists, then the names the kernel reserves.
  auto form = [](const std::string& name) {
    return valid_link_name(name) || reserved_link_name(name);
  };
  if (!form(link.name) || (peer && !form(peer->name))) fail(what + ": invalid name", EINVAL);
  // A link made on another: the kernel adapter looks that one up first, in its namespace.
  std::vector<std::pair<std::pair<std::string, std::string>, const LinkObj*>> lowers;
  for (const auto& [lns, lname] : kind->references(link)) {
    const LinkObj* lower = ns(lns).link(lname);
    if (!lower) fail(what + ": no link " + lname + " in " + lns, ENODEV);
    lowers.push_back({{lns, lname}, lower});
  }
  auto& n = ns(link.ns);
  NsLive* pn = peer ? &ns(peer->ns) : nullptr;
  if (n.link(link.name)) fail(what, EEXIST);
  if (peer && (pn->link(peer->name) || (peer->ns == link.ns && peer->name == link.name)))
    fail(what + ": peer " + peer->name, EEXIST);
  if (reserved_link_name(link.name) || (peer && reserved_link_name(peer->name)))
    fail(what + ": reserved name", EINVAL);
  LinkObj l = born(link);
  // Its MTU is bounded by that one's; then whether it may stand there at all.
  std::optional<std::pair<std::string, std::string>> on;
  for (const auto& [where, lower] : lowers) {
    l.lower_ifindex = lower->ifindex;
    on = where;
    auto most = kind->max_mtu_on(link, *lower);
    if (link.mtu && most && *l.mtu > *most) {
      if (!kind->cuts_mtu_at_create()) fail(what + ": mtu", EINVAL);
      l.mtu = *most;
    }
    if (kind->holds_lower() && !carries_ethernet(*lower)) fail(what + ": not Ethernet", EINVAL);
    if (kind->holds_lower() && !lower->master.empty()) fail(what, EBUSY);
  }
  if (!link.mtu)
    if (auto mtu = kind->default_mtu_on(link, Links(state))) l.mtu = *mtu;
  // The kernel reports only its own attributes, its defaults filled in.
  l.attrs = kind->kernel_attrs(link);
  for (const auto& [other_ns, other] : state.ns)
    for (const auto& o : other.links)
      if (o.kind == l.kind)
        if (int err = kind->refused_beside(l, o)) fail(what + ": beside " + o.name, err);
  if (on) lower_[{link.ns, link.name}] = *on;
  if (*l.mtu < kIpv6MinMtu) l.ipv6_link_local.reset();
  if (peer) {
    LinkObj p = born(*peer);
    if (*p.mtu < kIpv6MinMtu) p.ipv6_link_local.reset();
    p.peer_ifindex = l.ifindex;
    l.peer_ifindex = p.ifindex;
    pn->links.push_back(p);
  }
  n.links.push_back(l);
  if (!link.master.empty()) set_master(link.ns, n.links.back(), link.master);
}

// A link leaves its bridge before it joins another: when the join fails, it is left in none.
void FakeKernel::set_master(const std::string& nsn, LinkObj& l, const std::string& master) {
  std::string what = "set master of " + l.name + " in " + nsn;
  if (l.master == master) return;
  if (!master.empty()) link(nsn, master, what);  // the master's name is resolved first
  std::string old = std::exchange(l.master, "");
  if (!old.empty()) adjust_bridge_mtu(nsn, old);
  if (master.empty()) return;
  const LinkObj& br = link(nsn, master, what);
  if (!takes_ports(br)) fail(what, EOPNOTSUPP);
  if (!carries_ethernet(l)) fail(what + ": not Ethernet", EINVAL);
  if (takes_ports(l)) fail(what, ELOOP);  // no bridge in a bridge, itself included
  if (holds_uppers(nsn, l.name)) fail(what, EBUSY);
  size_t ports = std::count_if(ns(nsn).links.begin(), ns(nsn).links.end(),
                               [&](const LinkObj& p) { return p.master == master; });
  if (ports >= kMaxBridgePorts) fail(what, EXFULL);
  l.master = master;
  adjust_bridge_mtu(nsn, master);
}

// A bridge whose MTU nobody set takes the smallest of its ports' (1500 without ports).
void FakeKernel::adjust_bridge_mtu(const std::string& nsn, const std::string& bridge) {
  if (mtu_by_user_.count({nsn, bridge})) return;
  LinkObj* br = find(nsn, bridge);
  if (!br) return;
  uint32_t mtu = 0;
  for (const auto& p : ns(nsn).links)
    if (p.master == bridge && p.mtu && (!mtu || *p.mtu < mtu)) mtu = *p.mtu;
  mtu = mtu ? mtu : find_link_kind(br->kind)->default_mtu();
  if (br->mtu == mtu) return;
  br->mtu = mtu;
  mtu_of_lower_changed(nsn, *br);
}

void FakeKernel::set_mtu(const std::string& nsn, LinkObj& l, uint32_t mtu) {
  if (mtu < kMinMtu || mtu > kMaxMtu) fail("set mtu of " + l.name, EINVAL);
  if (l.mtu == mtu) return;  // dev_set_mtu: an unchanged value changes nothing, not even the flag
  const LinkKind* kind = find_link_kind(l.kind);
  if (const LinkObj* lower = lower_of(nsn, l.name); lower && kind)
    if (auto most = kind->max_mtu_on(l, *lower); most && mtu > *most)
      fail("set mtu of " + l.name + " above its lower link's", EINVAL);
  // Below 1280 the link's IPv6 goes, addresses and routes; back above, it comes anew, in the
  // kernel's default address generation mode.
  bool had_ipv6 = l.mtu >= kIpv6MinMtu;
  l.mtu = mtu;
  if (had_ipv6 && mtu < kIpv6MinMtu) {
    auto& n = ns(nsn);
    drop_routes(n, l.name, false, true);
    std::erase_if(n.addrs,
                  [&](const AddrObj& a) { return a.dev == l.name && a.cidr.addr.is_v6(); });
    l.ipv6_link_local.reset();
  } else if (!had_ipv6 && mtu >= kIpv6MinMtu) {
    l.ipv6_link_local = true;
  }
  if (mtu_follows_ports(l)) mtu_by_user_.insert({nsn, l.name});
  if (!l.master.empty()) adjust_bridge_mtu(nsn, l.master);
  mtu_of_lower_changed(nsn, l);
}

// The links on it whose MTU the kernel brings down with it (a macvlan's).
void FakeKernel::mtu_of_lower_changed(const std::string& nsn, const LinkObj& l) {
  for (const auto& [upper, lower] : lower_) {
    if (lower != std::pair{nsn, l.name} || !state.ns.count(upper.first)) continue;
    LinkObj* u = find(upper.first, upper.second);
    if (u && find_link_kind(u->kind)->mtu_follows_lower_down() && u->mtu > l.mtu)
      set_mtu(upper.first, *u, *l.mtu);
  }
}

const LinkObj* FakeKernel::lower_of(const std::string& nsn, const std::string& name) {
  auto it = lower_.find({nsn, name});
  if (it == lower_.end() || !state.ns.count(it->second.first)) return nullptr;
  return find(it->second.first, it->second.second);
}

// Down: every route through the link goes, and its IPv6 addresses (keep_addr_on_down is 0).
void FakeKernel::set_up(const std::string& nsn, LinkObj& l, bool up) {
  bool was = l.up;
  l.up = up;
  if (!was || up) return;
  auto& n = ns(nsn);
  drop_routes(n, l.name, true, true);
  std::erase_if(n.addrs, [&](const AddrObj& a) { return a.dev == l.name && a.cidr.addr.is_v6(); });
}

void FakeKernel::change_link(const std::string& nsn, const std::string& name, const LinkChange& c) {
  std::lock_guard lock(mutex_);
  call("change_link " + nsn + "/" + name);
  if (c.empty()) return;
  LinkObj& l = link(nsn, name, "change link");
  if (c.mac) l.mac = *c.mac;
  if (c.mtu) set_mtu(nsn, l, *c.mtu);
  if (c.master) set_master(nsn, l, *c.master);
  if (c.alias) l.alias = *c.alias;
  // The kernel adapter sends the mode after the MTU: the link must then have IPv6.
  if (c.ipv6_link_local && l.mtu < kIpv6MinMtu)
    fail("change link " + name + ": no IPv6 below mtu 1280", EAFNOSUPPORT);
  if (c.ipv6_link_local) l.ipv6_link_local = *c.ipv6_link_local;
  if (c.up) set_up(nsn, l, *c.up);
}

void FakeKernel::user_set_mtu(const std::string& nsn, const std::string& name, uint32_t mtu) {
  std::lock_guard lock(mutex_);
  set_mtu(nsn, link(nsn, name, "set mtu"), mtu);
}

void FakeKernel::user_set_up(const std::string& nsn, const std::string& name, bool up) {
  std::lock_guard lock(mutex_);
  set_up(nsn, link(nsn, name, "set up"), up);
}

void FakeKernel::user_add_veth(const std::string& nsn, const std::string& name,
                               const std::string& peer) {
  LinkObj l;
  l.ns = nsn;
  l.name = name;
  l.kind = "veth";
  LinkObj p = l;
  p.name = peer;
  create_link(l, &p);
  calls.pop_back();  // made by hand, not a call of netlab's
}

void FakeKernel::delete_link(const std::string& nsn, const std::string& name) {
  std::lock_guard lock(mutex_);
  call("delete_link " + nsn + "/" + name);
  LinkObj copy = link(nsn, name, "delete link");
  remove_link(nsn, name);
  if (paired(copy)) drop_peer(copy);
}

void FakeKernel::delete_group(const std::string& nsn, uint32_t group) {
  std::lock_guard lock(mutex_);
  call("delete_group " + nsn);
  std::vector<LinkObj> doomed;
  for (const auto& l : ns(nsn).links)
    if (l.group == group) doomed.push_back(l);
  if (doomed.empty()) fail("delete group " + std::to_string(group) + " in " + nsn, ENODEV);
  for (const auto& l : doomed) {
    if (!find(nsn, l.name)) continue;  // the peer of one already deleted
    remove_link(nsn, l.name);
    if (paired(l)) drop_peer(l);
  }
}

// Everything of the link goes with it: addresses, routes, per-interface sysctls, ports.
void FakeKernel::remove_link(const std::string& nsn, const std::string& name) {
  auto& n = ns(nsn);
  std::string master = find(nsn, name) ? find(nsn, name)->master : "";
  std::erase_if(n.links, [&](const LinkObj& l) { return l.name == name; });
  started_.erase({nsn, name});
  std::erase_if(n.addrs, [&](const AddrObj& a) { return a.dev == name; });
  std::erase_if(n.qdiscs, [&](const QdiscObj& q) { return q.dev == name; });
  drop_routes(n, name, true, true);
  std::erase_if(n.sysctl, [&](const auto& kv) { return sysctl_link(kv.first) == name; });
  mtu_by_user_.erase({nsn, name});
  for (auto& l : n.links)
    if (l.master == name) l.master.clear();
  if (!master.empty()) adjust_bridge_mtu(nsn, master);
  lower_.erase({nsn, name});
  drop_uppers(nsn, name);
}

// Whether a link made on this one holds its receive path (a macvlan on its parent).
bool FakeKernel::holds_uppers(const std::string& nsn, const std::string& name) const {
  for (const auto& [upper, lower] : lower_) {
    if (lower != std::pair{nsn, name}) continue;
    auto n = state.ns.find(upper.first);
    const LinkObj* u = n == state.ns.end() ? nullptr : n->second.link(upper.second);
    if (u && find_link_kind(u->kind)->holds_lower()) return true;
  }
  return false;
}

// The kernel removes the links made on a link with it (a macvlan with its parent).
void FakeKernel::drop_uppers(const std::string& nsn, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> uppers;
  for (const auto& [upper, lower] : lower_)
    if (lower == std::pair{nsn, name}) uppers.push_back(upper);
  for (const auto& [uns, uname] : uppers)
    if (state.ns.count(uns) && find(uns, uname)) remove_link(uns, uname);
}

void FakeKernel::drop_peer(const LinkObj& l) {
  for (auto& [name, n] : state.ns)
    for (const auto& p : n.links)
      if (p.ifindex == l.peer_ifindex && p.peer_ifindex == l.ifindex) {
        std::string pname = p.name, nsn = name;
        remove_link(nsn, pname);
        return;
      }
}

void FakeKernel::drop_routes(NsLive& n, const std::string& dev, bool v4, bool v6) {
  std::erase_if(n.routes,
                [&](const RouteObj& r) { return r.dev == dev && (r.dst.addr.is_v6() ? v6 : v4); });
}

void FakeKernel::add_address(const AddrObj& a) {
  std::lock_guard lock(mutex_);
  call("add_address " + a.ns + "/" + a.dev + "/" + a.cidr.str());
  if (calls.back() == ignore_on) return;
  std::string what = "add address " + a.cidr.str() + " to " + a.dev + " in " + a.ns;
  auto& n = ns(a.ns);
  const LinkObj& dev = link(a.ns, a.dev, what);
  bool v6 = a.cidr.addr.is_v6();
  if (v6 && dev.mtu < kIpv6MinMtu) fail(what + ": no IPv6 below mtu 1280", EINVAL);
  AddrObj made = a;
  made.secondary = false;
  for (const auto& h : n.addrs)
    if (same_dev_family(h, a.dev, v6) && h.cidr.addr == a.cidr.addr &&
        (v6 || h.cidr.prefix == a.cidr.prefix))
      fail(what, EEXIST);
  // IPv6: the newest first. IPv4: a primary after the link's last primary, a secondary last.
  auto at = n.addrs.end();
  if (v6) {
    at = std::find_if(n.addrs.begin(), n.addrs.end(),
                      [&](const AddrObj& h) { return same_dev_family(h, a.dev, true); });
  } else {
    bool primary = std::none_of(n.addrs.begin(), n.addrs.end(), [&](const AddrObj& h) {
      return same_dev_family(h, a.dev, false) && same_subnet(h.cidr, a.cidr);
    });
    for (size_t i = 0; primary && i < n.addrs.size(); ++i)
      if (same_dev_family(n.addrs[i], a.dev, false) && is_primary(n.addrs, i))
        at = n.addrs.begin() + i + 1;
    made.secondary = !primary;  // the dump's IFA_F_SECONDARY
  }
  n.addrs.insert(at, made);
  added_[{a.ns, a.dev, a.cidr.str()}] = ++additions_;
}

void FakeKernel::delete_address(const AddrObj& a) {
  std::lock_guard lock(mutex_);
  call("delete_address " + a.ns + "/" + a.dev + "/" + a.cidr.str());
  std::string what = "delete address " + a.cidr.str() + " from " + a.dev + " in " + a.ns;
  auto& n = ns(a.ns);
  const LinkObj& dev = link(a.ns, a.dev, what);
  if (a.cidr.addr.is_v6() && dev.mtu < kIpv6MinMtu)
    fail(what + ": IPv6 is disabled on this device", ENXIO);
  if (std::find(n.addrs.begin(), n.addrs.end(), a) == n.addrs.end()) fail(what, EADDRNOTAVAIL);
  remove_address(n, a);
}

// A primary takes its secondaries with it unless promote_secondaries; a link's last IPv4
// address takes its IPv4 routes.
void FakeKernel::remove_address(NsLive& n, const AddrObj& a) {
  size_t i = std::find(n.addrs.begin(), n.addrs.end(), a) - n.addrs.begin();
  bool v6 = a.cidr.addr.is_v6();
  bool primary = !v6 && is_primary(n.addrs, i);
  n.addrs.erase(n.addrs.begin() + i);
  if (v6) return;
  auto flag = [&](const std::string& dev) {
    auto it = n.sysctl.find("net.ipv4.conf." + dev + ".promote_secondaries");
    return it != n.sysctl.end() && it->second == "1";
  };
  auto secondary = [&](const AddrObj& h) {
    return same_dev_family(h, a.dev, false) && same_subnet(h.cidr, a.cidr);
  };
  if (primary && (flag(a.dev) || flag("all"))) {
    auto it = std::find_if(n.addrs.begin(), n.addrs.end(), secondary);
    if (it != n.addrs.end()) {
      AddrObj promoted = *it;
      promoted.secondary = false;
      n.addrs.erase(it);
      auto at = n.addrs.end();
      for (size_t j = 0; j < n.addrs.size(); ++j)
        if (same_dev_family(n.addrs[j], a.dev, false) && is_primary(n.addrs, j))
          at = n.addrs.begin() + j + 1;
      n.addrs.insert(at, promoted);
    }
  } else if (primary) {
    std::erase_if(n.addrs, secondary);
  }
  bool any_v4 = std::any_of(n.addrs.begin(), n.addrs.end(),
                            [&](const AddrObj& h) { return same_dev_family(h, a.dev, false); });
  if (!any_v4) drop_routes(n, a.dev, true, false);
}

// The device a route goes out of, as the kernel checks it: a named device must exist and be
// up; a gateway must be on a subnet connected to an up link (that device, if named).
// The device a route goes out of, checked in the kernel's order: a named device must exist; a
// gateway must be on a subnet connected to an up link (that device, if named), and only then
// is a named device's state looked at.
std::string FakeKernel::route_device(NsLive& n, const RouteObj& r, const std::string& what) {
  bool v6 = r.dst.addr.is_v6();
  const LinkObj* dev = r.dev.empty() ? nullptr : n.link(r.dev);
  if (!r.dev.empty() && !dev) fail(what, ENODEV);
  if (!r.via || link_local(*r.via)) {
    if (!dev) fail(what, r.via ? EINVAL : ENODEV);
    if (!dev->up) fail(what, ENETDOWN);
    return r.dev;
  }
  auto usable = [&](const std::string& name) {
    const LinkObj* l = n.link(name);
    return l && l->up && (r.dev.empty() || name == r.dev);
  };
  // The connected subnet the kernel's lookup finds: the longest prefix, then the oldest.
  std::string best;
  std::pair<int, int64_t> rank{-1, 0};
  auto offer = [&](const Cidr& net, const std::string& dev, int64_t age) {
    if (net.addr.is_v6() != v6 || !usable(dev) || !net.contains(*r.via)) return;
    std::pair<int, int64_t> mine{net.prefix, -age};
    if (mine > rank) rank = mine, best = dev;
  };
  for (const auto& a : n.addrs) offer(a.cidr, a.dev, added_[{r.ns, a.dev, a.cidr.str()}]);
  for (const auto& h : n.routes)
    if (!h.via) offer(h.dst, h.dev, INT64_MAX / 2);
  if (!best.empty()) return best;
  fail(what + ": gateway " + r.via->str(), v6 ? EHOSTUNREACH : ENETUNREACH);
}

void FakeKernel::add_route(const RouteObj& r, bool replace) {
  std::lock_guard lock(mutex_);
  call((replace ? "replace_route " : "add_route ") + r.ns + "/" + r.dst.str());
  std::string what = (replace ? "replace route " : "add route ") + r.dst.str() + " in " + r.ns;
  auto& n = ns(r.ns);
  RouteObj x = r;
  x.dst = r.dst.network();
  if (x.dst.addr.is_v6() && x.metric == 0) x.metric = 1024;
  x.dev = route_device(n, r, what);
  // One route per destination and metric: a second is EEXIST, unless it replaces the first.
  auto same = std::find_if(n.routes.begin(), n.routes.end(), [&](const RouteObj& h) {
    return h.dst == x.dst && h.metric == x.metric;
  });
  if (same != n.routes.end() && !replace) fail(what, EEXIST);
  if (same != n.routes.end()) n.routes.erase(same);
  n.routes.push_back(x);
}

// Matches like the kernel: destination, and metric, gateway, device and protocol when given.
void FakeKernel::delete_route(const RouteObj& r) {
  std::lock_guard lock(mutex_);
  call("delete_route " + r.ns + "/" + r.dst.str());
  std::string what = "delete route " + r.dst.str() + " in " + r.ns;
  auto& n = ns(r.ns);
  if (!r.dev.empty() && !n.link(r.dev)) fail(what, ENODEV);
  // An IPv4 route without gateway is deleted with scope link: it matches no gateway route.
  bool v4 = !r.dst.addr.is_v6();
  auto it = std::find_if(n.routes.begin(), n.routes.end(), [&](const RouteObj& h) {
    return h.dst == r.dst.network() && (!r.metric || h.metric == r.metric) &&
           (r.via ? h.via == r.via : !(v4 && h.via)) && (r.dev.empty() || h.dev == r.dev) &&
           (!r.protocol || h.protocol == r.protocol);
  });
  if (it == n.routes.end()) fail(what, ESRCH);
  n.routes.erase(it);
}

std::string FakeKernel::set_sysctl(const std::string& nsn, const std::string& key,
                                   const std::string& value) {
  std::lock_guard lock(mutex_);
  call("set_sysctl " + nsn + "/" + key + "=" + value);
  std::string what = "set sysctl " + key + " in " + nsn;
  auto& n = ns(nsn);
  std::string dev = sysctl_link(key);
  if (!dev.empty() && !n.link(dev)) fail(what, ENOENT);
  auto spelled = sysctl_spelling(key, value);
  if (!spelled) fail(what, EINVAL);
  auto& v = n.sysctl[key];
  std::string old = v.empty() ? "0" : v;
  v = *spelled;
  // Forwarding for all is forwarding for each: the kernel copies it to every link's setting,
  // when it changes.
  for (const char* family : {"net.ipv4.", "net.ipv6."}) {
    if (old == *spelled) break;
    std::string all = std::string(family) + "conf.all.forwarding";
    bool v4 = family == std::string("net.ipv4.");
    if (key != all && !(v4 && key == "net.ipv4.ip_forward")) continue;
    for (auto& [k, kv] : n.sysctl)
      if ((k.starts_with(std::string(family) + "conf.") && k.ends_with(".forwarding")) ||
          (v4 && k == "net.ipv4.ip_forward"))
        kv = *spelled;
  }
  return old;
}

void FakeKernel::wait_gone(const std::vector<std::pair<std::string, std::string>>& links) {
  std::lock_guard lock(mutex_);
  call("wait_gone " + std::to_string(links.size()));
  for (const auto& [n, l] : links)
    if (state.ns.count(n) && state.ns[n].link(l)) fail(l + " still there", EBUSY);
}

void FakeKernel::wait_ready(const std::vector<std::pair<std::string, std::string>>& links) {
  std::lock_guard lock(mutex_);
  call("wait_ready " + std::to_string(links.size()));
  auto by_index = links_by_index();
  for (const auto& [n, name] : links) {
    std::string what = "wait for " + name + " in " + n + " to carry traffic";
    if (!carries(n, link(n, name, what), by_index)) fail(what, ETIMEDOUT);
    started_.insert({n, name});
  }
}

void FakeKernel::add_nat(const NatRule& r) {
  std::lock_guard lock(mutex_);
  call("add_nat " + r.ns + " " + r.str());
  ns(r.ns).nat.push_back(r);
}

void FakeKernel::delete_nat(const NatRule& r) {
  std::lock_guard lock(mutex_);
  call("delete_nat " + r.ns + " " + r.str());
  auto& v = ns(r.ns).nat;
  auto it = std::find_if(v.begin(), v.end(), [&](const NatRule& h) { return h.same_rule(r); });
  if (it == v.end()) fail("delete nat rule " + r.str() + " in " + r.ns, ENOENT);
  v.erase(it);
}

QdiscObj* FakeKernel::qdisc_at(NsLive& n, const std::string& dev, uint32_t parent) {
  auto it = std::find_if(n.qdiscs.begin(), n.qdiscs.end(),
                         [&](const QdiscObj& q) { return q.dev == dev && q.parent == parent; });
  return it == n.qdiscs.end() ? nullptr : &*it;
}

// As the kernel's tc_modify_qdisc: a child needs its parent qdisc; a create finds its place
// empty (but for the default qdisc) or fails with EEXIST; a change finds the qdisc of its
// handle there (ENOENT) of the same kind (EINVAL); an unknown kind is ENOENT.
void FakeKernel::add_qdisc(const QdiscObj& q, bool replace) {
  std::lock_guard lock(mutex_);
  const std::string what = (replace ? "change_qdisc " : "add_qdisc ") + q.ns + " " + q.dev + " " +
                           q.kind + " " + std::to_string(q.handle >> 16);
  call(what);
  auto& n = ns(q.ns);
  link(q.ns, q.dev, what);
  if (!q.root() && !std::any_of(n.qdiscs.begin(), n.qdiscs.end(), [&](const QdiscObj& p) {
        return p.dev == q.dev && p.handle == (q.parent & 0xffff0000u);
      }))
    fail(what + ": no parent qdisc", ENOENT);
  QdiscObj* have = qdisc_at(n, q.dev, q.parent);
  if (!replace) {
    if (have) fail(what + ": exists", EEXIST);
    if (missing_qdiscs.count(q.kind)) fail(what + ": unknown kind", ENOENT);
    n.qdiscs.push_back(q);
    return;
  }
  if (!have || have->handle != q.handle) fail(what + ": not there", ENOENT);
  if (have->kind != q.kind) fail(what + ": of another kind", EINVAL);
  // netem's corrupt and reorder stay as they were unless the change states them, and libnl
  // states them only when not 0.
  QdiscObj changed = q;
  if (q.kind == "netem" && !q.corrupt) changed.corrupt = have->corrupt;
  if (q.kind == "netem" && !q.reorder) changed.reorder = have->reorder;
  *have = changed;
}

void FakeKernel::delete_qdisc(const QdiscObj& q) {
  std::lock_guard lock(mutex_);
  const std::string what =
      "delete_qdisc " + q.ns + " " + q.dev + " " + std::to_string(q.handle >> 16);
  call(what);
  auto& n = ns(q.ns);
  link(q.ns, q.dev, what);
  QdiscObj* have = qdisc_at(n, q.dev, q.parent);
  if (!have || have->handle != q.handle) fail(what + ": not there", ENOENT);
  const uint32_t handle = have->handle;
  std::erase_if(n.qdiscs, [&](const QdiscObj& x) {
    return x.dev == q.dev && (x.handle == handle || (x.parent & 0xffff0000u) == handle);
  });
}

void FakeKernel::user_add_qdisc(const QdiscObj& q) {
  std::lock_guard lock(mutex_);
  ns(q.ns).qdiscs.push_back(q);
}

}  // namespace netlab::testing
