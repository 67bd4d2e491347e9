// Links that stand on each other in a loop: a vxlan whose underlay is the bridge it is a port
// of, two links each on the other. The kernel refuses the first (EBUSY: the bridge already has
// the vxlan above it) and cannot make the second at all; the file is refused instead.
#pragma once

#include "model/diagnostic.h"
#include "model/topology.h"

namespace netlab {

// One error per loop, at the name of its first link in the file that stands on another.
void check_link_loops(const Topology& t, Diagnostics& d);

}  // namespace netlab
