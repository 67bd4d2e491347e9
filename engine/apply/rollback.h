// Taking back what a failed run did, as fast as `down` removes a lab: namespaces the run made
// go whole (the kernel frees each with everything in it, in batches), and nothing inside them is
// undone one by one first; what is left is undone newest first.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "record/store.h"

namespace netlab {

struct RollbackResult {
  size_t undone = 0;                  // changes taken back (details not counted)
  size_t standing = 0;                // deletions that could not be taken back
  std::vector<std::string> failures;  // what could not be taken back, with the kernel's reason
};

// `done` in the order it happened; `partial` the actions that failed and may have half-happened
// (their undo may find nothing to undo). `run` performs a step on the kernel.
// `flushed_routes`: routes the kernel took away with what the run changed, added again last.
RollbackResult roll_back(const std::vector<const Action*>& done,
                         const std::vector<const Action*>& partial,
                         const std::vector<RouteObj>& flushed_routes, Journal& journal,
                         const std::function<void(const Step&)>& run);

}  // namespace netlab
