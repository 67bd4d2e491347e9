// Runs checks concurrently, each on a worker thread of its own until there are more checks than
// workers: a check tries again, while it fails, until its `wait:` is over.
#pragma once

#include <string>
#include <vector>

#include "api/lab_tests.h"

namespace netlab::checks {

// `lab`: the lab's key, whose instance (if any) names the namespaces; `isolated`: "host" is
// the lab's own (engine/model/instance.h).
std::vector<TestResult> run_checks(const std::vector<Test>& tests,
                                   const kernel::PingOptions& options, const std::string& lab,
                                   bool isolated = false);

}  // namespace netlab::checks
