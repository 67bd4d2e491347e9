// The executor: the only code that changes the kernel. Applies a plan in order, journals
// each ownership change before the kernel sees it, and on failure (or an interrupt) takes
// back what this run did (apply/rollback.h). A plan that removes a lab goes on past failures
// instead, and reports them all at the end.
#pragma once

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apply/kernel.h"
#include "plan/plan.h"
#include "record/store.h"

namespace netlab {

class ApplyError : public std::runtime_error {
 public:
  ApplyError(const std::string& what, std::vector<std::string> rollback_failures)
      : std::runtime_error(what), rollback_failures(std::move(rollback_failures)) {}
  std::vector<std::string> rollback_failures;  // empty when the machine is as before
};

// A plan that goes on past failures (Plan::keep_going) did all it could; these are what it
// could not do. The record keeps naming what is left, for the next attempt.
class IncompleteError : public std::runtime_error {
 public:
  IncompleteError(const std::string& what, std::vector<std::string> failures)
      : std::runtime_error(what), failures(std::move(failures)) {}
  std::vector<std::string> failures;
};
// "lab NAME: N step(s) failed; everything else was done:" and each failure.
IncompleteError incomplete(const std::string& lab, std::vector<std::string> failures);

struct ApplyCounts {
  size_t created = 0, changed = 0, deleted = 0;
};

// What a run reports as it goes, and what it checks before it is done (Executor::apply).
struct ApplyHooks {
  // Called after each applied action (for progress output).
  std::function<void(const Action&, size_t done, size_t total)> progress;
  const std::atomic<bool>* stop = nullptr;  // polled between actions: set by SIGINT/SIGTERM
  // Called with namespaces the plan creates once no later action works in them, at the end
  // of a phase: they can be read back while the rest of the plan goes on. What it throws
  // fails the run.
  std::function<void(const std::vector<std::string>& namespaces)> on_finished;
  // Called once every action is applied, before the run counts as done: what it throws
  // (the kernel does not look like the plan said) rolls the run back like a failed action.
  std::function<void()> verify;
};

class Executor {
 public:
  using Progress = decltype(ApplyHooks::progress);
  using Hooks = ApplyHooks;

  Executor(Kernel& kernel, RecordStore& store, Record& record)
      : kernel_(kernel), store_(store), record_(record) {}

  ApplyCounts apply(const Plan& plan, const std::string& file, const Hooks& hooks = {});

 private:
  Kernel& kernel_;
  RecordStore& store_;
  Record& record_;
  // Entries known only once their step ran (the value a namespace's sysctl had): journalled
  // with the phase's disowns.
  std::vector<OwnedEntry> learned_;
};

// The kernel call of a step, in words: "create veth veth0 in host".
std::string describe_step(const Step& s);

}  // namespace netlab
