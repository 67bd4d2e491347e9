#include "random_lab.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "model/ip.h"
#include "random_lab_parts.h"

namespace netlab::testing {

int pick(Rng& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool chance(Rng& rng, int percent) {
  return pick(rng, 1, 100) <= percent;
}

std::vector<std::string> namespaces(const RandomLab& lab) {
  std::vector<std::string> out{"host"};
  for (const auto& [n, s] : lab.ns_sysctl) out.push_back(n);
  return out;
}

bool name_taken(const RandomLab& lab, const std::string& ns, const std::string& name) {
  for (const auto& b : lab.bridges)
    if (b.ns == ns && b.name == name) return true;
  for (const auto& v : lab.veths)
    for (const auto* e : {&v.a, &v.b})
      if (e->ns == ns && e->name == name) return true;
  auto in = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& x) { return x.link.ns == ns && x.link.name == name; });
  };
  return in(lab.macvlans) || in(lab.vxlans) || in(lab.taps);
}

std::vector<std::string> fit_mtu(const std::vector<std::string>& addrs, uint32_t mtu) {
  if (mtu >= 1280) return addrs;
  std::vector<std::string> out;
  for (const auto& a : addrs)
    if (a.find(':') == std::string::npos) out.push_back(a);
  return out;
}

namespace {

std::string v4(int net, int host, int prefix = 24) {
  return "10." + std::to_string(net) + ".0." + std::to_string(host) + "/" + std::to_string(prefix);
}
std::string v6(int net, int host, int prefix = 64) {
  return "fd00:" + std::to_string(net) + "::" + std::to_string(host) + "/" + std::to_string(prefix);
}

// Addresses for an end on subnet `net`: the first is what routes use as their gateway.
std::vector<std::string> end_addrs(Rng& rng, int net, int host, uint32_t mtu) {
  std::vector<std::string> out{v4(net, host)};
  if (mtu >= 1280 && chance(rng, 50)) out.push_back(v6(net, host));
  if (chance(rng, 25)) out.push_back(v4(net, host + 10));   // a secondary
  if (chance(rng, 15)) out.push_back(v4(net + 100, host));  // a second subnet
  return out;
}

RandomVeth new_veth(RandomLab& lab, Rng& rng) {
  int id = lab.next_id++;
  auto nss = namespaces(lab);
  RandomVeth v;
  v.id = id;
  v.a.name = "va" + std::to_string(id);
  v.b.name = "vb" + std::to_string(id);
  v.a.ns = one_of(rng, nss);
  v.b.ns = one_of(rng, nss);
  if (chance(rng, 30)) v.a.mtu = one_of(rng, std::vector<uint32_t>{1300, 1400, 1500, 9000});
  if (chance(rng, 30)) v.b.mtu = one_of(rng, std::vector<uint32_t>{1300, 1400, 1500, 9000});
  if (chance(rng, 10)) v.a.rate = one_of(rng, std::vector<std::string>{"1mbit", "100mbit"});
  std::vector<const RandomBridge*> bridges;
  for (const auto& b : lab.bridges)
    if (b.ns == v.a.ns) bridges.push_back(&b);
  uint32_t mtu_b = v.b.mtu.value_or(1500);
  if (!bridges.empty() && chance(rng, 50)) {
    const auto& br = *one_of(rng, bridges);
    v.a.bridge = br.name;
    int net = 200 + static_cast<int>(&br - lab.bridges.data());
    v.b.addrs = {v4(net, 10 + id % 200)};
    if (mtu_b >= 1280 && chance(rng, 50)) v.b.addrs.push_back(v6(net, 10 + id % 200));
  } else {
    int net = id % 100;
    v.a.addrs = end_addrs(rng, net, 1, v.a.mtu.value_or(1500));
    v.b.addrs = end_addrs(rng, net, 2, mtu_b);
    if (chance(rng, 20)) std::shuffle(v.a.addrs.begin(), v.a.addrs.end(), rng);
  }
  if (chance(rng, 10)) v.b.up = false;
  return v;
}

void add_route(RandomLab& lab, Rng& rng) {
  if (lab.veths.empty()) return;
  RandomRoute r;
  r.veth = pick(rng, 0, static_cast<int>(lab.veths.size()) - 1);
  r.side_b = chance(rng, 60);
  r.v6 = chance(rng, 40);
  int k = lab.next_id++;
  r.to =
      r.v6 ? "fd99:" + std::to_string(k) + "::/64" : "172.16." + std::to_string(k % 250) + ".0/24";
  if (chance(rng, 15)) r.to = "default";
  r.with_dev = chance(rng, 40);
  if (chance(rng, 40)) r.metric = one_of(rng, std::vector<uint32_t>{10, 100, 300});
  lab.routes.push_back(r);
}

const char* kSysctls[] = {"net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding",
                          "net.ipv4.conf.all.rp_filter"};

void random_sysctls(std::map<std::string, std::string>& out, Rng& rng) {
  for (const char* k : kSysctls)
    if (chance(rng, 30)) out[k] = std::to_string(pick(rng, 0, 1));
}

}  // namespace

RandomLab random_lab(Rng& rng) {
  RandomLab lab;
  int nns = pick(rng, 1, 3);
  for (int i = 0; i < nns; ++i) random_sysctls(lab.ns_sysctl["rn" + std::to_string(i)], rng);
  if (chance(rng, 30)) lab.host_sysctl["net.ipv4.ip_forward"] = "1";
  int nbr = pick(rng, 0, 2);
  for (int i = 0; i < nbr; ++i) {
    RandomBridge b;
    b.name = "rbr" + std::to_string(i);
    b.ns = one_of(rng, namespaces(lab));
    b.addrs = {v4(200 + i, 1)};
    if (chance(rng, 40)) b.addrs.push_back(v6(200 + i, 1));
    if (chance(rng, 25)) b.mtu = one_of(rng, std::vector<uint32_t>{1400, 1500, 9000});
    lab.bridges.push_back(b);
  }
  int nveth = pick(rng, 1, 4);
  for (int i = 0; i < nveth; ++i) lab.veths.push_back(new_veth(lab, rng));
  random_kind_links(lab, rng);
  int nroutes = pick(rng, 0, 4);
  for (int i = 0; i < nroutes; ++i) add_route(lab, rng);
  if (chance(rng, 25)) lab.nat_sources.push_back("10.0.0.0/8");
  return lab;
}

RandomLab random_edit(const RandomLab& a, Rng& rng, std::vector<std::string>& log) {
  RandomLab b = a;
  int n = pick(rng, 1, 3);
  for (int i = 0; i < n; ++i) {
    int kind = pick(rng, 0, 14);
    RandomVeth* v = b.veths.empty() ? nullptr : &b.veths[pick(rng, 0, b.veths.size() - 1)];
    RandomEnd* e = v ? (chance(rng, 50) ? &v->a : &v->b) : nullptr;
    if (kind == 0 && v && b.veths.size() > 1) {
      size_t idx = v - b.veths.data();
      log.push_back("remove veth " + v->a.name);
      drop_links_on_veth(b, v->id, log);
      std::erase_if(b.routes, [&](const RandomRoute& r) { return r.veth == idx; });
      for (auto& r : b.routes)
        if (r.veth > idx) --r.veth;
      b.veths.erase(b.veths.begin() + idx);
    } else if (kind == 1) {
      b.veths.push_back(new_veth(b, rng));
      log.push_back("add veth " + b.veths.back().a.name);
    } else if (kind == 2 && e) {
      std::string name = e->name + "x";
      if (!name_taken(b, e->ns, name) && e->bridge.empty()) {
        log.push_back("rename " + e->name + " -> " + name);
        e->name = name;
      }
    } else if (kind == 3 && e && !e->addrs.empty()) {
      auto& first = e->addrs.front();
      auto slash = first.find('/');
      std::string prefix = first.substr(slash);
      std::string changed = first.substr(0, slash) + (prefix == "/24" ? "/25" : "/24");
      if (first.find(':') == std::string::npos) {
        log.push_back("prefix " + first + " -> " + changed);
        first = changed;
      }
    } else if (kind == 4 && e && e->addrs.size() > 1) {
      log.push_back("reorder addresses of " + e->name);
      std::rotate(e->addrs.begin(), e->addrs.begin() + 1, e->addrs.end());
    } else if (kind == 5 && e) {
      log.push_back("mtu of " + e->name + (e->mtu ? " removed" : " set"));
      e->mtu = e->mtu ? std::nullopt : std::optional<uint32_t>(1400);
    } else if (kind == 6 && !b.routes.empty()) {
      auto& r = b.routes[pick(rng, 0, b.routes.size() - 1)];
      log.push_back("route " + r.to + (r.with_dev ? ": dev removed" : ": dev added"));
      r.with_dev = !r.with_dev;
    } else if (kind == 7 && !b.routes.empty()) {
      auto& r = b.routes[pick(rng, 0, b.routes.size() - 1)];
      log.push_back("route " + r.to + ": metric changed");
      r.metric = r.metric ? std::nullopt : std::optional<uint32_t>(50);
    } else if (kind == 8 && !b.ns_sysctl.empty()) {
      auto it = b.ns_sysctl.begin();
      std::advance(it, pick(rng, 0, b.ns_sysctl.size() - 1));
      if (!it->second.empty()) {
        log.push_back("remove sysctl " + it->second.begin()->first + " of " + it->first);
        it->second.erase(it->second.begin());
      }
    } else if (kind == 9) {
      add_route(b, rng);
      log.push_back("add route " + b.routes.back().to);
    } else if (kind == 10 && e && !e->addrs.empty() &&
               e->addrs.front().find(':') == std::string::npos) {
      // A new gateway for every route through this end: its first address changes host part.
      auto& first = e->addrs.front();
      auto slash = first.find('/');
      auto dot = first.rfind('.', slash);
      int host = std::stoi(first.substr(dot + 1, slash - dot - 1));
      first = first.substr(0, dot + 1) + std::to_string(host + 40) + first.substr(slash);
      log.push_back("address of " + e->name + " -> " + first);
    } else if (kind == 14 && e) {
      std::string rate = e->rate.empty() ? "10mbit" : e->rate == "10mbit" ? "20mbit" : "";
      log.push_back("rate of " + e->name + " -> " + (rate.empty() ? "none" : rate));
      e->rate = rate;
    } else if (kind >= 11 && kind <= 13) {  // a macvlan, vxlan or tap: add, remove, change, move
      edit_kind_link(b, rng, pick(rng, 0, 4), log);
    }
  }
  return b;
}

namespace {

std::string list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

std::string host_of(const std::string& cidr) {
  return cidr.substr(0, cidr.find('/'));
}

// The route as the file says it, or "" when it cannot be said validly (no usable gateway).
std::string route_yaml(const RandomLab& lab, const RandomRoute& r) {
  const auto& v = lab.veths[r.veth];
  const RandomEnd& from = r.side_b ? v.b : v.a;
  const RandomEnd& to = r.side_b ? v.a : v.b;
  if (!from.up || !to.up || !from.bridge.empty() || !to.bridge.empty()) return "";
  // Both ends in one namespace: the gateway is a local address, and which of the two links
  // the kernel picks depends on history, not on the file.
  if (from.ns == to.ns) return "";
  auto family = [&](const std::string& a) { return (a.find(':') != std::string::npos) == r.v6; };
  // A gateway on a subnet this end has.
  auto connected = [&](const std::string& a) {
    auto gw = Cidr::parse(a);
    return family(a) &&
           std::any_of(from.addrs.begin(), from.addrs.end(), [&](const std::string& m) {
             auto mine = Cidr::parse(m);
             return mine && gw && mine->contains(gw->addr);
           });
  };
  auto gw = std::find_if(to.addrs.begin(), to.addrs.end(), connected);
  if (gw == to.addrs.end()) return "";
  std::string dst = r.to == "default" ? (r.v6 ? "::/0" : "default") : r.to;
  std::string s = "{to: \"" + dst + "\", via: \"" + host_of(*gw) + "\"";
  if (r.with_dev) s += ", dev: " + from.name;
  if (r.metric) s += ", metric: " + std::to_string(*r.metric);
  return s + "}";
}

}  // namespace

void end_yaml(std::ostringstream& y, const RandomEnd& e, const std::string& indent) {
  if (e.ns != "host") y << indent << "namespace: " << e.ns << "\n";
  if (!e.bridge.empty()) y << indent << "bridge: " << e.bridge << "\n";
  if (!e.addrs.empty()) y << indent << "addresses: " << list(e.addrs) << "\n";
  if (e.mtu) y << indent << "mtu: " << *e.mtu << "\n";
  if (!e.up) y << indent << "up: false\n";
  if (!e.rate.empty()) y << indent << "impair: {rate: " << e.rate << "}\n";
}

std::string RandomLab::yaml() const {
  std::ostringstream y;
  y << "name: " << name << "\n";
  std::map<std::string, std::vector<std::string>> routes;
  std::set<std::pair<std::string, std::string>> seen;  // one route per destination
  for (const auto& r : this->routes) {
    const auto& v = veths[r.veth];
    std::string ns = r.side_b ? v.b.ns : v.a.ns;
    // The machine has a default route of its own: a lab's would be a conflict.
    if (ns == "host" && r.to == "default") continue;
    std::string text = route_yaml(*this, r);
    if (!text.empty() && seen.insert({ns, r.to + (r.v6 ? "6" : "4")}).second)
      routes[ns].push_back(text);
  }
  if (!host_sysctl.empty() || routes.count("host")) {
    y << "host:\n";
    if (!host_sysctl.empty()) {
      y << "  sysctl:\n";
      for (const auto& [k, v] : host_sysctl) y << "    " << k << ": " << v << "\n";
    }
    if (routes.count("host")) y << "  routes: " << list(routes["host"]) << "\n";
  }
  y << "namespaces:\n";
  for (const auto& [n, sysctl] : ns_sysctl) {
    y << "  " << n << ":";
    if (sysctl.empty() && !routes.count(n)) {
      y << " {}\n";
      continue;
    }
    y << "\n";
    if (!sysctl.empty()) {
      y << "    sysctl:\n";
      for (const auto& [k, v] : sysctl) y << "      " << k << ": " << v << "\n";
    }
    if (routes.count(n)) y << "    routes: " << list(routes[n]) << "\n";
  }
  if (!bridges.empty()) {
    y << "bridges:\n";
    for (size_t i = 0; i < bridges.size(); ++i) {
      const auto& b = bridges[i];
      y << "  " << b.name << ":\n";
      if (b.ns != "host") y << "    namespace: " << b.ns << "\n";
      // Below 1280 (a vxlan port on a small underlay) the kernel takes no IPv6 address.
      y << "    addresses: " << list(fit_mtu(b.addrs, bridge_mtu(*this, i))) << "\n";
      if (b.mtu) y << "    mtu: " << *b.mtu << "\n";
    }
  }
  y << "veths:\n";
  for (const auto& v : veths) {
    y << "  - name: " << v.a.name << "\n";
    end_yaml(y, v.a, "    ");
    y << "    peer:\n      name: " << v.b.name << "\n";
    end_yaml(y, v.b, "      ");
  }
  kind_links_yaml(*this, y);
  if (!nat_sources.empty()) {
    y << "nat:\n";
    for (const auto& s : nat_sources) y << "  - {type: masquerade, source: " << s << "}\n";
  }
  return y.str();
}

}  // namespace netlab::testing
