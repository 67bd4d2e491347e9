#include "kernel/exec.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include "kernel/netns.h"
#include "kernel/netns_child.h"
#include "model/names.h"
#include "model/topology.h"

namespace netlab::kernel {

namespace {

using namespace child;

// What the forked child needs, all prepared by the parent: after a fork of a threaded
// process, the child may make only async-signal-safe calls (no allocation).
struct ChildArgs {
  int err_fd;
  int netns_fd;   // -1: host
  int parent_fd;  // a pidfd of the caller, -1 when the kernel has none
  const std::vector<Bind>* binds;
  int out_fd, errout_fd;  // -1: the caller's
  char* const* argv;
};

[[noreturn]] void run_command(const ChildArgs& a) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execvp(a.argv[0], a.argv);
  fail(a.err_fd, kExec, errno == ENOENT ? 127 : 126);
}

// PID 1 of the new PID namespace: forks the command, passes it the signals sent to the exec,
// reaps whatever is orphaned, and exits with the command's status when it ends. The kernel
// then kills everything left in the namespace; and it kills this process (and so the
// namespace) when the caller dies, even by SIGKILL.
[[noreturn]] void init(const ChildArgs& a) {
  sigset_t wait_for = become_init(a.err_fd, a.parent_fd);
  if (a.out_fd >= 0 && dup2(a.out_fd, STDOUT_FILENO) < 0) fail(a.err_fd, kDup, 125);
  if (a.errout_fd >= 0 && dup2(a.errout_fd, STDERR_FILENO) < 0) fail(a.err_fd, kDup, 125);
  enter_namespaces({a.err_fd, a.netns_fd, a.binds});
  pid_t command = _Fork();
  if (command < 0) fail(a.err_fd, kFork, 125);
  if (command == 0) run_command(a);
  close(a.err_fd);  // the parent reads it to its end: the command's exec, or its failure
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&wait_for, &info);
    if (sig == SIGCHLD) {
      int st;
      pid_t pid;
      while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == command) _exit(exit_code(st));
    } else if (sig > 0 && info.si_code <= 0) {
      // Sent by a process (si_code SI_USER, SI_QUEUE, ...), not by a terminal: to every
      // process of the namespace, as a terminal signals a foreground process group.
      kill(-1, sig);
    }
  }
}

int wait_status(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      throw ExecError(std::string("waitpid: ") + std::strerror(errno), errno, 125);
  return exit_code(st);
}

using Clock = std::chrono::steady_clock;

// The command's deadline: once past, the child (PID 1 of the command's PID namespace) is
// killed, and with it everything in that namespace.
struct Deadline {
  pid_t pid;
  std::optional<Clock::time_point> at;
  // Milliseconds to wait in poll (-1: no limit); kills the child once the time is up.
  int poll_ms(ExecResult& r) {
    if (!at) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*at - Clock::now()).count();
    if (left > 0) return static_cast<int>(left);
    expire(r);
    return -1;
  }
  void expire(ExecResult& r) {
    kill(pid, SIGKILL);
    r.timed_out = true;
    at.reset();
  }
};

// Reads the child's captured outputs until both are closed.
void drain(Fd& out, Fd& err, ExecResult& r, Deadline& deadline, size_t limit) {
  std::array<char, 8192> buf;
  while (out || err) {
    std::array<pollfd, 2> p{{{out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}}};
    if (poll(p.data(), p.size(), deadline.poll_ms(r)) < 0) {
      if (errno == EINTR) continue;
      throw ExecError(std::string("poll: ") + std::strerror(errno), errno, 125);
    }
    for (int i = 0; i < 2; ++i) {
      Fd& fd = i == 0 ? out : err;
      if (!fd || p[i].revents == 0) continue;
      ssize_t n = read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fd.reset();
        continue;
      }
      std::string& kept = i == 0 ? r.out : r.err;
      kept.append(buf.data(), std::min(static_cast<size_t>(n), limit - kept.size()));
    }
  }
}

// Without captured output, the child's end is seen through a pidfd of it.
void await_exit(Deadline& deadline, ExecResult& r) {
  if (!deadline.at) return;
  Fd child = pidfd_of(deadline.pid);
  if (!child) return;  // no pidfd in this kernel: no timeout without captured output
  if (!wait_pidfd(child, *deadline.at)) deadline.expire(r);
}

}  // namespace

ExecResult exec_in_netns(const std::string& ns, const std::vector<std::string>& argv,
                         const ExecOptions& options) {
  if (argv.empty()) throw ExecError("no command to run", EINVAL, 125);
  Fd netns;
  std::vector<Bind> binds;
  if (ns != kHost) {
    // The name becomes a path: check it before building one.
    if (auto problem = namespace_name_problem(ns)) throw ExecError(*problem, EINVAL, 125);
    if (!netns_exists(ns))
      throw ExecError("namespace " + ns + " does not exist (no " + netns_path(ns) + ")", ENOENT,
                      125);
    netns = open_netns(ns);
    binds = etc_binds(ns);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  Pipe status = make_pipe();
  Pipe out, err;
  if (options.capture_stdout) out = make_pipe();
  if (options.capture_stderr) err = make_pipe();

  Fd self = self_pidfd();
  const ChildArgs child{status.write.get(),
                        netns ? netns.get() : -1,
                        self.get(),
                        &binds,
                        out.write ? out.write.get() : -1,
                        err.write ? err.write.get() : -1,
                        args.data()};
  pid_t pid = fork_into_new_pid_namespace();
  if (pid == 0) init(child);
  if (options.started) options.started(pid);

  status.write.reset();
  out.write.reset();
  err.write.reset();
  ChildError ce{};
  bool failed;
  try {
    failed = read_child_error(status.read, ce);
  } catch (...) {
    wait_status(pid);
    throw;
  }
  ExecResult r;
  if (failed) {
    int code = wait_status(pid);
    throw ExecError(describe(ce, ns, binds, argv[0]), ce.err, code);
  }
  Deadline deadline{pid, std::nullopt};
  if (options.timeout) deadline.at = Clock::now() + *options.timeout;
  drain(out.read, err.read, r, deadline, options.capture_limit);
  await_exit(deadline, r);
  r.status = wait_status(pid);
  return r;
}

}  // namespace netlab::kernel
