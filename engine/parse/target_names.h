// Checks may name their target as the lab names its addresses (engine/model/lab_hosts.h):
// `ping: web`, `tcp: web-eth0:8000`. Resolved once the whole file is read.
#pragma once

#include "model/diagnostic.h"
#include "model/topology.h"
#include "parse/yaml_reader.h"

namespace netlab {

// Sets each named target's address; a name the lab does not give is an error, unless what the
// reader dropped could have given it.
void resolve_target_names(Topology& t, const ReadGaps& gaps, Diagnostics& diags);

}  // namespace netlab
