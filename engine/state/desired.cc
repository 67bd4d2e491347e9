#include "state/desired.h"

#include <algorithm>
#include <map>
#include <optional>

#include "kinds/link_kind.h"
#include "model/instance.h"
#include "model/sysctl_key.h"

namespace netlab {

namespace {

std::string link_id(const std::string& ns, const std::string& name) {
  return link_vertex(ns, name);
}
std::string cfg_id(const std::string& ns, const std::string& name) {
  return "cfg:" + ns + "/" + name;
}

// Whether the file uses IPv6 anywhere: an address, a route or a check's target.
bool uses_ipv6(const Topology& t) {
  auto iface = [](const Interface& i) {
    return std::any_of(i.addresses.begin(), i.addresses.end(),
                       [](const auto& a) { return a.value.addr.is_v6(); });
  };
  auto routes = [](const std::vector<Route>& rs) {
    return std::any_of(rs.begin(), rs.end(), [](const Route& r) {
      return (r.dst && r.dst->addr.is_v6()) || (r.via && r.via->value.is_v6());
    });
  };
  return std::any_of(t.bridges.begin(), t.bridges.end(),
                     [&](const Bridge& b) { return iface(b.iface); }) ||
         std::any_of(t.veths.begin(), t.veths.end(),
                     [&](const Veth& v) { return iface(v.end) || iface(v.peer); }) ||
         std::any_of(t.links.begin(), t.links.end(),
                     [&](const Link& l) { return iface(l.iface); }) ||
         routes(t.host.routes) ||
         std::any_of(t.namespaces.begin(), t.namespaces.end(),
                     [&](const Namespace& n) { return routes(n.routes); }) ||
         std::any_of(t.tests.begin(), t.tests.end(),
                     [](const Test& x) { return x.kind != CheckKind::Exec && x.to.value.is_v6(); });
}

class Builder {
 public:
  // An IPv4 lab's links get no IPv6 link-local address unless the file asks: otherwise each
  // new link's duplicate address detection, multicast reports and router solicitations are
  // flooded by its bridge to every other port, seconds of kernel CPU in a large lab.
  Builder(DesiredState& d, bool link_local) : d_(d), link_local_(link_local) {}

  size_t vertex(std::string id, Facet facet, size_t index) {
    size_t v = d_.graph.add(std::move(id));
    d_.vertices.push_back({facet, index});
    return v;
  }

  void need_ns(size_t v, const std::string& ns) {
    if (ns != kHost) d_.graph.need(v, d_.graph.index("ns:" + ns));
  }

  size_t add_interface(const Interface& i, const std::string& kind, const Interface* peer,
                       bool creates) {
    LinkObj l;
    l.ns = i.ns.value;
    l.name = i.name.value;
    l.kind = kind;
    if (i.mtu) l.mtu = i.mtu->value;
    if (i.mac) l.mac = i.mac->value;
    l.up = i.up.value;
    l.ipv6_link_local = i.ipv6_link_local ? i.ipv6_link_local->value : link_local_;
    if (i.bridge) l.master = i.bridge->value;
    l.alias = lab_tag(d_.lab);
    l.group = lab_group(d_.lab);
    if (peer) {
      l.peer_ns = peer->ns.value;
      l.peer_name = peer->name.value;
    }
    d_.links.push_back(l);
    d_.creates.push_back(creates);
    size_t idx = d_.links.size() - 1;
    d_.link_index.emplace(std::pair{l.ns, l.name}, idx);
    size_t v = vertex(link_id(l.ns, l.name), Facet::Link, idx);
    need_ns(v, l.ns);
    if (peer && creates) need_ns(v, l.peer_ns);
    if (peer && !creates) d_.graph.need(v, d_.graph.index(link_id(l.peer_ns, l.peer_name)));
    for (const auto& a : i.addresses) d_.addrs.push_back({l.ns, l.name, a.value});
    return idx;
  }

  // A link of a kind with its own keys: made after the links it stands on.
  void add_link(const Link& from) {
    size_t i = add_interface(from.iface, from.kind, nullptr, true);
    LinkObj& l = d_.links[i];
    for (const auto& [key, value] : from.attrs) l.attrs[key] = value.value;
    size_t v = d_.graph.index(link_id(l.ns, l.name));
    for (const auto& [ns, name] : find_link_kind(l.kind)->references(l)) {
      if (d_.graph.has("ns:" + ns)) need_ns(v, ns);  // else a conflict at plan time
      if (d_.graph.has(link_id(ns, name))) d_.graph.need(v, d_.graph.index(link_id(ns, name)));
    }
  }

  void add_route(const Route& r, const std::string& ns) {
    RouteObj o;
    o.ns = ns;
    o.dst = r.dst.value_or(Cidr{});
    if (r.via) o.via = r.via->value;
    if (r.dev) o.dev = r.dev->value;
    if (r.metric) o.metric = r.metric->value;
    // The kernel gives IPv6 routes without a metric 1024; say so, or no route ever matches.
    if (o.dst.addr.is_v6() && o.metric == 0) o.metric = 1024;
    d_.routes.push_back(o);
  }

  void add_sysctls(const std::vector<Sysctl>& list, const std::string& ns) {
    for (const auto& s : list) d_.sysctls.push_back({ns, s.key, s.value.value});
  }

 private:
  DesiredState& d_;
  bool link_local_;
};

NatRule nat_rule(const Nat& n, const std::string& lab) {
  NatRule r;
  r.ns = n.ns.value;
  r.type = n.type.value;
  // x/0 matches everything: the kernel stores it as no match at all, and so do we.
  if (n.source && n.source->value.prefix > 0) r.source = n.source->value.network();
  if (n.destination && n.destination->value.prefix > 0)
    r.destination = n.destination->value.network();
  if (n.out) r.out = n.out->value;
  if (n.in) r.in = n.in->value;
  if (n.protocol) r.protocol = n.protocol->value;
  if (n.port) r.port = n.port->value;
  if (n.to_addr) r.to_addr = n.to_addr->value;
  if (n.to_port) r.to_port = *n.to_port;
  r.comment = lab_tag(lab);
  r.chain = r.type == NatType::Dnat ? "PREROUTING" : "POSTROUTING";
  // A port forward without a destination forwards the host's own port: traffic that only
  // passes through the host (a lab namespace's connection to port 8080 elsewhere) is left
  // alone, as Docker does.
  r.dst_local = r.type == NatType::Dnat && !r.destination;
  return r;
}

// The OUTPUT copy of a port forward, through which the host's own connections are forwarded
// too; nullopt when they must not be. Those connections arrive on no interface: a forward
// with `in: X` is for traffic arriving on X only, while `in: "!X"` takes them as well. Without
// a destination, loopback destinations are left out, as Docker's OUTPUT rule does: the
// host's 127.0.0.1:PORT is a local service, and DNAT of a loopback source to the lab fails.
std::optional<NatRule> host_copy(const NatRule& forward) {
  if (forward.type != NatType::Dnat) return std::nullopt;
  if (!forward.in.empty() && forward.in[0] != '!') return std::nullopt;
  NatRule out = forward;
  out.chain = "OUTPUT";
  out.in.clear();
  if (!out.destination) {
    out.destination = *Cidr::parse("127.0.0.0/8");
    out.destination_negated = true;
  }
  return out;
}

// An IPv6 router forwards to a new neighbour only once its own link-local address has left
// duplicate address detection (~1 s after the link comes up): routed IPv6 would not work when
// `up` returns. A namespace that forwards IPv6 gets DAD off for the links it makes (the links
// copy `default`, set before them: defaults_before_links), unless its file says otherwise.
// Only routers pay for it: a write to /proc/sys costs more the more namespaces there are.
std::optional<SysctlObj> router_dad(const Namespace& ns) {
  constexpr const char* kKey = "net.ipv6.conf.default.accept_dad";
  bool forwards = false;
  for (const auto& s : ns.sysctl) {
    if (s.key == kKey) return std::nullopt;
    if ((s.key == "net.ipv6.conf.all.forwarding" || s.key == "net.ipv6.conf.default.forwarding") &&
        s.value.value != "0")
      forwards = true;
  }
  if (!forwards) return std::nullopt;
  return SysctlObj{ns.name, kKey, "0"};
}

// A link copies its namespace's `conf.default` settings when it is made: the file's must be
// in place before the lab makes any link there (either end of a veth).
void defaults_before_links(DesiredState& d, size_t sysctl_vertex, const std::string& ns) {
  for (size_t i = 0; i < d.links.size(); ++i) {
    const auto& l = d.links[i];
    if (d.creates[i] && (l.ns == ns || l.peer_ns == ns))
      d.graph.need(d.graph.index(link_id(l.ns, l.name)), sysctl_vertex);
  }
}

// A veth end's qdiscs, once the link is configured (a link the plan makes has none before).
void add_impairs(DesiredState& d, Builder& b, const Topology& t) {
  auto add = [&](const Interface& end) {
    if (!end.impair || *end.impair == Impairment{}) return;
    ImpairObj m{end.ns.value, end.name.value, *end.impair};
    if (end.mtu) m.mtu = end.mtu->value;
    d.impairs.push_back(m);
    size_t v = b.vertex(impair_vertex(m.ns, m.dev), Facet::Impair, d.impairs.size() - 1);
    d.graph.need(v, d.graph.index(cfg_id(m.ns, m.dev)));
  };
  for (const auto& v : t.veths) {
    add(v.end);
    add(v.peer);
  }
}

}  // namespace

std::string link_vertex(const std::string& ns, const std::string& name) {
  return "link:" + ns + "/" + name;
}

std::string impair_vertex(const std::string& ns, const std::string& dev) {
  return "impair:" + ns + "/" + dev;
}

std::string route_vertex(const RouteObj& r) {
  return "route:" + r.ns + "/" + r.dst.str() + "/" + std::to_string(r.metric);
}

int DesiredState::find_link(const std::string& ns, const std::string& name) const {
  auto it = link_index.find({ns, name});
  return it == link_index.end() ? -1 : static_cast<int>(it->second);
}

ReadRequest DesiredState::read_request() const {
  ReadRequest r;
  r.namespaces = namespaces;
  for (const auto& s : sysctls) r.sysctl_keys[s.ns].push_back(s.key);
  for (const auto& l : links)
    if (std::find(r.link_kinds.begin(), r.link_kinds.end(), l.kind) == r.link_kinds.end())
      r.link_kinds.push_back(l.kind);
  for (const auto& n : nat)
    if (std::find(r.nat_namespaces.begin(), r.nat_namespaces.end(), n.ns) == r.nat_namespaces.end())
      r.nat_namespaces.push_back(n.ns);
  for (const auto& l : links)
    if (l.ns == kHost) r.host_links.push_back(l.name);
  for (const auto& m : impairs) {
    r.qdisc_namespaces.insert(m.ns);
    // The kinds impair_qdiscs makes; not one where no link is impaired.
    auto need = [&](const char* kind) {
      if (std::find(r.qdisc_kinds.begin(), r.qdisc_kinds.end(), kind) == r.qdisc_kinds.end())
        r.qdisc_kinds.push_back(kind);
    };
    if (m.needs_netem()) need("netem");
    if (m.value.rate) need("tbf");
  }
  std::sort(r.qdisc_kinds.begin(), r.qdisc_kinds.end());
  return r;
}

DesiredState build_desired(const Topology& t, const std::string& instance) {
  DesiredState d;
  d.lab = lab_key(t.name.value, instance);
  d.isolated = t.host.isolated.value;
  d.file = t.file;
  d.hosts = lab_hosts(t);
  Builder b(d, uses_ipv6(t));

  const auto key = parse_lab_key(d.lab);
  for (const auto& ns : t.namespaces) {
    for (const auto& s : ns.services)
      d.services.push_back(service_spec(
          s, ns.name, lab_namespace(ns.name, t.name.value, key ? key->instance : "", d.isolated)));
    d.namespaces.push_back(ns.name);
    for (const auto& server : ns.dns) d.dns[ns.name].push_back(server.value);
    b.vertex("ns:" + ns.name, Facet::Namespace, d.namespaces.size() - 1);
  }
  for (const auto& br : t.bridges) b.add_interface(br.iface, "bridge", nullptr, true);
  for (const auto& v : t.veths) {
    b.add_interface(v.end, "veth", &v.peer, true);
    b.add_interface(v.peer, "veth", &v.end, false);
  }
  for (const auto& l : t.links) b.add_link(l);

  // Configuration: alias, bridge, admin state. A port joins its bridge before the bridge
  // comes up: ports joining a bridge that is up cost the kernel a rescan of all ports each.
  // Of each veth pair, the end in the namespace with more links comes up first (in the
  // order vertices are added), all of them before any second end: a pair gets its carrier
  // when its second end comes up, and carrier starts the kernel's IPv6 start-up work for both
  // ends. The end coming up then does its share at once, the other end its share on a kernel
  // thread under the RTNL lock, alongside our later requests. So the requests without carrier
  // go before all that work, and the end that does it at once is the one in the smaller
  // namespace, with the smaller tables. (The floor program of bench/ brought up at N=1000:
  // 1000 veth pairs end by end in 160-210 ms; all first ends, then all second ends, in
  // 80-160 ms.)
  std::map<std::string, size_t> links_in;
  for (const auto& l : d.links) ++links_in[l.ns];
  auto comes_up_second = [&](size_t i) {
    const auto& l = d.links[i];
    if (!paired(l)) return false;
    size_t mine = links_in[l.ns], theirs = links_in[l.peer_ns];
    return d.creates[i] ? mine < theirs : mine <= theirs;
  };
  for (bool second : {false, true})
    for (size_t i = 0; i < d.links.size(); ++i) {
      if (comes_up_second(i) != second) continue;
      const auto& l = d.links[i];
      size_t v = b.vertex(cfg_id(l.ns, l.name), Facet::LinkConfig, i);
      d.graph.need(v, d.graph.index(link_id(l.ns, l.name)));
      if (!l.master.empty()) d.graph.need(v, d.graph.index(link_id(l.ns, l.master)));
    }
  // A link on another after that one: the kernel bounds its MTU by that one's (a macvlan's
  // parent, a vxlan's underlay), which may change in the same run. Not a port on its own
  // lower link: that bridge is configured after its ports.
  for (const auto& l : d.links)
    for (const auto& [ns, name] : find_link_kind(l.kind)->references(l))
      if (d.graph.has(cfg_id(ns, name)) && !(ns == l.ns && name == l.master))
        d.graph.need(cfg_id(l.ns, l.name), cfg_id(ns, name));
  // And after the ports' peers: the peer coming up is what gives the port its carrier.
  for (const auto& l : d.links) {
    if (l.master.empty()) continue;
    d.graph.need(cfg_id(l.ns, l.master), cfg_id(l.ns, l.name));
    if (paired(l)) d.graph.need(cfg_id(l.ns, l.master), cfg_id(l.peer_ns, l.peer_name));
  }
  // And as late as what needs them allows. A bridge coming up opens the lab to the IPv6
  // start-up traffic of every link behind it (DAD, MLD reports, router solicitations), which
  // the bridge floods to all its ports: N^2 deliveries, seconds of CPU at N=500, that slow
  // every request sent meanwhile. Everything that does not need the bridge goes before it.
  for (const auto& l : d.links)
    if (takes_ports(l)) d.graph.defer(d.graph.index(cfg_id(l.ns, l.name)));
  add_impairs(d, b, t);
  for (const auto& ns : t.namespaces) {
    d.loopbacks.push_back({ns.name, ns.loopback_up.value});
    size_t v = b.vertex(cfg_id(ns.name, "lo"), Facet::Loopback, d.loopbacks.size() - 1);
    b.need_ns(v, ns.name);
  }

  // Addresses after their link is up: IPv6 neighbour discovery is ready at once then.
  for (size_t i = 0; i < d.addrs.size(); ++i) {
    const auto& a = d.addrs[i];
    size_t v = b.vertex("addr:" + a.ns + "/" + a.dev + "/" + a.cidr.str(), Facet::Address, i);
    d.graph.need(v, d.graph.index(cfg_id(a.ns, a.dev)));
  }

  for (const auto& r : t.host.routes) b.add_route(r, kHost);
  for (const auto& ns : t.namespaces)
    for (const auto& r : ns.routes) b.add_route(r, ns.name);
  // Addresses by namespace: a gateway is looked up among its own namespace's only.
  std::map<std::string, std::vector<size_t>> addrs_in;
  for (size_t i = 0; i < d.addrs.size(); ++i) addrs_in[d.addrs[i].ns].push_back(i);
  for (size_t i = 0; i < d.routes.size(); ++i) b.vertex(route_vertex(d.routes[i]), Facet::Route, i);
  for (size_t i = 0; i < d.routes.size(); ++i) {
    const auto& r = d.routes[i];
    size_t v = d.graph.index(route_vertex(r));
    b.need_ns(v, r.ns);
    // Or the device route (no gateway) that makes the gateway a neighbour (point-to-point).
    for (const auto& n : d.routes)
      if (r.via && !n.via && n.ns == r.ns && !n.dev.empty() && n.dst.contains(*r.via) &&
          (r.dev.empty() || r.dev == n.dev))
        d.graph.need(v, d.graph.index(route_vertex(n)));
    // A gateway route needs its device up and an address on the gateway's subnet.
    if (!r.dev.empty() && d.graph.has(cfg_id(r.ns, r.dev)))
      d.graph.need(v, d.graph.index(cfg_id(r.ns, r.dev)));
    if (r.via)
      for (size_t ai : addrs_in[r.ns])
        if (const auto& a = d.addrs[ai]; a.cidr.contains(*r.via))
          d.graph.need(v, d.graph.index("addr:" + a.ns + "/" + a.dev + "/" + a.cidr.str()));
  }

  b.add_sysctls(t.host.sysctl, kHost);
  for (const auto& ns : t.namespaces) {
    b.add_sysctls(ns.sysctl, ns.name);
    if (auto dad = router_dad(ns)) d.sysctls.push_back(*dad);
  }
  for (size_t i = 0; i < d.sysctls.size(); ++i) {
    const auto& s = d.sysctls[i];
    size_t v = b.vertex("sysctl:" + s.ns + "/" + s.key, Facet::Sysctl, i);
    b.need_ns(v, s.ns);
    auto dev = sysctl_key_device(s.key);
    if (!dev.empty() && d.graph.has(link_id(s.ns, dev)))
      d.graph.need(v, d.graph.index(link_id(s.ns, dev)));
    else if (dev == "default")
      defaults_before_links(d, v, s.ns);
  }

  for (const auto& n : t.nat) {
    d.nat.push_back(nat_rule(n, d.lab));
    if (auto out = host_copy(d.nat.back())) d.nat.push_back(*out);
  }
  for (size_t i = 0; i < d.nat.size(); ++i) {
    size_t v = b.vertex("nat:" + d.nat[i].ns + "/" + std::to_string(i), Facet::Nat, i);
    b.need_ns(v, d.nat[i].ns);
  }

  d.graph.order();  // throws on a cycle
  return d;
}

}  // namespace netlab
