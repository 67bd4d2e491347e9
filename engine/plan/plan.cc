#include "plan/plan.h"

#include "kinds/link_kind.h"
#include "plan/overload.h"

namespace netlab {

std::string describe_link(const LinkObj& l) {
  if (const LinkKind* kind = find_link_kind(l.kind)) return kind->describe(l);
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

std::vector<std::string> step_namespaces(const Step& s) {
  using V = std::vector<std::string>;
  return std::visit(Overload{
                        [](const step::CreateNamespace& x) { return V{x.name}; },
                        [](const step::DeleteNamespace& x) { return V{x.name}; },
                        [](const step::CreateLink& x) {
                          return x.peer ? V{x.link.ns, x.peer->ns} : V{x.link.ns};
                        },
                        [](const step::ChangeLink& x) { return V{x.ns}; },
                        [](const step::DeleteLink& x) { return V{x.ns}; },
                        [](const step::DeleteGroup& x) { return V{x.ns}; },
                        [](const step::RestoreLink& x) {
                          const auto& o = *x.old;
                          return o.peer ? V{o.link.ns, o.peer->ns} : V{o.link.ns};
                        },
                        [](const step::AddAddress& x) { return V{x.addr.ns}; },
                        [](const step::DeleteAddress& x) { return V{x.addr.ns}; },
                        [](const step::AddRoute& x) { return V{x.route.ns}; },
                        [](const step::DeleteRoute& x) { return V{x.route.ns}; },
                        [](const step::SetSysctl& x) { return V{x.ns}; },
                        [](const step::HoldSysctl& x) { return V{x.ns}; },
                        [](const step::ReleaseSysctl& x) { return V{x.ns}; },
                        [](const step::AddNat& x) { return V{x.rule.ns}; },
                        [](const step::DeleteNat& x) { return V{x.rule.ns}; },
                        [](const step::AddQdisc& x) { return V{x.qdisc.ns}; },
                        [](const step::DeleteQdisc& x) { return V{x.qdisc.ns}; },
                        [](const step::AwaitGone& x) {
                          V v;
                          for (const auto& [ns, link] : x.links) v.push_back(ns);
                          return v;
                        },
                        [](const step::Service&) { return V{}; },  // no network change
                    },
                    s);
}

}  // namespace netlab
