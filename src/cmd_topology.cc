// Verbs that only read a topology file: validate, graph.
#include <cstdio>

#include "commands.h"
#include "graph/dot.h"
#include "parse/load.h"

namespace netlab::cli {

std::optional<Topology> load_or_report(const std::string& file) {
  auto result = load_topology_file(file);
  for (const auto& d : result.diagnostics.sorted()) std::fprintf(stderr, "%s\n", d.str().c_str());
  return std::move(result.topology);
}

int cmd_validate(const Context&, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  std::printf("%s: lab %s is valid (%zu namespaces, %zu bridges, %zu veths, %zu nat rules)\n",
              file.c_str(), t->name.value.c_str(), t->namespaces.size(), t->bridges.size(),
              t->veths.size(), t->nat.size());
  return 0;
}

int cmd_graph(const Context&, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  std::fputs(topology_to_dot(*t).c_str(), stdout);
  return 0;
}

}  // namespace netlab::cli
