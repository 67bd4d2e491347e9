// The actions that give a link the qdiscs of its impairment (state/qdisc.h), for the planner.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace netlab {

// From `have` (the link's netlab qdiscs as read, the root first) to `want`. In place where the
// link keeps the same qdiscs; otherwise the old ones go and the new ones are made, and so where
// a netem's corrupt or reorder goes to or from 0 (a change without them leaves the kernel's as
// they were, and so would the undo of one with them). An empty `want` removes them all, each
// with its undo. `ns` holds the link, `object` names it in the plan; the first action is shown,
// the rest are detail.
std::vector<Action> plan_qdiscs(const std::string& ns, const std::string& object,
                                const std::vector<QdiscObj>& want,
                                const std::vector<const QdiscObj*>& have);

}  // namespace netlab
