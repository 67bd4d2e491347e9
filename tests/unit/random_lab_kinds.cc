// Random macvlans, vxlans and taps, and their edits. What the kernel refuses is never made:
// a macvlan on a bridge port (EBUSY), a second macvlan beside a passthru one (EINVAL), two
// vxlans of one VNI, port and family in a namespace (EEXIST), an MTU above what the lower link
// leaves (EINVAL), IPv6 below MTU 1280.
#include <algorithm>

#include "random_lab_parts.h"

namespace netlab::testing {

namespace {

constexpr uint32_t kVxlanPort = 4789;

const RandomVeth* veth_of(const RandomLab& lab, int id) {
  for (const auto& v : lab.veths)
    if (v.id == id) return &v;
  return nullptr;
}

// A link a macvlan or a vxlan stands on, as the file names it.
struct Lower {
  std::string ns, name;
  const std::vector<std::string>* addrs;
  const RandomEnd* end;  // a veth end's, nullptr for a bridge
};

std::optional<Lower> lower(const RandomLab& lab, const RandomRef& r) {
  if (r.bridge) {
    if (r.id < 0 || static_cast<size_t>(r.id) >= lab.bridges.size()) return std::nullopt;
    const auto& b = lab.bridges[r.id];
    return Lower{b.ns, b.name, &b.addrs, nullptr};
  }
  const RandomVeth* v = veth_of(lab, r.id);
  if (!v) return std::nullopt;
  const RandomEnd& e = r.side_b ? v->b : v->a;
  return Lower{e.ns, e.name, &e.addrs, &e};
}

// Every lab link that is no bridge port (a macvlan's parent cannot be one: EBUSY), in
// namespace `ns` ("" for any).
std::vector<RandomRef> lowers(const RandomLab& lab, const std::string& ns = "") {
  std::vector<RandomRef> out;
  for (size_t i = 0; i < lab.bridges.size(); ++i)
    if (ns.empty() || lab.bridges[i].ns == ns) out.push_back({true, static_cast<int>(i), false});
  for (const auto& v : lab.veths)
    for (bool side_b : {false, true}) {
      const RandomEnd& e = side_b ? v.b : v.a;
      if (e.bridge.empty() && (ns.empty() || e.ns == ns)) out.push_back({false, v.id, side_b});
    }
  return out;
}

uint32_t mtu_of(const RandomLab& lab, const RandomRef& r) {
  if (r.bridge) return bridge_mtu(lab, r.id);
  auto l = lower(lab, r);
  return l && l->end ? l->end->mtu.value_or(1500) : 1500;
}

uint32_t overhead(const RandomVxlan& x) {
  return x.v6() ? 70 : 50;
}

// A vxlan's `mtu` as the file says it: only where its underlay leaves that much.
std::optional<uint32_t> vxlan_mtu(const RandomLab& lab, const RandomVxlan& x) {
  if (!x.link.mtu || (x.dev && *x.link.mtu + overhead(x) > mtu_of(lab, *x.dev)))
    return std::nullopt;
  return x.link.mtu;
}
uint32_t vxlan_effective_mtu(const RandomLab& lab, const RandomVxlan& x) {
  if (auto m = vxlan_mtu(lab, x)) return *m;
  return x.dev ? mtu_of(lab, *x.dev) - overhead(x) : 1500;
}

// A macvlan's `mtu` as the file says it: at most its parent's.
std::optional<uint32_t> macvlan_mtu(const RandomLab& lab, const RandomMacvlan& m) {
  if (!m.link.mtu || *m.link.mtu > mtu_of(lab, m.parent)) return std::nullopt;
  return m.link.mtu;
}

size_t on_parent(const RandomLab& lab, const RandomRef& parent, size_t skip) {
  size_t n = 0;
  for (size_t i = 0; i < lab.macvlans.size(); ++i)
    if (i != skip && lab.macvlans[i].parent == parent) ++n;
  return n;
}
bool passthru_on(const RandomLab& lab, const RandomRef& parent, size_t skip) {
  for (size_t i = 0; i < lab.macvlans.size(); ++i)
    if (i != skip && lab.macvlans[i].parent == parent && lab.macvlans[i].mode == "passthru")
      return true;
  return false;
}

// Where a macvlan (index `skip`, or a new one) may stand: no bridge port, no passthru there.
std::vector<RandomRef> parents(const RandomLab& lab, size_t skip, bool passthru) {
  std::vector<RandomRef> out;
  for (const auto& r : lowers(lab))
    if (!passthru_on(lab, r, skip) && (!passthru || on_parent(lab, r, skip) == 0)) out.push_back(r);
  return out;
}

// The kernel takes one vxlan per VNI, port and family in a namespace.
bool vni_taken(const RandomLab& lab, const RandomVxlan& x, size_t skip) {
  for (size_t i = 0; i < lab.vxlans.size(); ++i) {
    const auto& o = lab.vxlans[i];
    if (i != skip && o.link.ns == x.link.ns && o.vni == x.vni && o.v6() == x.v6() &&
        o.port.value_or(kVxlanPort) == x.port.value_or(kVxlanPort))
      return true;
  }
  return false;
}
// Few VNIs, so that edits meet taken ones; false when none is free.
bool free_vni(const RandomLab& lab, RandomVxlan& x, size_t skip, Rng& rng) {
  for (int i = 0; i < 8; ++i) {
    x.vni = chance(rng, 10) ? 16777215 : static_cast<uint32_t>(pick(rng, 1, 6));
    if (!vni_taken(lab, x, skip)) return true;
  }
  return false;
}

std::string host_of(const std::string& cidr) {
  return cidr.substr(0, cidr.find('/'));
}
bool is_v6(const std::string& a) {
  return a.find(':') != std::string::npos;
}
std::string first_of_family(const std::vector<std::string>& addrs, bool v6) {
  for (const auto& a : addrs)
    if (is_v6(a) == v6) return host_of(a);
  return "";
}

// Addresses of a link of these kinds: a /24 of its own (and an IPv6 /64 sometimes).
std::vector<std::string> own_addrs(Rng& rng, int id) {
  std::vector<std::string> out{"192.168." + std::to_string(100 + id % 150) + ".1/24"};
  if (chance(rng, 30)) out.push_back("fd01:" + std::to_string(id) + "::1/64");
  if (chance(rng, 10)) out.push_back("192.168." + std::to_string(100 + id % 150) + ".9/24");
  return out;
}

// The keys every link has, for a new one: a bridge port has no addresses.
RandomEnd new_link(Rng& rng, const std::string& prefix, int id, const std::string& ns,
                   const std::vector<uint32_t>& mtus) {
  RandomEnd e;
  e.name = prefix + std::to_string(id);
  e.ns = ns;
  e.addrs = own_addrs(rng, id);
  if (chance(rng, 20)) e.mtu = one_of(rng, mtus);
  if (chance(rng, 10)) e.up = false;
  return e;
}

std::vector<std::string> bridges_in(const RandomLab& lab, const std::string& ns) {
  std::vector<std::string> out;
  for (const auto& b : lab.bridges)
    if (b.ns == ns) out.push_back(b.name);
  return out;
}

std::optional<RandomMacvlan> new_macvlan(RandomLab& lab, Rng& rng) {
  bool passthru = chance(rng, 8);
  auto ps = parents(lab, SIZE_MAX, passthru);
  if (ps.empty()) return std::nullopt;
  int id = lab.next_id++;
  RandomMacvlan m;
  m.parent = one_of(rng, ps);
  m.link = new_link(rng, "mv", id, one_of(rng, namespaces(lab)), {1280, 1300, 1400, 9000});
  m.mode = passthru ? "passthru"
                    : one_of(rng, std::vector<std::string>{"", "", "bridge", "private", "vepa"});
  return m;
}

// The remote: the underlay veth's other end, where it has an address of the family.
std::string remote_for(const RandomLab& lab, const std::optional<RandomRef>& dev, bool v6, int id,
                       Rng& rng) {
  if (dev && !dev->bridge && chance(rng, 60)) {
    RandomRef other = *dev;
    other.side_b = !other.side_b;
    auto l = lower(lab, other);
    if (l && l->end) {
      std::string a = first_of_family(l->end->addrs, v6);
      if (!a.empty()) return a;
    }
  }
  return v6 ? "fd00:250::" + std::to_string(id % 1000 + 2)
            : "10.250." + std::to_string(id % 250) + ".2";
}

std::optional<RandomVxlan> new_vxlan(RandomLab& lab, Rng& rng) {
  int id = lab.next_id++;
  RandomVxlan x;
  std::vector<RandomRef> devs;
  for (const auto& r : lowers(lab))
    if (auto l = lower(lab, r); l && !l->addrs->empty()) devs.push_back(r);
  std::string ns = one_of(rng, namespaces(lab));
  if (!devs.empty() && chance(rng, 70)) {
    x.dev = one_of(rng, devs);
    ns = lower(lab, *x.dev)->ns;
  }
  bool v6 = chance(rng, 20);
  if (x.dev && first_of_family(*lower(lab, *x.dev)->addrs, v6).empty()) v6 = false;
  if (x.dev && chance(rng, 30))
    x.group =
        v6 ? "ff05::" + std::to_string(id % 1000 + 1) : "239.1.1." + std::to_string(id % 250 + 1);
  else
    x.remote = remote_for(lab, x.dev, v6, id, rng);
  x.local = x.dev && chance(rng, 40);
  if (chance(rng, 25)) x.port = one_of(rng, std::vector<uint32_t>{4790, 8472});
  if (chance(rng, 30)) x.learning = chance(rng, 50);
  x.link = new_link(rng, "vx", id, ns, {1280, 1400, 1450, 9000});
  // A port of a bridge other than its underlay (the bridge's MTU would be the vxlan's own).
  auto brs = bridges_in(lab, ns);
  if (!brs.empty() && chance(rng, 25) && !(x.dev && x.dev->bridge)) {
    x.link.bridge = one_of(rng, brs);
    x.link.addrs.clear();
  }
  if (!free_vni(lab, x, SIZE_MAX, rng)) return std::nullopt;
  return x;
}

RandomTap new_tap(RandomLab& lab, Rng& rng) {
  int id = lab.next_id++;
  RandomTap t;
  t.type = one_of(rng, std::vector<std::string>{"", "", "tap", "tun"});
  if (chance(rng, 25)) t.owner = one_of(rng, std::vector<std::string>{"1000", "65534", "root"});
  if (chance(rng, 20)) t.group = one_of(rng, std::vector<std::string>{"100", "65534", "root"});
  t.link = new_link(rng, "tp", id, one_of(rng, namespaces(lab)), {1280, 1400, 9000});
  auto brs = bridges_in(lab, t.link.ns);
  if (t.type != "tun" && !brs.empty() && chance(rng, 20)) {
    t.link.bridge = one_of(rng, brs);
    t.link.addrs.clear();
  }
  return t;
}

// One link of the three kinds, by kind (0 macvlan, 1 vxlan, 2 tap) and index.
struct Which {
  int kind;
  size_t index;
};
std::vector<Which> all_kind_links(const RandomLab& lab) {
  std::vector<Which> out;
  for (size_t i = 0; i < lab.macvlans.size(); ++i) out.push_back({0, i});
  for (size_t i = 0; i < lab.vxlans.size(); ++i) out.push_back({1, i});
  for (size_t i = 0; i < lab.taps.size(); ++i) out.push_back({2, i});
  return out;
}
RandomEnd& link_of(RandomLab& lab, const Which& w) {
  return w.kind == 0   ? lab.macvlans[w.index].link
         : w.kind == 1 ? lab.vxlans[w.index].link
                       : lab.taps[w.index].link;
}

bool add_one(RandomLab& lab, Rng& rng, int kind, std::vector<std::string>& log) {
  if (kind == 0) {
    auto m = new_macvlan(lab, rng);
    if (!m) return false;
    lab.macvlans.push_back(*m);
    log.push_back("add macvlan " + m->link.name + (m->mode.empty() ? "" : " " + m->mode));
  } else if (kind == 1) {
    auto x = new_vxlan(lab, rng);
    if (!x) return false;
    lab.vxlans.push_back(*x);
    log.push_back("add vxlan " + x->link.name + " vni " + std::to_string(x->vni));
  } else {
    lab.taps.push_back(new_tap(lab, rng));
    log.push_back("add " + (lab.taps.back().type == "tun" ? std::string("tun ") : "tap ") +
                  lab.taps.back().link.name);
  }
  return true;
}

void remove_one(RandomLab& lab, const Which& w, std::vector<std::string>& log) {
  log.push_back("remove " + link_of(lab, w).name);
  if (w.kind == 0) lab.macvlans.erase(lab.macvlans.begin() + w.index);
  if (w.kind == 1) lab.vxlans.erase(lab.vxlans.begin() + w.index);
  if (w.kind == 2) lab.taps.erase(lab.taps.begin() + w.index);
}

// What the kernel changes in place: MTU, admin state, addresses.
void change_in_place(RandomLab& lab, const Which& w, Rng& rng, std::vector<std::string>& log) {
  RandomEnd& e = link_of(lab, w);
  int what = pick(rng, 0, 2);
  if (what == 0) {
    e.mtu = e.mtu ? std::nullopt
                  : std::optional<uint32_t>(one_of(rng, std::vector<uint32_t>{1280, 1400, 9000}));
    log.push_back("mtu of " + e.name + (e.mtu ? " -> " + std::to_string(*e.mtu) : " removed"));
  } else if (what == 1) {
    e.up = !e.up;
    log.push_back(e.name + (e.up ? " up" : " down"));
  } else if (e.bridge.empty()) {
    int id = lab.next_id++;
    if (!e.addrs.empty() && chance(rng, 50)) {
      e.addrs.erase(e.addrs.begin());
      log.push_back("first address of " + e.name + " removed");
    } else {
      e.addrs.push_back("192.168." + std::to_string(100 + id % 150) + ".5/24");
      log.push_back("address added to " + e.name);
    }
  }
}

// What makes the kernel's link anew: a macvlan's mode or parent, a vxlan's VXLAN keys, a tap's
// type, owner or group.
void change_remaking(RandomLab& lab, const Which& w, Rng& rng, std::vector<std::string>& log) {
  if (w.kind == 0) {
    auto& m = lab.macvlans[w.index];
    if (chance(rng, 60)) {
      bool alone = on_parent(lab, m.parent, w.index) == 0;
      std::vector<std::string> modes{"", "bridge", "private", "vepa"};
      if (alone) modes.push_back("passthru");
      std::erase(modes, m.mode);
      m.mode = one_of(rng, modes);
      log.push_back("mode of " + m.link.name + " -> " + (m.mode.empty() ? "default" : m.mode));
    } else {
      auto ps = parents(lab, w.index, m.mode == "passthru");
      std::erase(ps, m.parent);
      if (ps.empty()) return;
      m.parent = one_of(rng, ps);
      log.push_back("parent of " + m.link.name + " -> " + lower(lab, m.parent)->name);
    }
  } else if (w.kind == 1) {
    auto& x = lab.vxlans[w.index];
    RandomVxlan changed = x;
    int what = pick(rng, 0, 3);
    if (what == 0) {
      if (!free_vni(lab, changed, w.index, rng)) return;
    } else if (what == 1) {
      changed.port = changed.port ? std::nullopt : std::optional<uint32_t>(4790);
      if (vni_taken(lab, changed, w.index)) return;
    } else if (what == 2) {
      changed.learning = !changed.learning.value_or(true);
    } else {
      changed.local = !changed.local && changed.dev;
    }
    log.push_back("vxlan " + x.link.name + ": " +
                  std::vector<std::string>{"vni", "port", "learning", "local"}[what] + " changed");
    x = changed;
  } else {
    auto& t = lab.taps[w.index];
    if (chance(rng, 50)) {
      t.type = t.type == "tun" ? "tap" : "tun";
      if (t.type == "tun" && !t.link.bridge.empty()) {  // a tun is no bridge port
        t.link.bridge.clear();
        t.link.addrs = own_addrs(rng, lab.next_id++);
      }
      log.push_back("type of " + t.link.name + " -> " + t.type);
    } else {
      std::string& key = chance(rng, 50) ? t.owner : t.group;
      key = key.empty() ? "1000" : key == "1000" ? "root" : "";
      log.push_back("owner/group of " + t.link.name + " changed");
    }
  }
}

void move_namespace(RandomLab& lab, const Which& w, Rng& rng, std::vector<std::string>& log) {
  auto nss = namespaces(lab);
  RandomEnd& e = link_of(lab, w);
  std::erase(nss, e.ns);
  if (nss.empty()) return;
  std::string to = one_of(rng, nss);
  if (w.kind == 1) {
    // Its underlay is in its own namespace: another there, or none.
    RandomVxlan x = lab.vxlans[w.index];
    x.link.ns = to;
    std::vector<RandomRef> devs;
    for (const auto& r : lowers(lab, to))
      if (auto l = lower(lab, r);
          l && !first_of_family(*l->addrs, x.v6()).empty() && !(r.bridge && !x.link.bridge.empty()))
        devs.push_back(r);
    x.dev = devs.empty() ? std::nullopt : std::optional(one_of(rng, devs));
    if (!x.dev && !x.group.empty()) return;  // a group needs an underlay
    x.local = x.local && x.dev;
    if (vni_taken(lab, x, w.index)) return;
    lab.vxlans[w.index] = x;
  }
  RandomEnd& moved = link_of(lab, w);
  log.push_back("move " + moved.name + " " + moved.ns + " -> " + to);
  moved.ns = to;
  if (!moved.bridge.empty()) {
    moved.bridge.clear();
    moved.addrs = own_addrs(rng, lab.next_id++);
  }
}

}  // namespace

void random_kind_links(RandomLab& lab, Rng& rng) {
  std::vector<std::string> log;
  for (int kind = 0; kind < 3; ++kind)
    if (chance(rng, 25))
      for (int n = chance(rng, 25) ? 2 : 1; n > 0; --n) add_one(lab, rng, kind, log);
}

bool edit_kind_link(RandomLab& lab, Rng& rng, int what, std::vector<std::string>& log) {
  if (what == 0) return add_one(lab, rng, pick(rng, 0, 2), log);
  auto all = all_kind_links(lab);
  if (all.empty()) return false;
  Which w = one_of(rng, all);
  size_t before = log.size();
  if (what == 1) remove_one(lab, w, log);
  if (what == 2) change_in_place(lab, w, rng, log);
  if (what == 3) change_remaking(lab, w, rng, log);
  if (what == 4) move_namespace(lab, w, rng, log);
  return log.size() > before;
}

void drop_links_on_veth(RandomLab& lab, int veth_id, std::vector<std::string>& log) {
  auto on = [&](const RandomRef& r) { return !r.bridge && r.id == veth_id; };
  for (const auto& m : lab.macvlans)
    if (on(m.parent)) log.push_back("(with it: " + m.link.name + ")");
  for (const auto& x : lab.vxlans)
    if (x.dev && on(*x.dev)) log.push_back("(with it: " + x.link.name + ")");
  std::erase_if(lab.macvlans, [&](const RandomMacvlan& m) { return on(m.parent); });
  std::erase_if(lab.vxlans, [&](const RandomVxlan& x) { return x.dev && on(*x.dev); });
}

uint32_t bridge_mtu(const RandomLab& lab, size_t i) {
  const auto& b = lab.bridges[i];
  if (b.mtu) return *b.mtu;
  uint32_t least = 0;
  auto port = [&](const RandomEnd& e, auto mtu) {
    if (e.ns == b.ns && e.bridge == b.name) least = least ? std::min(least, mtu()) : mtu();
  };
  for (const auto& v : lab.veths)
    for (const auto* e : {&v.a, &v.b}) port(*e, [&] { return e->mtu.value_or(1500); });
  for (const auto& t : lab.taps) port(t.link, [&] { return t.link.mtu.value_or(1500u); });
  // A vxlan that is a port stands on no bridge: no loop.
  for (const auto& x : lab.vxlans) port(x.link, [&] { return vxlan_effective_mtu(lab, x); });
  return least ? least : 1500;
}

void kind_links_yaml(const RandomLab& lab, std::ostringstream& y) {
  auto quoted = [](const std::string& s) { return is_v6(s) ? "\"" + s + "\"" : s; };
  if (!lab.macvlans.empty()) y << "macvlans:\n";
  for (const auto& m : lab.macvlans) {
    auto p = lower(lab, m.parent);  // there: a macvlan goes with its parent's veth
    RandomEnd e = m.link;
    e.mtu = macvlan_mtu(lab, m);
    e.addrs = fit_mtu(e.addrs, e.mtu.value_or(mtu_of(lab, m.parent)));
    y << "  - name: " << e.name << "\n    parent: " << p->name << "\n";
    if (p->ns != "host") y << "    parent_namespace: " << p->ns << "\n";
    if (!m.mode.empty()) y << "    mode: " << m.mode << "\n";
    end_yaml(y, e, "    ");
  }
  if (!lab.vxlans.empty()) y << "vxlans:\n";
  for (const auto& x : lab.vxlans) {
    RandomEnd e = x.link;
    e.mtu = vxlan_mtu(lab, x);
    e.addrs = fit_mtu(e.addrs, vxlan_effective_mtu(lab, x));
    y << "  - name: " << e.name << "\n    vni: " << x.vni << "\n";
    if (!x.remote.empty()) y << "    remote: " << quoted(x.remote) << "\n";
    if (!x.group.empty()) y << "    group: " << quoted(x.group) << "\n";
    if (x.dev) {
      auto d = lower(lab, *x.dev);
      y << "    dev: " << d->name << "\n";
      std::string local = x.local ? first_of_family(*d->addrs, x.v6()) : "";
      if (!local.empty()) y << "    local: " << quoted(local) << "\n";
    }
    if (x.port) y << "    port: " << *x.port << "\n";
    if (x.learning) y << "    learning: " << (*x.learning ? "true" : "false") << "\n";
    end_yaml(y, e, "    ");
  }
  if (!lab.taps.empty()) y << "taps:\n";
  for (const auto& t : lab.taps) {
    RandomEnd e = t.link;
    e.addrs = fit_mtu(e.addrs, e.mtu.value_or(1500));
    y << "  - name: " << e.name << "\n";
    if (!t.type.empty()) y << "    type: " << t.type << "\n";
    if (!t.owner.empty()) y << "    owner: \"" << t.owner << "\"\n";
    if (!t.group.empty()) y << "    group: \"" << t.group << "\"\n";
    end_yaml(y, e, "    ");
  }
}

}  // namespace netlab::testing
