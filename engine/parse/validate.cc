#include "parse/validate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
    check_overlaps();
    check_routes(kHost, t_.host.routes);
    for (const auto& ns : t_.namespaces) check_routes(ns.name, ns.routes);
    for (const auto& n : t_.nat) check_nat(n);
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
    std::map<IpAddr, const Interface*> addresses;
    std::map<IpAddr, Pos> address_pos;
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
      for (const auto& a : i->addresses) {
        if (!is_unicast(a.value.addr)) {
          d_.error(a.pos, "address " + a.value.str() + " is not a unicast address");
          continue;
        }
        auto [it, fresh] = addresses.emplace(a.value.addr, i);
        if (fresh) {
          address_pos[a.value.addr] = a.pos;
        } else {
          d_.error(a.pos, "address " + a.value.addr.str() + " is already used by " +
                              quoted(it->second->name.value) + " in namespace " +
                              quoted(it->second->ns.value) + " (at " +
                              line_col(address_pos[a.value.addr]) + ")");
        }
      }
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
    std::map<std::pair<Cidr, std::optional<uint32_t>>, Pos> seen;
    for (const auto& r : routes) {
      const Interface* dev = nullptr;
      bool dev_ok = true;
      if (r.dev && checkable && r.dev->value != "lo") {
        dev = find_iface(ns, r.dev->value);
        if (!dev) {
          dev_ok = false;
          d_.error(r.dev->pos,
                   with_suggestion("route device " + quoted(r.dev->value) +
                                       " is not an interface of namespace " + quoted(ns),
                                   r.dev->value, iface_names(ns)));
        }
      }
      if (r.via && r.dst) check_gateway(ns, r, dev, dev_ok, checkable);
      if (r.dst) {
        std::optional<uint32_t> metric;
        if (r.metric) metric = r.metric->value;
        auto [it, fresh] = seen.emplace(std::pair{*r.dst, metric}, r.to.pos);
        if (!fresh)
          d_.error(r.to.pos, "duplicate route to " + r.dst->str() + " in namespace " + quoted(ns) +
                                 " (first at " + line_col(it->second) + ")");
      }
    }
  }

  void check_gateway(const std::string& ns, const Route& r, const Interface* dev, bool dev_ok,
                     bool checkable) {
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
    if (!checkable || !dev_ok) return;
    auto on_subnet = [&](const Interface& i) {
      for (const auto& a : i.addresses)
        if (a.value.contains(gw)) return true;
      return false;
    };
    if (dev) {
      if (!on_subnet(*dev))
        d_.error(r.via->pos, "gateway " + gw.str() + " is not on a subnet of " +
                                 quoted(dev->name.value) + " in namespace " + quoted(ns));
      return;
    }
    for (const auto* i : in_namespace(ns))
      if (on_subnet(*i)) return;
    d_.error(r.via->pos, "gateway " + gw.str() +
                             " is not on a subnet of any address in namespace " + quoted(ns));
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
