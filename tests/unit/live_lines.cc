#include "live_lines.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

namespace netlab::testing {

namespace {

std::string mac_str(const std::optional<Mac>& m) {
  return m ? format_mac(*m) : "-";
}

}  // namespace

std::vector<std::string> live_lines(const LiveState& s) {
  std::map<int, std::string> by_index;
  for (const auto& [n, ns] : s.ns)
    for (const auto& l : ns.links) by_index[l.ifindex] = n + "/" + l.name;
  std::vector<std::string> out;
  for (const auto& [n, ns] : s.ns) {
    if (!ns.exists) continue;
    out.push_back("namespace " + n);
    std::vector<std::string> part;
    for (const auto& l : ns.links) {
      std::ostringstream o;
      o << n << " link " << l.name << " " << l.kind << " mtu " << l.mtu.value_or(0)
        << (l.up ? " up" : " down") << " master '" << l.master << "' alias '" << l.alias
        << "' group " << l.group << " mac " << mac_str(l.mac);
      if (l.peer_ifindex) o << " peer " << by_index[l.peer_ifindex];
      // A kind's own attributes, and the link it stands on (a macvlan's parent).
      for (const auto& [k, v] : l.attrs) o << " " << k << "=" << v;
      if (l.lower_ifindex) o << " on " << by_index[l.lower_ifindex];
      part.push_back(o.str());
    }
    for (const auto& r : ns.routes)
      part.push_back(n + " route " + r.dst.str() + (r.via ? " via " + r.via->str() : "") + " dev " +
                     r.dev + " metric " + std::to_string(r.metric) + " proto " +
                     std::to_string(r.protocol));
    // The fake reads a key it was never told as 0 (FakeKernel::set_sysctl): so is 0 here.
    for (const auto& [k, v] : ns.sysctl)
      if (v != "0") part.push_back(n + " sysctl " + k + "=" + v);
    for (const auto& r : ns.nat) part.push_back(n + " nat " + r.str());
    std::sort(part.begin(), part.end());
    out.insert(out.end(), part.begin(), part.end());
    // IPv4 in the order the kernel lists them per link (which one is primary, and the first
    // primary is the source for what is off-link); IPv6 has no primary, and the kernel picks
    // a source by its rules, not by the list's order.
    auto addrs = ns.addrs;
    std::stable_sort(addrs.begin(), addrs.end(), [](const AddrObj& x, const AddrObj& y) {
      bool v6 = x.cidr.addr.is_v6();
      if (std::pair(x.dev, v6) != std::pair(y.dev, y.cidr.addr.is_v6()))
        return std::pair(x.dev, v6) < std::pair(y.dev, y.cidr.addr.is_v6());
      return v6 && x.cidr < y.cidr;
    });
    for (const auto& a : addrs) out.push_back(n + " address " + a.dev + " " + a.cidr.str());
  }
  return out;
}

}  // namespace netlab::testing
