#include "parse/route_family.h"

#include <algorithm>

namespace netlab {

namespace {

const Interface* find_interface(const Topology& t, const std::string& ns, const std::string& name) {
  for (const Interface* i : all_interfaces(t))
    if (i->ns.value == ns && i->name.value == name) return i;
  return nullptr;
}

bool ipv6_only(const Interface& i) {
  auto v6 = [](const Located<Cidr>& a) { return a.value.addr.is_v6(); };
  return !i.addresses.empty() && std::all_of(i.addresses.begin(), i.addresses.end(), v6);
}

void infer(const Topology& t, const std::string& ns, std::vector<Route>& routes) {
  for (auto& r : routes) {
    if (r.to.value != "default" || r.via || !r.dev || !r.dst) continue;
    const Interface* dev = find_interface(t, ns, r.dev->value);
    if (dev && ipv6_only(*dev)) r.dst = Cidr::parse("::/0");
  }
}

}  // namespace

void infer_default_route_families(Topology& t) {
  infer(t, kHost, t.host.routes);
  for (auto& ns : t.namespaces) infer(t, ns.name, ns.routes);
}

}  // namespace netlab
