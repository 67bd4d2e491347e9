// Puts back a link a failed run deleted (step::RestoreLink), as it was read before the run.
#pragma once

#include "apply/kernel.h"
#include "plan/plan.h"

namespace netlab {

void restore_link(Kernel& kernel, const step::RestoreLink& x);

}  // namespace netlab
