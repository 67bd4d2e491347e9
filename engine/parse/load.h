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

// The keys the parser accepts in each kind of mapping, for the schema-agreement test:
// sections "topology", "host", "namespace", "route", "bridge", "veth", "peer", "nat", "test".
const std::map<std::string, std::vector<std::string>>& topology_keys();

}  // namespace netlab
