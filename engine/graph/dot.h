// A topology as a Graphviz DOT graph, for `dot -Tsvg`: one cluster per namespace (the host
// too), a node per bridge and interface, solid edges between the two ends of a veth pair and
// dashed edges from a bridge port to its bridge. Meant for people reading a lab, not machines.
#pragma once

#include <string>

#include "model/topology.h"

namespace netlab {

std::string topology_to_dot(const Topology& topology);

// A DOT double-quoted string (quotes included) that reads back as `text`; also safe for labels,
// where a lone backslash would start an escape such as \N.
std::string dot_quote(const std::string& text);

}  // namespace netlab
