// Semantic rules over a whole Topology: names, references between sections, duplicates,
// gateways, NAT shapes, and warnings for traps the seeds ran into.
#pragma once

#include "model/diagnostic.h"
#include "model/topology.h"
#include "parse/yaml_reader.h"

namespace netlab {

// Adds every problem found to `diags`. `gaps` (from the reader) names what is known to be
// incomplete, where a missing object must not be reported as a second error.
void validate_topology(const Topology& t, const ReadGaps& gaps, Diagnostics& diags);

}  // namespace netlab
