#include "plan/plan.h"

namespace netlab {

std::string describe_link(const LinkObj& l) {
  if (l.kind == "veth" && !l.peer_name.empty())
    return "veth " + l.name + " (peer " + l.peer_name + " in " + l.peer_ns + ")";
  return (l.kind.empty() ? std::string("link") : l.kind) + " " + l.name;
}

std::string describe_route(const RouteObj& r) {
  std::string s = "route " + (r.dst.prefix == 0 ? std::string("default") : r.dst.str());
  if (r.via) s += " via " + r.via->str();
  if (!r.dev.empty()) s += " dev " + r.dev;
  if (r.metric && !(r.dst.addr.is_v6() && r.metric == 1024))  // 1024: IPv6's default
    s += " metric " + std::to_string(r.metric);
  return s;
}

std::string format_action(const Action& a) {
  const char* sign = a.op == Op::Create ? "+" : a.op == Op::Change ? "~" : "-";
  std::string s = std::string(sign) + " " + a.object;
  if (a.ns != kHost || a.object.rfind("namespace ", 0) != 0) s += " in " + a.ns;
  if (!a.why.empty()) s += "  (" + a.why + ")";
  return s;
}

}  // namespace netlab
