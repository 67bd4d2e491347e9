#include "parse/validate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kinds/link_syntax.h"
#include "model/sysctl_key.h"
#include "parse/link_loops.h"
#include "parse/names.h"
#include "parse/net_rules.h"
#include "parse/validate_routes.h"

namespace netlab {
namespace {

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
    check_kinds_together();
    check_link_loops(t_, d_);
    check_overlaps();
    for (const auto& ns : t_.namespaces) check_sysctl_devices(ns.name, ns.sysctl);
    check_routes(kHost, t_.host.routes);
    for (const auto& ns : t_.namespaces) check_routes(ns.name, ns.routes);
    for (const auto& n : t_.nat) check_nat(n);
    check_nat_duplicates();
    for (const auto& test : t_.tests)
      if (check_namespace_ref(test.from) && test.kind != CheckKind::Exec && test.to.value.family)
        check_target(test);
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

  // The kernel sends no echo to a broadcast address (EACCES) without SO_BROADCAST, and
  // connects no TCP socket to one (ENETUNREACH).
  void check_target(const Test& test) {
    const IpAddr& to = test.to.value;
    std::string head =
        std::string(test.kind == CheckKind::Ping ? "cannot ping " : "cannot connect to ") +
        to.str() + " from " + quoted(test.from.value) + ": ";
    if (!to.is_v6() && to == IpAddr{to.family, {255, 255, 255, 255}}) {
      d_.error(test.to.pos, head + "it is the broadcast address");
      return;
    }
    for (const auto* i : in_namespace(test.from.value))
      for (const auto& a : i->addresses)
        if (i->up.value && broadcast_of(a.value) == to) {
          d_.error(test.to.pos,
                   head + "it is the broadcast address of " + a.value.str() + " there");
          return;
        }
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
    for (const auto& l : t_.links) ifaces_.push_back({&l.iface, false});
    for (const auto& [i, is_bridge] : ifaces_) by_ns_[i->ns.value].push_back(i);
  }

  // Whether checks that need every interface and address of `ns` can be trusted.
  bool complete(const std::string& ns) const {
    return !gaps_.interfaces_anywhere && !gaps_.interfaces.contains(ns);
  }

  // IPv6 needs an MTU of at least 1280: the kernel refuses an IPv6 address below it. A bridge
  // without an `mtu` takes its ports' smallest.
  void check_ipv6_mtu(const Interface& i, bool is_bridge) {
    auto v6 = std::find_if(i.addresses.begin(), i.addresses.end(),
                           [](const Located<Cidr>& a) { return a.value.addr.is_v6(); });
    if (v6 == i.addresses.end()) return;
    uint32_t mtu = i.mtu ? i.mtu->value : 1500;
    Pos pos = i.mtu ? i.mtu->pos : i.name.pos;
    std::string whose;
    if (is_bridge && !i.mtu)
      for (const auto& [port, port_is_bridge] : ifaces_)
        if (!port_is_bridge && port->bridge && port->bridge->value == i.name.value &&
            port->ns.value == i.ns.value && port->mtu && port->mtu->value < mtu) {
          mtu = port->mtu->value;
          whose = " (the bridge takes port " + quoted(port->name.value) + "'s, at " +
                  port->mtu->pos.line_col() + ")";
        }
    if (mtu >= 1280) return;
    d_.error(pos, "mtu " + std::to_string(mtu) + whose + " is too small for IPv6 address " +
                      v6->value.str() + " (IPv6 needs an mtu of at least 1280)");
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
                                  quoted(ns) + " (first at " + it->second.line_col() + ")");
      }
      if (i->bridge) check_bridge_port(*i, ns_ok);
      for (const auto& a : i->addresses) check_address(*i, a, addresses);
      check_ipv6_mtu(*i, is_bridge);
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
                        " in namespace " + quoted(first->ns.value) + " (at " +
                        first_pos.line_col() + ")");
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

  // What a kind finds only among all its links (a passthru macvlan beside another on its
  // parent).
  void check_kinds_together() {
    for (const LinkSyntax* s : link_syntaxes()) {
      std::vector<const Link*> links;
      for (const auto& l : t_.links)
        if (l.kind == s->kind()) links.push_back(&l);
      if (!links.empty()) s->check_all(links, d_);
    }
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

  void check_routes(const std::string& ns, const std::vector<Route>& routes) {
    // The host has interfaces and addresses the file does not declare: only check what the
    // file alone decides there.
    RouteScope scope{ns, &in_namespace(ns), loopback_up(ns), ns != kHost && complete(ns)};
    netlab::check_routes(scope, routes, d_);
  }

  bool loopback_up(const std::string& ns) const {
    for (const auto& n : t_.namespaces)
      if (n.name == ns) return n.loopback_up.value;
    return true;  // the host's, which the lab never changes
  }

  void check_nat_duplicates() {
    std::map<NatKey, Pos> seen;
    for (const auto& n : t_.nat) {
      auto [it, fresh] = seen.emplace(nat_key(n), n.pos);
      if (!fresh)
        d_.error(n.pos, "duplicate NAT rule in namespace " + quoted(n.ns.value) +
                            " (same as the rule at " + it->second.line_col() + ")");
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
