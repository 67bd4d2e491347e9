// The parser's entry points: a topology file in, a validated Topology or every problem out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/topology.h"

namespace netlab {

struct LoadResult {
  std::optional<Topology> topology;
  Diagnostics diagnostics;
};

// Reads, parses and validates. topology is set only when there are no errors (warnings may be).
LoadResult load_topology_file(const std::string& path);
LoadResult load_topology_text(std::string_view text, const std::string& filename);

// The path to record for a topology file (Topology::file before `up`): absolute, without "."
// or "..", so that `status` and `test` by name find it from any directory. The loader leaves
// Topology::file as given, as `test --json` shows it.
std::string topology_path(const std::string& path);

// The keys the parser accepts in each kind of mapping, for the schema-agreement test:
// sections "topology", "host", "namespace", "route", "bridge", "veth", "peer", "nat", "test".
const std::map<std::string, std::vector<std::string>>& topology_keys();

}  // namespace netlab
