// What a forked child needs to run a program in a lab namespace, shared by `netlab exec`
// (kernel/exec.h) and services (kernel/service_process.h): it enters the network namespace,
// gets a mount namespace with that namespace's /sys, /etc/netns/NAME/* over /etc/* and a /proc
// of its own PID namespace. After a fork of a threaded process the child may only make
// async-signal-safe calls: everything it needs is prepared by the parent.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "kernel/fd.h"

namespace netlab::kernel::child {

// What the child was doing when it failed; sent to the parent through a close-on-exec pipe,
// which the parent sees close without data once the command runs.
enum Stage : int {
  kSetns,
  kUnshare,
  kSlave,
  kSysfs,
  kProc,
  kDeathSig,
  kFork,
  kDup,
  kExec,
  kSession,
  kChdir,
  kBind /* + entry index */
};

struct ChildError {
  int stage;
  int err;
};

struct Pipe {
  Fd read, write;
};
Pipe make_pipe();  // close-on-exec; throws ExecError

struct Bind {
  std::string from, to;
};
// /etc/netns/NAME/* to bind over /etc/*, as iproute2 does (resolv.conf, hosts, ...).
std::vector<Bind> etc_binds(const std::string& ns);

// Sends {stage, errno} on fd and exits with `status`.
[[noreturn]] void fail(int fd, int stage, int status);

struct Mounts {
  int err_fd;
  int netns_fd;  // -1: the caller's network namespace
  const std::vector<Bind>* binds;
};
// In the child: the network namespace, a mount namespace, /sys, /etc binds, /proc.
void enter_namespaces(const Mounts& m);

// The first steps of PID 1 of a command's PID namespace: it dies with its caller (checked once
// more, for a caller that died before), and the signals it passes on to the command, with
// SIGCHLD, are blocked with their default dispositions; returns that set, to wait for.
sigset_t become_init(int err_fd, int parent_fd);

// A failure the child reported, in words.
std::string describe(const ChildError& e, const std::string& ns, const std::vector<Bind>& binds,
                     const std::string& command);

int exit_code(int wait_status);  // the exit status, or 128 + signal

// A child that is PID 1 of a new PID namespace. Like fork(), without glibc's fork handlers:
// the child only makes raw system calls and _Fork()s the command. Throws ExecError.
pid_t fork_into_new_pid_namespace();

// A pidfd of process `pid`, which becomes readable when it exits; invalid (errno says why)
// when there is no such process, or no pidfd in this kernel.
Fd pidfd_of(pid_t pid);
// The caller as a pidfd.
Fd self_pidfd();
// Waits until the process of `pidfd` exits (true) or `deadline` passes (false). Throws
// KernelError.
bool wait_pidfd(const Fd& pidfd, std::chrono::steady_clock::time_point deadline);

// Reads the child's report from `status` (whose write end the caller closed): nothing once
// the command was exec'd; else what failed. Throws ExecError for a failed read.
bool read_child_error(Fd& status, ChildError& out);

}  // namespace netlab::kernel::child
