// A service's processes (README.md, "Services"): a program started in a lab namespace the way
// `netlab exec` starts one (kernel/netns_child.h), but detached: a session of its own, stdin
// /dev/null, stdout and stderr to its log file, and it outlives netlab. Its PID 1 (the first
// process of a PID namespace of its own, named "netlab-service") forks the command, passes it
// the signals sent to it and writes the command's exit status to a file when it ends; then the
// kernel kills everything the command started. Stopping that PID 1 stops all of the service.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernel/fd.h"
#include "kernel/netns_child.h"

namespace netlab::kernel {

struct ServiceLaunch {
  std::string ns;  // the kernel's name of the namespace
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V", over netlab's own environment
  std::string dir;               // "" : "/"
  std::string log_path;          // stdout and stderr, appended
  std::string status_path;       // the command's exit status, written when it ends
};

// A service forked but held: its PID 1 exists, so its identity can be journalled, and starts
// the command only once released. Until then it dies with the thread that forked it (even by
// SIGKILL), so a service whose identity was never journalled never runs.
class PendingService {
 public:
  // Only the holder kills and reaps it: the one moved from holds nothing.
  PendingService(PendingService&& o) noexcept
      : pid_(std::exchange(o.pid_, -1)),
        start_time_(o.start_time_),
        go_(std::move(o.go_)),
        status_(std::move(o.status_)),
        ns_(std::move(o.ns_)),
        command_(std::move(o.command_)),
        binds_(std::move(o.binds_)) {}
  PendingService& operator=(PendingService&&) = delete;
  ~PendingService();  // not released: killed
  pid_t pid() const { return pid_; }
  uint64_t start_time() const { return start_time_; }
  // Lets the command run; throws ExecError when it cannot (no such command, no such dir).
  void release();

 private:
  friend PendingService spawn_service(const ServiceLaunch& launch);
  PendingService() = default;
  pid_t pid_ = -1;
  uint64_t start_time_ = 0;
  Fd go_;      // a socket: one byte lets the PID 1 go on, its closing makes it exit
  Fd status_;  // the child's report (kernel/netns_child.h)
  std::string ns_, command_;
  std::vector<child::Bind> binds_;
};

// Throws ExecError (no such namespace, no PID namespace, ...).
PendingService spawn_service(const ServiceLaunch& launch);

// The start time of process `pid` (/proc/PID/stat, field 22); nullopt once it is gone.
std::optional<uint64_t> process_start_time(pid_t pid);

// A pidfd of the service's PID 1 `pid` if it is still the process that started at
// `start_time` and is a netlab service: the proof that it is the one journalled (pids are
// reused). Invalid otherwise.
Fd open_service(pid_t pid, uint64_t start_time);

// Whether the process of a pidfd has exited.
bool has_exited(const Fd& pidfd);

// Stops services at once, each by a pidfd of its PID 1 (open_service): SIGTERM to each (its
// PID 1 passes it to every process of the service), then SIGKILL to the PID 1 of those still
// there after `grace`, which makes the kernel kill everything in its PID namespace. Reaps each
// that is the caller's child. Returns, for each, "" once it is gone, else what failed.
std::vector<std::string> stop_services(const std::vector<const Fd*>& pidfds,
                                       std::chrono::milliseconds grace);

}  // namespace netlab::kernel
