// The planner: a pure function from (desired state, live state, lab record) to a plan. No I/O,
// so it is tested with hand-written states.
#pragma once

#include "plan/plan.h"
#include "record/host_settings.h"
#include "state/desired.h"

namespace netlab {

struct PlanOptions {
  // For `status`: plan on past the conflicts as if the lab owned what it declares, to show
  // everything else's drift. Such a plan is only read, never applied.
  bool past_conflicts = false;
};

// For `up`: converge to `desired`. Objects the lab owns but no longer declares are deleted;
// objects it does not own are never touched (a need to is a conflict). `held`: the host
// settings the labs hold now (a host sysctl another lab holds at another value is a conflict).
Plan make_plan(const DesiredState& desired, const LiveState& live, const Record& record,
               const HeldSettings& held = {}, PlanOptions options = {});

// For `down`: delete everything the record (and the lab's tags in the live state) says the
// lab owns, and restore the host settings it changed.
Plan make_down_plan(const std::string& lab, const LiveState& live, const Record& record,
                    const HeldSettings& held = {});

// What to read from the kernel to plan a `down` (or the deletions of an `up`).
ReadRequest record_read_request(const Record& record);

}  // namespace netlab
