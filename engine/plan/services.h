// What `up` does with a lab's services (README.md, "Services"): a pure function of the file's
// services, the record and what each recorded service's process is now. Its actions go in
// Plan::services, shown like the network's and applied by engine/api/services.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"
#include "record/record.h"
#include "state/service_spec.h"

namespace netlab {

// A recorded service as its process is now.
struct ServiceLive {
  bool running = false;            // its PID 1 proved to be the recorded one and runs
  std::optional<int> exit_status;  // it ended with this status (written by its PID 1)
};
using ServicesLive = std::map<std::pair<std::string, std::string>, ServiceLive>;  // (ns, name)

// Create: start it; Change: stop it and start it again (its definition changed, it is not
// running, or `network`, the plan's actions, makes its namespace anew: it runs in the old one);
// Delete: stop it (no longer declared). A running service of the same definition gets no action.
std::vector<Action> plan_services(const std::vector<ServiceSpec>& wanted, const Record& record,
                                  const ServicesLive& live,
                                  const std::vector<Action>& network = {});

// "running", "exited 3", "not running": in plans and status alike.
std::string service_state_text(const ServiceLive& s);

}  // namespace netlab
