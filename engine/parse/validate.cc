#include "parse/validate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "model/sysctl_key.h"
#include "parse/names.h"

namespace netlab {
namespace {

std::string line_col(const Pos& p) {
  return std::to_string(p.line) + ":" + std::to_string(p.col);
}

std::string with_suggestion(std::string msg, const std::string& word,
                            const std::vector<std::string>& candidates) {
  if (auto near = closest_match(word, candidates)) msg += " (did you mean " + quoted(*near) + "?)";
  return msg;
}

bool is_unicast(const IpAddr& a) {
  if (a.is_v6()) {
    bool unspecified = a == IpAddr{a.family, {}};
    return !unspecified && a.bytes[0] != 0xff;
  }
  bool all_ones = a.bytes[0] == 255 && a.bytes[1] == 255 && a.bytes[2] == 255 && a.bytes[3] == 255;
  return a.bytes[0] != 0 && (a.bytes[0] < 224 || a.bytes[0] > 239) && !all_ones;
}

bool is_link_local_v6(const IpAddr& a) {
  return a.is_v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

std::string family_name(const IpAddr& a) {
  return a.is_v6() ? "IPv6" : "IPv4";
}

bool is_loopback_v6(const IpAddr& a) {
  IpAddr one{a.family, {}};
  one.bytes[15] = 1;
  return a.is_v6() && a == one;
}

// The metric the kernel gives a route: IPv4 0 unless said; IPv6 1024 unless said, and 0 means
// 1024 there too.
uint32_t effective_metric(const Route& r) {
  uint32_t m = r.metric ? r.metric->value : 0;
  return r.dst && r.dst->addr.is_v6() && m == 0 ? 1024 : m;
}

// The metric of the route the kernel adds for an address on a link that is up (IPv4 0, IPv6
// 256), if it adds one: not for a host address (/32, /128), nor in 0.0.0.0/8. Link-local
// addresses are left out: the kernel's fe80::/64 route comes with the link, not the address.
std::optional<uint32_t> connected_metric(const Cidr& a) {
  if (a.prefix == a.addr.bits()) return std::nullopt;
  if (!a.addr.is_v6()) return a.network().addr.bytes[0] == 0 ? std::nullopt : std::optional(0u);
  return is_link_local_v6(a.addr) ? std::nullopt : std::optional(256u);
}

// The broadcast address of an IPv4 subnet that has one (prefix up to /30).
std::optional<IpAddr> broadcast_of(const Cidr& a) {
  if (a.addr.is_v6() || a.prefix > 30) return std::nullopt;
  IpAddr b = a.network().addr;
  for (int i = 0; i < 4; ++i) {
    int keep = a.prefix - i * 8;
    if (keep < 8) b.bytes[i] |= static_cast<uint8_t>(0xff >> std::max(keep, 0));
  }
  return b;
}

// Port numbers of a bridge are 10 bits, and 0 is not one (BR_MAX_PORTS in the kernel).
constexpr std::size_t kMaxBridgePorts = 1023;

// A NAT rule as the kernel stores it: networks masked, x/0 no match at all.
using NatKey = std::tuple<std::string, NatType, std::optional<Cidr>, std::optional<Cidr>,
                          std::string, std::string, std::string, std::optional<uint16_t>,
                          std::optional<IpAddr>, std::optional<uint16_t>>;

NatKey nat_key(const Nat& n) {
  auto net = [](const std::optional<Located<Cidr>>& c) -> std::optional<Cidr> {
    if (!c || c->value.prefix == 0) return std::nullopt;
    return c->value.network();
  };
  auto text = [](const std::optional<Located<std::string>>& v) { return v ? v->value : ""; };
  std::optional<uint16_t> port;
  if (n.port) port = n.port->value;
  std::optional<IpAddr> to;
  if (n.to_addr) to = n.to_addr->value;
  return {n.ns.value,  n.type.value, net(n.source),    net(n.destination),
          text(n.out), text(n.in),   text(n.protocol), port,
          to,          n.to_port};
}

class Validator {
 public:
  Validator(const Topology& t, const ReadGaps& gaps, Diagnostics& d) : t_(t), gaps_(gaps), d_(d) {}

  void run() {
    if (t_.name.pos.line > 0)
      if (auto p = lab_name_problem(t_.name.value)) d_.error(t_.name.pos, *p);
    collect_namespaces();
    check_sysctls(t_.host.sysctl);
    for (const auto& ns : t_.namespaces) check_sysctls(ns.sysctl);
    collect_interfaces();
    check_interfaces();
    check_bridge_port_counts();
    check_overlaps();
    for (const auto& ns : t_.namespaces) check_sysctl_devices(ns.name, ns.sysctl);
    check_routes(kHost, t_.host.routes);
    for (const auto& ns : t_.namespaces) check_routes(ns.name, ns.routes);
    for (const auto& n : t_.nat) check_nat(n);
    check_nat_duplicates();
    for (const auto& test : t_.tests) check_namespace_ref(test.from);
  }

 private:
  struct Iface {
    const Interface* i;
    bool is_bridge;
  };

  void collect_namespaces() {
    ns_names_.push_back(kHost);
    for (const auto& ns : t_.namespaces) {
      if (auto p = namespace_name_problem(ns.name)) d_.error(ns.pos, *p);
      ns_names_.push_back(ns.name);
    }
  }

  bool namespace_declared(const std::string& name) const {
    return std::find(ns_names_.begin(), ns_names_.end(), name) != ns_names_.end();
  }

  // False (after reporting) if `ref` names no namespace of the lab.
  bool check_namespace_ref(const Located<std::string>& ref) {
    if (namespace_declared(ref.value)) return true;
    if (!gaps_.namespaces)
      d_.error(ref.pos,
               with_suggestion("undeclared namespace " + quoted(ref.value), ref.value, ns_names_));
    return false;
  }

  void check_sysctls(const std::vector<Sysctl>& sysctls) {
    for (const auto& s : sysctls)
      if (auto p = sysctl_key_problem(s.key)) d_.error(s.pos, *p);
  }

  // In a lab namespace every interface is declared: a per-interface key for another one names
  // a file that does not exist.
  void check_sysctl_devices(const std::string& ns, const std::vector<Sysctl>& sysctls) {
    if (!complete(ns)) return;
    for (const auto& s : sysctls) {
      if (sysctl_key_problem(s.key)) continue;  // reported
      std::string dev = sysctl_key_device(s.key);
      if (dev.empty() || dev == "all" || dev == "default" || dev == "lo" || find_iface(ns, dev))
        continue;
      d_.error(s.pos, "sysctl key " + quoted(s.key) + " is for interface " + quoted(dev) +
                          ", which namespace " + quoted(ns) + " does not have");
    }
  }

  void collect_interfaces() {
    for (const auto& b : t_.bridges) {
      ifaces_.push_back({&b.iface, true});
      bridges_[b.iface.name.value] = &b.iface;
      bridge_names_.push_back(b.iface.name.value);
    }
    for (const auto& v : t_.veths) {
      ifaces_.push_back({&v.end, false});
      ifaces_.push_back({&v.peer, false});
    }
    for (const auto& [i, is_bridge] : ifaces_) by_ns_[i->ns.value].push_back(i);
  }

  // Whether checks that need every interface and address of `ns` can be trusted.
  bool complete(const std::string& ns) const {
    return !gaps_.interfaces_anywhere && !gaps_.interfaces.contains(ns);
  }

  void check_interfaces() {
    std::map<std::pair<std::string, std::string>, Pos> names;  // (ns, name) -> first
    AddressBook addresses;
    for (const auto& [i, is_bridge] : ifaces_) {
      const std::string& name = i->name.value;
      const std::string& ns = i->ns.value;
      if (auto p = interface_name_problem(name)) d_.error(i->name.pos, *p);
      bool ns_ok = check_namespace_ref(i->ns);
      if (name == "lo") {
        d_.error(i->name.pos,
                 "interface name \"lo\" is taken by the loopback of namespace " + quoted(ns));
      } else if (auto [it, fresh] = names.emplace(std::pair{ns, name}, i->name.pos); !fresh) {
        d_.error(i->name.pos, "duplicate interface " + quoted(name) + " in namespace " +
                                  quoted(ns) + " (first at " + line_col(it->second) + ")");
      }
      if (i->bridge) check_bridge_port(*i, ns_ok);
      for (const auto& a : i->addresses) check_address(*i, a, addresses);
      if (i->mtu && i->mtu->value < 1280) {
        for (const auto& a : i->addresses) {
          if (!a.value.addr.is_v6()) continue;
          d_.error(i->mtu->pos, "mtu " + std::to_string(i->mtu->value) +
                                    " is too small for IPv6 address " + a.value.str() +
                                    " (IPv6 needs an mtu of at least 1280)");
          break;
        }
      }
    }
  }

  // An address is used once in the lab, except a link-local one: that is once per link.
  using AddressKey = std::tuple<IpAddr, std::string, std::string>;  // address, ns, link
  using AddressBook = std::map<AddressKey, std::pair<const Interface*, Pos>>;

  void check_address(const Interface& i, const Located<Cidr>& a, AddressBook& book) {
    const IpAddr& addr = a.value.addr;
    if (!is_unicast(addr)) {
      d_.error(a.pos, "address " + a.value.str() + " is not a unicast address");
      return;
    }
    if (is_loopback_v6(addr)) {
      d_.error(a.pos, "address " + a.value.str() +
                          " is the IPv6 loopback address, which only \"lo\" may have");
      return;
    }
    if (a.value.prefix == 0) {
      d_.error(a.pos,
               "address " + a.value.str() + " has prefix length 0; give the length of its subnet");
      return;
    }
    AddressKey key{addr, "", ""};
    if (is_link_local_v6(addr)) key = {addr, i.ns.value, i.name.value};
    auto [it, fresh] = book.emplace(key, std::pair{&i, a.pos});
    if (fresh) return;
    const auto& [first, first_pos] = it->second;
    d_.error(a.pos, "address " + addr.str() + " is already used by " + quoted(first->name.value) +
                        " in namespace " + quoted(first->ns.value) + " (at " + line_col(first_pos) +
                        ")");
  }

  void check_bridge_port_counts() {
    std::map<std::pair<std::string, std::string>, std::vector<const Interface*>> ports;
    for (const auto& [i, is_bridge] : ifaces_)
      if (i->bridge) ports[{i->ns.value, i->bridge->value}].push_back(i);
    for (const auto& [bridge, list] : ports) {
      if (list.size() <= kMaxBridgePorts) continue;
      d_.error(list[kMaxBridgePorts]->bridge->pos,
               "bridge " + quoted(bridge.second) + " has " + std::to_string(list.size()) +
                   " ports; the kernel takes at most " + std::to_string(kMaxBridgePorts) +
                   " (this is port " + std::to_string(kMaxBridgePorts + 1) + ")");
    }
  }

  void check_bridge_port(const Interface& i, bool ns_ok) {
    const auto& ref = *i.bridge;
    auto it = bridges_.find(ref.value);
    if (it == bridges_.end()) {
      if (!gaps_.bridges)
        d_.error(ref.pos, with_suggestion("undeclared bridge " + quoted(ref.value), ref.value,
                                          bridge_names_));
      return;
    }
    const Interface& br = *it->second;
    if (ns_ok && br.ns.value != i.ns.value)
      d_.error(ref.pos, "bridge port " + quoted(i.name.value) + " is in namespace " +
                            quoted(i.ns.value) + " but bridge " + quoted(ref.value) +
                            " is in namespace " + quoted(br.ns.value) +
                            "; a port must be in its bridge's namespace");
  }

  // Two interfaces of one namespace on overlapping subnets each get a connected route for it:
  // the kernel uses one and traffic for the other goes astray (seed 003, "Bridging").
  void check_overlaps() {
    for (const auto& [ns, list] : by_ns_) {
      for (std::size_t j = 1; j < list.size(); ++j) {
        if (auto clash = first_overlap(list, j)) {
          const auto& [earlier, a, b] = *clash;
          d_.warning(b->pos, quoted(earlier->name.value) + " (" + a->value.str() + ") and " +
                                 quoted(list[j]->name.value) + " (" + b->value.str() +
                                 ") in namespace " + quoted(ns) +
                                 " are on overlapping subnets: routes conflict; put them on a "
                                 "bridge or use different subnets");
        }
      }
    }
  }

  struct Overlap {
    const Interface* earlier;
    const Located<Cidr>* a;
    const Located<Cidr>* b;
  };
  static std::optional<Overlap> first_overlap(const std::vector<const Interface*>& list,
                                              std::size_t j) {
    const Interface* later = list[j];
    for (const auto& b : later->addresses) {
      for (std::size_t k = 0; k < j; ++k) {
        if (list[k]->name.value == later->name.value) continue;  // a duplicate, reported
        for (const auto& a : list[k]->addresses) {
          if (a.value.addr == b.value.addr || !a.value.overlaps(b.value)) continue;
          if (is_link_local_v6(a.value.addr)) continue;  // every link has fe80::/64: no conflict
          return Overlap{list[k], &a, &b};
        }
      }
    }
    return std::nullopt;
  }

  const std::vector<const Interface*>& in_namespace(const std::string& ns) const {
    static const std::vector<const Interface*> none;
    auto it = by_ns_.find(ns);
    return it == by_ns_.end() ? none : it->second;
  }

  const Interface* find_iface(const std::string& ns, const std::string& name) const {
    for (const auto* i : in_namespace(ns))
      if (i->name.value == name) return i;
    return nullptr;
  }

  std::vector<std::string> iface_names(const std::string& ns) const {
    std::vector<std::string> out{"lo"};
    for (const auto* i : in_namespace(ns)) out.push_back(i->name.value);
    return out;
  }

  void check_routes(const std::string& ns, const std::vector<Route>& routes) {
    // The host has interfaces and addresses the file does not declare: only check what the
    // file alone decides there.
    bool checkable = ns != kHost && complete(ns);
    std::map<std::pair<Cidr, uint32_t>, Pos> seen;
    for (const auto& r : routes) {
      bool dev_ok = true;
      const Interface* dev = route_device(ns, r, checkable, dev_ok);
      if (r.via && r.dst) check_gateway(ns, routes, r, dev, dev_ok, checkable);
      if (!r.dst) continue;
      check_connected(ns, r);
      auto [it, fresh] = seen.emplace(std::pair{*r.dst, effective_metric(r)}, r.to.pos);
      if (!fresh)
        d_.error(r.to.pos, "duplicate route to " + r.dst->str() + " in namespace " + quoted(ns) +
                               " (first at " + line_col(it->second) + ")");
    }
  }

  // The declared interface a route names, if any; dev_ok false (after reporting) if the
  // kernel could not use it.
  const Interface* route_device(const std::string& ns, const Route& r, bool checkable,
                                bool& dev_ok) {
    if (!r.dev) return nullptr;
    if (r.dev->value == "lo") {
      if (!loopback_up(ns))
        d_.error(r.dev->pos,
                 "route device \"lo\" is down (loopback: down): the kernel takes no "
                 "route through a down interface");
      return nullptr;
    }
    const Interface* dev = find_iface(ns, r.dev->value);
    if (!dev && checkable) {
      dev_ok = false;
      d_.error(r.dev->pos, with_suggestion("route device " + quoted(r.dev->value) +
                                               " is not an interface of namespace " + quoted(ns),
                                           r.dev->value, iface_names(ns)));
    }
    if (dev && !dev->up.value) {
      dev_ok = false;
      d_.error(r.dev->pos, "route device " + quoted(r.dev->value) +
                               " is down (up: false): the kernel takes no route through a down "
                               "interface");
    }
    return dev;
  }

  bool loopback_up(const std::string& ns) const {
    for (const auto& n : t_.namespaces)
      if (n.name == ns) return n.loopback_up.value;
    return true;  // the host's, which the lab never changes
  }

  // A route equal to one the kernel adds for an address is refused ("File exists").
  void check_connected(const std::string& ns, const Route& r) {
    uint32_t metric = effective_metric(r);
    for (const auto* i : in_namespace(ns)) {
      if (!i->up.value) continue;
      for (const auto& a : i->addresses) {
        if (connected_metric(a.value) != metric || a.value.network() != *r.dst) continue;
        d_.error(r.to.pos, "route to " + r.dst->str() + " in namespace " + quoted(ns) +
                               " is the route the kernel adds for address " + a.value.str() +
                               " of " + quoted(i->name.value) + " (metric " +
                               std::to_string(metric) +
                               "); leave it out or give it another metric");
        return;
      }
    }
  }

  void check_gateway(const std::string& ns, const std::vector<Route>& routes, const Route& r,
                     const Interface* dev, bool dev_ok, bool checkable) {
    const IpAddr& gw = r.via->value;
    if (gw.family != r.dst->addr.family) {
      d_.error(r.via->pos, "gateway " + gw.str() + " is " + family_name(gw) + " but destination " +
                               r.dst->str() + " is " + family_name(r.dst->addr));
      return;
    }
    if (is_link_local_v6(gw)) {
      // The kernel gives every link an fe80::/64 of its own: which one is meant needs `dev`.
      if (!r.dev) d_.error(r.via->pos, "link-local gateway " + gw.str() + " needs \"dev\"");
      return;
    }
    if (gateway_refused(ns, r) || !checkable || !dev_ok) return;
    auto reaches = [&](const Interface& i) {
      if (!i.up.value) return false;
      for (const auto& a : i.addresses)
        if (a.value.contains(gw)) return true;
      return through_device_route(routes, gw, i.name.value);
    };
    if (dev) {
      if (!reaches(*dev))
        d_.error(r.via->pos, "gateway " + gw.str() + " is not on a subnet of " +
                                 quoted(dev->name.value) + " in namespace " + quoted(ns));
      return;
    }
    bool on_a_down_link = false;
    for (const auto* i : in_namespace(ns)) {
      if (reaches(*i)) return;
      for (const auto& a : i->addresses) on_a_down_link |= a.value.contains(gw);
    }
    d_.error(r.via->pos, "gateway " + gw.str() + " is not on a subnet of " +
                             (on_a_down_link ? "an interface that is up" : "any address") +
                             " in namespace " + quoted(ns));
  }

  // A device route (no gateway) to the gateway's network makes it a neighbour of that device,
  // as on a point-to-point link with /32 addresses.
  static bool through_device_route(const std::vector<Route>& routes, const IpAddr& gw,
                                   const std::string& dev) {
    for (const auto& r : routes)
      if (!r.via && r.dev && r.dev->value == dev && r.dst && r.dst->contains(gw)) return true;
    return false;
  }

  // Gateways the kernel refuses whatever the routes: a local IPv6 address, an IPv4 broadcast.
  bool gateway_refused(const std::string& ns, const Route& r) {
    const IpAddr& gw = r.via->value;
    for (const auto* i : in_namespace(ns)) {
      for (const auto& a : i->addresses) {
        if (gw.is_v6() && a.value.addr == gw) {
          d_.error(r.via->pos, "gateway " + gw.str() + " is an address of namespace " + quoted(ns) +
                                   " itself (the kernel refuses a local IPv6 gateway)");
          return true;
        }
        if (i->up.value && broadcast_of(a.value) == gw) {
          d_.error(r.via->pos,
                   "gateway " + gw.str() + " is the broadcast address of " + a.value.str());
          return true;
        }
      }
    }
    return false;
  }

  void check_nat_duplicates() {
    std::map<NatKey, Pos> seen;
    for (const auto& n : t_.nat) {
      auto [it, fresh] = seen.emplace(nat_key(n), n.pos);
      if (!fresh)
        d_.error(n.pos, "duplicate NAT rule in namespace " + quoted(n.ns.value) +
                            " (same as the rule at " + line_col(it->second) + ")");
    }
  }

  void check_nat(const Nat& n) {
    check_namespace_ref(n.ns);
    NatType type = n.type.value;
    const char* name = type == NatType::Masquerade ? "masquerade"
                       : type == NatType::Snat     ? "snat"
                                                   : "dnat";
    auto needs = [&](bool has, const std::string& key, const std::string& why) {
      if (!has) d_.error(n.pos, std::string(name) + " needs " + quoted(key) + " (" + why + ")");
    };
    if (type == NatType::Snat) {
      needs(n.to_addr.has_value(), "to", "the source address to use");
      if (n.to_addr && n.to_port)
        d_.error(n.to_addr->pos, "snat \"to\" takes an address without port");
    }
    if (type == NatType::Dnat) {
      needs(n.protocol.has_value(), "protocol", "tcp or udp");
      needs(n.port.has_value(), "port", "the destination port to match");
      needs(n.to_addr.has_value(), "to", "the address[:port] to forward to");
    }
    if (type == NatType::Masquerade && n.to_addr)
      d_.error(n.to_addr->pos,
               "masquerade takes no \"to\" (it uses the outgoing interface's address)");
    if (type != NatType::Dnat) {
      if (n.in) d_.error(n.in->pos, "\"in\" is only for dnat");
      if (n.protocol) d_.error(n.protocol->pos, "\"protocol\" is only for dnat");
      if (n.port) d_.error(n.port->pos, "\"port\" is only for dnat");
    } else if (n.out) {
      d_.error(n.out->pos, "\"out\" is only for masquerade and snat");
    }
    for (const auto* dev : {&n.in, &n.out}) {
      if (!*dev) continue;
      std::string_view name_only = (*dev)->value;
      if (!name_only.empty() && name_only[0] == '!') name_only.remove_prefix(1);
      if (auto p = interface_name_problem(name_only)) d_.error((*dev)->pos, *p);
    }
    auto v4_only = [&](const Pos& pos, const std::string& what, bool v6) {
      if (v6) d_.error(pos, "NAT rules are IPv4 only (iptables); " + what + " is IPv6");
    };
    if (n.source) v4_only(n.source->pos, n.source->value.str(), n.source->value.addr.is_v6());
    if (n.destination)
      v4_only(n.destination->pos, n.destination->value.str(), n.destination->value.addr.is_v6());
    if (n.to_addr) v4_only(n.to_addr->pos, n.to_addr->value.str(), n.to_addr->value.is_v6());
  }

  const Topology& t_;
  const ReadGaps& gaps_;
  Diagnostics& d_;
  std::vector<std::string> ns_names_;
  std::vector<Iface> ifaces_;
  std::map<std::string, std::vector<const Interface*>> by_ns_;  // in file order
  std::map<std::string, const Interface*> bridges_;
  std::vector<std::string> bridge_names_;
};

}  // namespace

void validate_topology(const Topology& t, const ReadGaps& gaps, Diagnostics& diags) {
  Validator(t, gaps, diags).run();
}

}  // namespace netlab
