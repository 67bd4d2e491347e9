#include "parse/validate_routes.h"

#include <map>
#include <utility>

#include "parse/names.h"
#include "parse/net_rules.h"

namespace netlab {

namespace {

class RouteChecker {
 public:
  RouteChecker(const RouteScope& scope, const std::vector<Route>& routes, Diagnostics& d)
      : scope_(scope), routes_(routes), d_(d) {}

  void run() {
    std::map<std::pair<Cidr, uint32_t>, Pos> seen;
    for (const auto& r : routes_) {
      bool dev_ok = true;
      const Interface* dev = route_device(r, dev_ok);
      if (r.via && r.dst) check_gateway(r, dev, dev_ok);
      if (!r.dst) continue;
      check_connected(r);
      auto [it, fresh] = seen.emplace(std::pair{*r.dst, effective_metric(r)}, r.to.pos);
      if (!fresh)
        d_.error(r.to.pos, "duplicate route to " + r.dst->str() + " in namespace " + quoted(ns()) +
                               " (first at " + it->second.line_col() + ")");
    }
  }

 private:
  const std::string& ns() const { return scope_.ns; }
  const std::vector<const Interface*>& interfaces() const { return *scope_.interfaces; }

  const Interface* find_iface(const std::string& name) const {
    for (const auto* i : interfaces())
      if (i->name.value == name) return i;
    return nullptr;
  }

  std::vector<std::string> iface_names() const {
    std::vector<std::string> out{"lo"};
    for (const auto* i : interfaces()) out.push_back(i->name.value);
    return out;
  }

  // The declared interface a route names, if any; dev_ok false (after reporting) if the
  // kernel could not use it.
  const Interface* route_device(const Route& r, bool& dev_ok) {
    if (!r.dev) return nullptr;
    if (r.dev->value == "lo") {
      if (!scope_.loopback_up)
        d_.error(r.dev->pos,
                 "route device \"lo\" is down (loopback: down): the kernel takes no "
                 "route through a down interface");
      return nullptr;
    }
    const Interface* dev = find_iface(r.dev->value);
    if (!dev && scope_.complete) {
      dev_ok = false;
      d_.error(r.dev->pos, with_suggestion("route device " + quoted(r.dev->value) +
                                               " is not an interface of namespace " + quoted(ns()),
                                           r.dev->value, iface_names()));
    }
    if (dev && !dev->up.value) {
      dev_ok = false;
      d_.error(r.dev->pos, "route device " + quoted(r.dev->value) +
                               " is down (up: false): the kernel takes no route through a down "
                               "interface");
    }
    return dev;
  }

  // A route equal to one the kernel adds for an address is refused ("File exists").
  void check_connected(const Route& r) {
    uint32_t metric = effective_metric(r);
    for (const auto* i : interfaces()) {
      if (!i->up.value) continue;
      for (const auto& a : i->addresses) {
        if (connected_metric(a.value) != metric || a.value.network() != *r.dst) continue;
        d_.error(r.to.pos, "route to " + r.dst->str() + " in namespace " + quoted(ns()) +
                               " is the route the kernel adds for address " + a.value.str() +
                               " of " + quoted(i->name.value) + " (metric " +
                               std::to_string(metric) +
                               "); leave it out or give it another metric");
        return;
      }
    }
  }

  void check_gateway(const Route& r, const Interface* dev, bool dev_ok) {
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
    if (gateway_refused(r) || !scope_.complete || !dev_ok) return;
    auto reaches = [&](const Interface& i) {
      if (!i.up.value) return false;
      for (const auto& a : i.addresses)
        if (a.value.contains(gw)) return true;
      return through_device_route(gw, i.name.value);
    };
    if (dev) {
      if (!reaches(*dev))
        d_.error(r.via->pos, "gateway " + gw.str() + " is not on a subnet of " +
                                 quoted(dev->name.value) + " in namespace " + quoted(ns()));
      return;
    }
    bool on_a_down_link = false;
    for (const auto* i : interfaces()) {
      if (reaches(*i)) return;
      for (const auto& a : i->addresses) on_a_down_link |= a.value.contains(gw);
    }
    d_.error(r.via->pos, "gateway " + gw.str() + " is not on a subnet of " +
                             (on_a_down_link ? "an interface that is up" : "any address") +
                             " in namespace " + quoted(ns()));
  }

  // A device route (no gateway) to the gateway's network makes it a neighbour of that device,
  // as on a point-to-point link with /32 addresses.
  bool through_device_route(const IpAddr& gw, const std::string& dev) const {
    for (const auto& r : routes_)
      if (!r.via && r.dev && r.dev->value == dev && r.dst && r.dst->contains(gw)) return true;
    return false;
  }

  // Gateways the kernel refuses whatever the routes: a local IPv6 address, an IPv4 broadcast.
  bool gateway_refused(const Route& r) {
    const IpAddr& gw = r.via->value;
    for (const auto* i : interfaces()) {
      for (const auto& a : i->addresses) {
        if (gw.is_v6() && a.value.addr == gw) {
          d_.error(r.via->pos, "gateway " + gw.str() + " is an address of namespace " +
                                   quoted(ns()) +
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

  const RouteScope& scope_;
  const std::vector<Route>& routes_;
  Diagnostics& d_;
};

}  // namespace

void check_routes(const RouteScope& scope, const std::vector<Route>& routes, Diagnostics& d) {
  RouteChecker(scope, routes, d).run();
}

}  // namespace netlab
