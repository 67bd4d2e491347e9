// Routes of the main table, tagged with netlab's protocol number.
#include <linux/rtnetlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "kernel/netlink_kernel.h"
#include "kernel/nl_socket.h"

namespace netlab {

using namespace kernel;

namespace {

std::string describe(const char* verb, const RouteObj& r) {
  std::string s = std::string(verb) + " route " + r.dst.str();
  if (r.via) s += " via " + r.via->str();
  if (!r.dev.empty()) s += " dev " + r.dev;
  if (r.metric) s += " metric " + std::to_string(r.metric);
  return s + " proto " + std::to_string(r.protocol) + " in " + r.ns;
}

// Everything the kernel matches a route on: used alike to add and to delete, so a delete
// removes exactly the route an add made (and never the kernel's or another tool's).
RoutePtr route_template(const RouteObj& r, int oif, const std::string& what) {
  RoutePtr route = checked<RoutePtr>(rtnl_route_alloc());
  int family = r.dst.addr.family;
  auto fail = [&](int err) { throw KernelError(what + ": " + nl_geterror(err), 0); };
  if (int err = rtnl_route_set_family(route.get(), family); err < 0) fail(err);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), r.protocol);
  if (int err = rtnl_route_set_type(route.get(), RTN_UNICAST); err < 0) fail(err);
  // Like `ip route`: a v4 route without gateway is on-link (scope link); a gateway route and
  // any v6 route have scope universe.
  bool onlink_v4 = !r.via && !r.dst.addr.is_v6();
  rtnl_route_set_scope(route.get(), onlink_v4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
  rtnl_route_set_priority(route.get(), r.metric);
  Cidr net = r.dst.network();
  if (int err = rtnl_route_set_dst(route.get(), make_nl_addr(net.addr, net.prefix).get()); err < 0)
    fail(err);
  if (r.via || oif) {
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!nh) throw std::bad_alloc();
    if (r.via) rtnl_route_nh_set_gateway(nh, make_nl_addr(*r.via, r.via->bits()).get());
    if (oif) rtnl_route_nh_set_ifindex(nh, oif);
    rtnl_route_add_nexthop(route.get(), nh);  // the route owns it from here
  }
  return route;
}

}  // namespace

void NetlinkKernel::send_route(const RouteObj& r, bool add, bool replace) {
  std::string what = describe(add ? (replace ? "replace" : "add") : "delete", r);
  auto& st = state(r.ns);
  int oif = r.dev.empty() ? 0 : ifindex(r.ns, r.dev, what);
  RoutePtr route = route_template(r, oif, what);
  nl_msg* raw = nullptr;
  int flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
  int err = add ? rtnl_route_build_add_request(route.get(), flags, &raw)
                : rtnl_route_build_del_request(route.get(), 0, &raw);
  st.sock->request(built(err, raw, what).get(), what);
}

void NetlinkKernel::add_route(const RouteObj& r, bool replace) {
  send_route(r, true, replace);
}

void NetlinkKernel::delete_route(const RouteObj& r) {
  send_route(r, false);
}

}  // namespace netlab
