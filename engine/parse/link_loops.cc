#include "parse/link_loops.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kinds/link_syntax.h"
#include "model/names.h"

namespace netlab {

namespace {

using Node = std::pair<std::string, std::string>;  // (namespace, link)

// Who stands on whom: a link on the links it references, a bridge on its ports.
std::map<Node, std::vector<Node>> stands_on(const Topology& t) {
  std::map<Node, std::vector<Node>> g;
  auto port = [&](const Interface& i) {
    if (i.bridge) g[{i.ns.value, i.bridge->value}].push_back({i.ns.value, i.name.value});
  };
  for (const auto& v : t.veths) {
    port(v.end);
    port(v.peer);
  }
  for (const auto& l : t.links) {
    port(l.iface);
    if (const LinkSyntax* s = find_link_syntax(l.kind))
      for (const auto& ref : s->references(l))
        g[{l.iface.ns.value, l.iface.name.value}].push_back(ref);
  }
  return g;
}

// The path from `from` back to `start`, if there is one.
bool path_back(const std::map<Node, std::vector<Node>>& g, const Node& from, const Node& start,
               std::set<Node>& seen, std::vector<Node>& path) {
  if (!seen.insert(from).second) return false;
  auto it = g.find(from);
  if (it == g.end()) return false;
  for (const auto& next : it->second) {
    path.push_back(next);
    if (next == start || path_back(g, next, start, seen, path)) return true;
    path.pop_back();
  }
  return false;
}

}  // namespace

void check_link_loops(const Topology& t, Diagnostics& d) {
  auto g = stands_on(t);
  std::set<Node> in_a_loop;
  for (const auto& l : t.links) {
    Node self{l.iface.ns.value, l.iface.name.value};
    if (in_a_loop.count(self) || !g.count(self)) continue;
    std::set<Node> seen;
    std::vector<Node> path{self};
    if (!path_back(g, self, self, seen, path)) continue;
    std::string chain;
    for (const auto& n : path) {
      chain += (chain.empty() ? "" : " -> ") + n.second;
      in_a_loop.insert(n);
    }
    d.error(l.iface.name.pos, l.kind + " " + quoted(self.second) + " stands on itself: " + chain +
                                  " (a link cannot be the underlay or parent of a link it is "
                                  "under, nor of the bridge it is a port of)");
  }
}

}  // namespace netlab
