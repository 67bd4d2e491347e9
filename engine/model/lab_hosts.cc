#include "model/lab_hosts.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace netlab {

namespace {

// Every interface with addresses, in the order the file has them.
std::vector<const Interface*> addressed(const Topology& t) {
  auto out = all_interfaces(t);
  std::erase_if(out, [](const Interface* i) { return i->addresses.empty(); });
  auto where = [](const Interface* i) {
    return std::tuple(i->pos.line, i->pos.col, i->name.pos.line, i->name.pos.col);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Interface* a, const Interface* b) { return where(a) < where(b); });
  return out;
}

}  // namespace

std::vector<HostEntry> lab_hosts(const Topology& t) {
  std::vector<HostEntry> out;
  std::map<IpAddr, size_t> index;               // an address's entry in `out`
  std::set<std::pair<std::string, int>> given;  // (name, family)
  for (const Interface* i : addressed(t)) {
    const std::string& ns = i->ns.value;
    for (const auto& a : i->addresses) {
      auto [at, fresh] = index.try_emplace(a.value.addr, out.size());
      if (fresh) out.push_back({a.value.addr, {}});
      HostEntry& e = out[at->second];
      for (std::string name : {ns, ns + "-" + i->name.value})
        if (given.insert({name, e.addr.family}).second) e.names.push_back(std::move(name));
    }
  }
  std::erase_if(out, [](const HostEntry& e) { return e.names.empty(); });
  return out;
}

std::optional<IpAddr> find_host(const std::vector<HostEntry>& hosts, const std::string& name) {
  for (const auto& e : hosts)
    if (std::find(e.names.begin(), e.names.end(), name) != e.names.end()) return e.addr;
  return std::nullopt;
}

std::string hosts_text(const std::vector<HostEntry>& hosts, const std::string& lab) {
  std::string s = "# netlab:" + lab + ": written by `netlab up`, removed by `netlab down`\n";
  s += "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const auto& e : hosts) {
    s += e.addr.str();
    char sep = '\t';
    for (const auto& n : e.names) {
      s += sep + n;
      sep = ' ';
    }
    s += '\n';
  }
  return s;
}

}  // namespace netlab
