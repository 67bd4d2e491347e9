#include "kernel/netns_child.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "apply/kernel.h"
#include "kernel/exec.h"

namespace netlab::kernel::child {

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw ExecError(std::string("pipe: ") + std::strerror(errno), errno, 125);
  return {Fd(fds[0]), Fd(fds[1])};
}

std::vector<Bind> etc_binds(const std::string& ns) {
  std::vector<Bind> out;
  std::string dir = "/etc/netns/" + ns;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    throw ExecError("read " + dir + ": " + std::strerror(errno), errno, 125);
  }
  while (auto* e = readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back({dir + "/" + n, "/etc/" + n});
  }
  return out;
}

[[noreturn]] void fail(int fd, int stage, int status) {
  ChildError e{stage, errno};
  // Nothing more can be done if this write fails: the exit status still tells the parent.
  [[maybe_unused]] ssize_t n = write(fd, &e, sizeof e);
  _exit(status);
}

void enter_namespaces(const Mounts& a) {
  if (a.netns_fd >= 0 && setns(a.netns_fd, CLONE_NEWNET) != 0) fail(a.err_fd, kSetns, 125);
  if (unshare(CLONE_NEWNS) != 0) fail(a.err_fd, kUnshare, 125);
  // Our /sys, /proc and /etc mounts must not propagate back to the caller's mount namespace.
  if (mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) fail(a.err_fd, kSlave, 125);
  if (a.netns_fd >= 0) {
    unsigned long flags = 0;
    if (umount2("/sys", MNT_DETACH) != 0) {
      // Could not unmount it: mount over it. A read-only /sys cannot be shadowed read-write.
      struct statvfs st;
      if (statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY)) flags = MS_RDONLY;
    }
    if (mount("sysfs", "/sys", "sysfs", flags, nullptr) != 0) fail(a.err_fd, kSysfs, 125);
    const auto& binds = *a.binds;
    for (size_t i = 0; i < binds.size(); ++i)
      if (mount(binds[i].from.c_str(), binds[i].to.c_str(), "none", MS_BIND, nullptr) != 0)
        fail(a.err_fd, kBind + static_cast<int>(i), 125);
  }
  // A /proc of the new PID namespace, so that ps, pkill and friends see the lab's processes.
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    fail(a.err_fd, kProc, 125);
}

int exit_code(int st) {
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::string describe(const ChildError& e, const std::string& ns, const std::vector<Bind>& binds,
                     const std::string& command) {
  std::string why = std::strerror(e.err);
  switch (e.stage) {
    case kSetns:
      return "enter namespace " + ns + ": " + why;
    case kUnshare:
      return "create a mount namespace for " + ns + ": " + why;
    case kSlave:
      return "make / a slave mount: " + why;
    case kSysfs:
      return "mount a /sys of namespace " + ns + ": " + why;
    case kProc:
      return "mount a /proc of the command's PID namespace: " + why;
    case kDeathSig:
      return "tie the command's lifetime to netlab's: " + why;
    case kFork:
      return "fork the command: " + why;
    case kDup:
      return "redirect the command's output: " + why;
    case kSession:
      return "start a session of its own: " + why;
    case kChdir:
      return "change to the working directory: " + why;
    case kExec:
      return e.err == ENOENT ? command + ": command not found" : command + ": " + why;
  }
  size_t i = static_cast<size_t>(e.stage - kBind);
  if (i < binds.size()) return "bind " + binds[i].from + " over " + binds[i].to + ": " + why;
  return "exec in " + ns + ": " + why;
}

pid_t fork_into_new_pid_namespace() {
  long pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0)
    throw ExecError(std::string("create a PID namespace for the command: ") + std::strerror(errno),
                    errno, 125);
  return static_cast<pid_t>(pid);
}

Fd pidfd_of(pid_t pid) {
  return Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
}

Fd self_pidfd() {
  return pidfd_of(getpid());
}

bool wait_pidfd(const Fd& pidfd, std::chrono::steady_clock::time_point deadline) {
  pollfd p{pidfd.get(), POLLIN, 0};
  for (;;) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int n = poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n >= 0) return n > 0;
    if (errno != EINTR) throw KernelError(std::string("poll: ") + std::strerror(errno), errno);
  }
}

bool read_child_error(Fd& status, ChildError& out) {
  ssize_t n;
  while ((n = read(status.get(), &out, sizeof out)) < 0 && errno == EINTR) {
  }
  if (n < 0)
    throw ExecError(std::string("read from the child: ") + std::strerror(errno), errno, 125);
  return n == static_cast<ssize_t>(sizeof out);
}

sigset_t become_init(int err_fd, int parent_fd) {
  static constexpr std::array kForwarded{SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(err_fd, kDeathSig, 125);
  pollfd gone{parent_fd, POLLIN, 0};
  if (parent_fd >= 0 && poll(&gone, 1, 0) > 0) _exit(125);
  for (int sig : kForwarded) signal(sig, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t wait_for;
  sigemptyset(&wait_for);
  for (int sig : kForwarded) sigaddset(&wait_for, sig);
  sigaddset(&wait_for, SIGCHLD);
  sigprocmask(SIG_SETMASK, &wait_for, nullptr);
  return wait_for;
}

}  // namespace netlab::kernel::child
