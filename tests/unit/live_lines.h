// A live state as lines to compare: what a user would see of two kernels, without what differs
// between two equal ones (ifindexes, the order of IPv6 addresses).
#pragma once

#include <string>
#include <vector>

#include "state/objects.h"

namespace netlab::testing {

// One line per namespace, link, route, sysctl, NAT rule and address: ifindexes replaced by the
// peer's (or lower link's) name, links and routes sorted, IPv4 addresses in the kernel's order.
std::vector<std::string> live_lines(const LiveState& s);

}  // namespace netlab::testing
