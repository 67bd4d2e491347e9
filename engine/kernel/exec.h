// Running a command inside a lab's network namespace, the way `ip netns exec` does: a forked
// child enters the namespace, gets a mount namespace of its own with a /sys of that network
// namespace and /etc/netns/NAME/* over /etc/*, then execs the command directly (no shell).
// Unlike `ip netns exec`, the command runs in a PID namespace of its own (with its /proc),
// whose PID 1 is that forked child: when the command ends, or the caller dies (even by
// SIGKILL), the kernel ends everything the command started. Nothing outlives the exec.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apply/kernel.h"

namespace netlab::kernel {

// The namespace could not be entered or the command not started. exit_status follows
// env(1): 125 the namespace (or its mounts) failed, 126 the command cannot run, 127 not found.
class ExecError : public KernelError {
 public:
  ExecError(const std::string& what, int err, int status)
      : KernelError(what, err), exit_status(status) {}
  int exit_status;
};

struct ExecOptions {
  bool capture_stdout = false;  // otherwise the child shares the caller's stdout
  bool capture_stderr = false;
  // Captured bytes kept of each stream; the rest is read (the command never blocks on a full
  // pipe) and dropped.
  size_t capture_limit = SIZE_MAX;
  // Called in the caller with the pid of the forked child once it exists: signals sent to
  // that pid (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2) reach every process of the
  // command's PID namespace.
  std::function<void(pid_t)> started;
  // When set, the command and all it started are killed (SIGKILL) after this long.
  std::optional<std::chrono::milliseconds> timeout;
};

struct ExecResult {
  int status = 0;          // the command's exit status, or 128 + signal when a signal killed it
  std::string out;         // captured stdout (when asked for)
  std::string err;         // captured stderr (when asked for)
  bool timed_out = false;  // killed at the timeout: status is then 128 + SIGKILL
};

// Runs argv (argv[0] searched in PATH) in the named namespace; "host" runs it in the caller's
// network namespace. The command starts with SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1,
// SIGUSR2 and SIGPIPE at their defaults and no signal blocked, whatever the caller does with
// them. Whatever it leaves running when it exits is killed. Needs CAP_SYS_ADMIN (a PID
// namespace). Throws ExecError.
ExecResult exec_in_netns(const std::string& ns, const std::vector<std::string>& argv,
                         const ExecOptions& options = {});

}  // namespace netlab::kernel
