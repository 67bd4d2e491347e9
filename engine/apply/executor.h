// The executor: the only code that changes the kernel. Applies a plan in order, journals
// each ownership change before the kernel sees it, and on failure (or an interrupt) takes
// back what this run did, newest first.
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

struct ApplyCounts {
  size_t created = 0, changed = 0, deleted = 0;
};

class Executor {
 public:
  // Called after each applied action (for progress output).
  using Progress = std::function<void(const Action&, size_t done, size_t total)>;
  // Called with namespaces the plan creates once no later action works in them, at the end
  // of a phase: they can be read back while the rest of the plan goes on. What it throws
  // fails the run.
  using Finished = std::function<void(const std::vector<std::string>& namespaces)>;

  Executor(Kernel& kernel, RecordStore& store, Record& record)
      : kernel_(kernel), store_(store), record_(record) {}

  // `stop` is polled between actions: set by SIGINT/SIGTERM handlers.
  ApplyCounts apply(const Plan& plan, const std::string& file, const Progress& progress = {},
                    const std::atomic<bool>* stop = nullptr, const Finished& on_finished = {});

 private:
  void run(const Step& s);
  void set_sysctl(const step::SetSysctl& x);
  void hold_sysctl(const step::HoldSysctl& x);
  void release_sysctl(const step::ReleaseSysctl& x);
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
