// From the YAML tree to a typed Topology: keys, types and value syntax. Semantic rules that need
// the whole topology (references, duplicates, names) are in validate.h.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/topology.h"
#include "parse/yaml_tree.h"

namespace netlab {

// Where the reader had to drop something, so validation does not report a consequence of an
// error already reported (e.g. "gateway not on any subnet" after a mistyped address).
struct ReadGaps {
  bool aborted = false;              // the walk stopped early (node budget): do not validate
  bool namespaces = false;           // the namespaces section could not be read
  bool bridges = false;              // the bridges section could not be read
  bool interfaces_anywhere = false;  // an interface was dropped, its namespace unknown
  std::set<std::string> interfaces;  // namespaces that may miss interfaces or addresses
};

// Fills what it can even when it reports errors; `gaps` says what is missing.
Topology read_topology(const YDocument& doc, const std::shared_ptr<const std::string>& file,
                       Diagnostics& diags, ReadGaps& gaps);

// Keys accepted in each kind of mapping: "topology", "host", "namespace", "route", "bridge",
// "veth", "peer", "nat", "test".
const std::map<std::string, std::vector<std::string>>& topology_keys();

}  // namespace netlab
