#include "record/record.h"

#include <algorithm>

namespace netlab {

std::string OwnedEntry::str() const {
  switch (kind) {
    case Kind::Namespace:
      return "namespace " + name;
    case Kind::Link:
      return "link " + name + " in " + ns;
    case Kind::Route:
      return "route " + route.dst.str() + " in " + ns;
    case Kind::Sysctl:
      return "sysctl " + name + " in " + ns;
    case Kind::Nat:
      return "nat rules in " + ns;
    case Kind::Host:
      return "the lab's own host namespace";
    case Kind::Service:
      return "service " + name + " in " + ns;
    case Kind::Qdisc:
      return "link impairments in " + ns;
  }
  return "?";
}

bool Record::empty() const {
  return namespaces.empty() && links.empty() && routes.empty() && sysctl_old.empty() &&
         nat_namespaces.empty() && qdisc_namespaces.empty() && !private_host && services.empty();
}

const RouteObj* Record::route(const RouteObj& r) const {
  auto it =
      std::find_if(routes.begin(), routes.end(), [&](const RouteObj& o) { return o.same_key(r); });
  return it == routes.end() ? nullptr : &*it;
}

void Record::own(const OwnedEntry& e) {
  switch (e.kind) {
    case OwnedEntry::Kind::Namespace:
      namespaces.insert(e.name);
      if (e.cookie) ns_cookies[e.name] = e.cookie;
      break;
    case OwnedEntry::Kind::Link:
      links[{e.ns, e.name}] = e;
      break;
    case OwnedEntry::Kind::Route:
      // One route per key: an edit of its gateway or device replaces what is recorded.
      std::erase_if(routes, [&](const RouteObj& o) { return o.same_key(e.route); });
      routes.push_back(e.route);
      break;
    case OwnedEntry::Kind::Sysctl:
      sysctl_old.emplace(std::make_pair(e.ns, e.name), e.old_value);
      break;
    case OwnedEntry::Kind::Nat:
      nat_namespaces.insert(e.ns);
      break;
    case OwnedEntry::Kind::Service:
      services[{e.ns, e.name}] = e;
      break;
    case OwnedEntry::Kind::Qdisc:
      qdisc_namespaces.insert(e.ns);
      break;
    case OwnedEntry::Kind::Host:
      private_host = true;
      host_cookie = e.cookie;  // 0: being made, its identity not known yet
      break;
  }
}

void Record::disown(const OwnedEntry& e) {
  switch (e.kind) {
    case OwnedEntry::Kind::Namespace:
      namespaces.erase(e.name);
      ns_cookies.erase(e.name);
      // Its settings go with it: there is nothing left to restore them in.
      std::erase_if(sysctl_old, [&](const auto& kv) { return kv.first.first == e.name; });
      break;
    case OwnedEntry::Kind::Link:
      links.erase({e.ns, e.name});
      break;
    case OwnedEntry::Kind::Route:
      std::erase_if(routes, [&](const RouteObj& o) { return o.same_key(e.route); });
      break;
    case OwnedEntry::Kind::Sysctl:
      sysctl_old.erase({e.ns, e.name});
      break;
    case OwnedEntry::Kind::Nat:
      nat_namespaces.erase(e.ns);
      break;
    case OwnedEntry::Kind::Service:
      services.erase({e.ns, e.name});
      break;
    case OwnedEntry::Kind::Qdisc:
      qdisc_namespaces.erase(e.ns);
      break;
    case OwnedEntry::Kind::Host: {
      private_host = false;
      host_cookie = 0;
      // What was in it went with it.
      auto in_host = [](const std::string& ns) { return ns == kHost; };
      std::erase_if(links, [&](const auto& kv) { return in_host(kv.first.first); });
      std::erase_if(routes, [&](const RouteObj& r) { return in_host(r.ns); });
      std::erase_if(sysctl_old, [&](const auto& kv) { return in_host(kv.first.first); });
      nat_namespaces.erase(kHost);
      qdisc_namespaces.erase(kHost);
      break;
    }
  }
}

}  // namespace netlab
