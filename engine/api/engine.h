// The engine's verbs, shared by the command line and the C++ API: read the kernel and the
// record, plan, apply, verify.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apply/executor.h"
#include "kernel/etc_netns.h"
#include "plan/planner.h"
#include "record/store.h"
#include "state/desired.h"

namespace netlab {

// The plan would touch what the lab does not own; nothing was changed.
class ConflictError : public std::runtime_error {
 public:
  explicit ConflictError(std::vector<Conflict> c);
  std::vector<Conflict> conflicts;
};

// After `up`, the kernel still differs from the file.
class VerifyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  std::chrono::milliseconds lock_timeout{30000};
  Executor::Progress progress;
  const std::atomic<bool>* stop = nullptr;  // set by signal handlers: roll back and stop
};

struct Outcome {
  Plan plan;           // what was (or would be) done
  ApplyCounts counts;  // what was done
};

class Engine {
 public:
  Engine(Kernel& kernel, RecordStore& store, Options options = {})
      : kernel_(kernel), store_(store), options_(std::move(options)) {}

  // Changes nothing. Conflicts are in plan.conflicts.
  Plan plan(const DesiredState& desired);
  // Converges the kernel to `desired`; throws ConflictError, ApplyError (rolled back),
  // VerifyError, RecordError.
  Outcome up(const DesiredState& desired);
  // Removes everything the lab made; restores host settings. Idempotent.
  Outcome down(const std::string& lab);
  // The live state that concerns a lab (for status).
  LiveState read(const DesiredState* desired, const Record& record);
  // The host settings the labs hold now (for planning).
  HeldSettings held() const;

  RecordStore& store() { return store_; }
  // The plan of `desired` against what is live, with what keeps the lab from the host it wants
  // and its names from /etc/netns, and its services'.
  Plan plan_against(const DesiredState& desired, const LiveState& live, const Record& record,
                    PlanOptions options = {}) const;
  // What "host" is in the kernel it was given: an isolated lab's own namespace or the machine's
  // (engine/api/machine.h). Decided before the lab's lock; each verb checks it under the lock
  // against the record, and refuses to go on when another run changed the lab meanwhile.
  void set_host_view(bool private_host) { host_view_ = private_host; }
  // Where the lab's namespaces have their /etc/netns entries (engine/api/lab_names.h); without
  // one, the engine writes none.
  void set_etc(const EtcNetns* etc) { etc_ = etc; }

 private:
  void check_host_view(const std::string& lab, bool private_host) const;
  HeldSettings held_for(bool isolated) const;
  Kernel& kernel_;
  RecordStore& store_;
  Options options_;
  std::optional<bool> host_view_;  // unset: the caller vouches for the kernel it gave
  const EtcNetns* etc_ = nullptr;
};

}  // namespace netlab
