// Runs a piece of a test in a child process inside a sandbox of its own, so that many
// randomized cases each start from a fresh kernel; what the child returns comes back as text.
#pragma once

#include <functional>
#include <string>

namespace netlab::testing {

// `f` runs in a forked child that first enters a fresh sandbox; its result ("" = fine) is
// returned, or a note that the child died or threw.
std::string in_child_sandbox(const std::function<std::string()>& f);

}  // namespace netlab::testing
