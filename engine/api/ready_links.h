// The links an `up` waits for before it returns (Kernel::wait_ready): a user's next command
// (`netlab test`, a ping) must find every link the run started carrying traffic.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"
#include "state/desired.h"

namespace netlab {

using LinkRef = std::pair<std::string, std::string>;  // (namespace, link)

// The links the plan makes, brings up or puts on a bridge, with the veth peers and bridges
// whose carrier follows them: those of them the file means to carry traffic (up; a veth whose
// peer is up, on a bridge that is up if any; a bridge with such a port). Other kinds are not
// waited for: their carrier depends on what the lab does not make (a tun's process, a
// macvlan's parent).
std::vector<LinkRef> links_to_start(const DesiredState& desired, const Plan& plan);

// Of `links`, those the live state does not show ready (LinkObj::ready).
std::vector<LinkRef> not_ready(const std::vector<LinkRef>& links, const LiveState& live);

}  // namespace netlab
