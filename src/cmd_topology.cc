// Verbs that only read a topology file: validate, graph.
#include <cstdio>

#include "commands.h"
#include "graph/dot.h"
#include "parse/load.h"

namespace netlab::cli {

void report(const Diagnostics& diagnostics) {
  for (const auto& d : diagnostics.sorted()) print_stderr(printable(d.str()));
}

std::optional<Topology> load_or_report(const std::string& file) {
  auto result = load_topology_file(file);
  report(result.diagnostics);
  return std::move(result.topology);
}

int cmd_validate(const Context&, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  print_line(file + ": lab " + t->name.value + " is valid (" +
             std::to_string(t->namespaces.size()) + " namespaces, " +
             std::to_string(t->bridges.size()) + " bridges, " + std::to_string(t->veths.size()) +
             " veths, " + std::to_string(t->nat.size()) + " nat rules)");
  return 0;
}

int cmd_graph(const Context&, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  std::fputs(topology_to_dot(*t).c_str(), stdout);
  return 0;
}

}  // namespace netlab::cli
