// The family of a `to: default` route without a gateway, which the route alone does not tell.
#pragma once

#include "model/topology.h"

namespace netlab {

// A `default` route without `via` whose `dev` has IPv6 addresses and no IPv4 ones becomes ::/0;
// otherwise it stays 0.0.0.0/0 (so in the host, whose interfaces the file may not declare).
void infer_default_route_families(Topology& t);

}  // namespace netlab
