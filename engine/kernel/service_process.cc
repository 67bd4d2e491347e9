#include "kernel/service_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kernel/exec.h"
#include "kernel/netns.h"
#include "model/names.h"

extern char** environ;

namespace netlab::kernel {

namespace {

using namespace child;

constexpr char kName[] = "netlab-service";  // the PID 1's name, part of its proof

// What the forked PID 1 needs, all prepared by the parent (no allocation after the fork).
struct InitArgs {
  int err_fd, go_fd, parent_fd, null_fd, log_fd, status_fd;
  unsigned fd_limit;
  Mounts mounts;
  const char* dir;
  char* const* argv;
  char* const* envp;
};

[[noreturn]] void run_command(const InitArgs& a) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (chdir(a.dir) != 0) fail(a.err_fd, kChdir, 126);
  execvpe(a.argv[0], a.argv, a.envp);
  fail(a.err_fd, kExec, errno == ENOENT ? 127 : 126);
}

// The status as text, without allocation.
void write_status(int fd, int code) {
  char buf[16];
  int n = sizeof buf;
  buf[--n] = '\n';
  do {
    buf[--n] = static_cast<char>('0' + code % 10);
    code /= 10;
  } while (code && n > 0);
  [[maybe_unused]] ssize_t w = write(fd, buf + n, sizeof buf - n);
}

void detach(const InitArgs& a) {
  prctl(PR_SET_NAME, kName);
  if (setsid() < 0) fail(a.err_fd, kSession, 125);
  // It lives as long as the service: netlab's working directory must not stay busy for it.
  if (chdir("/") != 0) fail(a.err_fd, kChdir, 125);
  if (dup2(a.null_fd, STDIN_FILENO) < 0 || dup2(a.log_fd, STDOUT_FILENO) < 0 ||
      dup2(a.log_fd, STDERR_FILENO) < 0)
    fail(a.err_fd, kDup, 125);
}

// Closes fds lo..hi: close_range, or where the kernel has none, each below `limit` (the
// parent's RLIMIT_NOFILE) in turn. No allocation is allowed here.
void close_span(unsigned lo, unsigned hi, unsigned limit) {
  if (lo > hi || syscall(SYS_close_range, lo, hi, 0) == 0) return;
  for (unsigned fd = lo; fd <= hi && fd < limit; ++fd) close(static_cast<int>(fd));
}

// Closes every fd but stdio and `keep`: a service must not hold netlab's (the lab's lock, its
// netlink sockets) for the rest of its life.
void close_others(std::array<int, 3> keep, unsigned limit) {
  std::sort(keep.begin(), keep.end());
  unsigned lo = 3;
  for (int fd : keep) {
    if (fd >= static_cast<int>(lo)) close_span(lo, static_cast<unsigned>(fd) - 1, limit);
    lo = std::max(lo, static_cast<unsigned>(fd) + 1);
  }
  close_span(lo, ~0U, limit);
}

// Held until the parent journalled this process: tied to the forking thread's life until then.
void await_release(const InitArgs& a) {
  char go = 0;
  ssize_t n;
  while ((n = read(a.go_fd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) _exit(125);  // the parent gave up on this service, or died
  prctl(PR_SET_PDEATHSIG, 0);
  close(a.go_fd);
}

[[noreturn]] void init(const InitArgs& a) {
  // First: a netlab killed from here on takes this process along, until it is released.
  sigset_t wait_for = become_init(a.err_fd, a.parent_fd);
  detach(a);
  enter_namespaces(a.mounts);
  close_others({a.err_fd, a.go_fd, a.status_fd}, a.fd_limit);
  await_release(a);
  pid_t command = _Fork();
  if (command < 0) fail(a.err_fd, kFork, 125);
  if (command == 0) run_command(a);
  close(a.err_fd);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&wait_for, &info);
    if (sig == SIGCHLD) {
      int st;
      pid_t pid;
      while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        if (pid == command) {
          write_status(a.status_fd, exit_code(st));
          _exit(exit_code(st));
        }
    } else if (sig > 0 && info.si_code <= 0) {
      kill(-1, sig);  // sent by a process (`down`): to every process of the service
    }
  }
}

Fd open_file(const std::string& path, int flags) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC, 0600));
  if (!fd) throw ExecError("open " + path + ": " + std::strerror(errno), errno, 125);
  return fd;
}

// netlab's environment with `env` over it.
std::vector<std::string> environment(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  auto name = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    bool replaced = false;
    for (const auto& mine : env) replaced = replaced || name(mine) == name(kv);
    if (!replaced) out.push_back(std::move(kv));
  }
  out.insert(out.end(), env.begin(), env.end());
  return out;
}

std::vector<char*> pointers(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

unsigned fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur > INT_MAX) return INT_MAX;
  return static_cast<unsigned>(r.rlim_cur);
}

}  // namespace

PendingService spawn_service(const ServiceLaunch& l) {
  if (l.argv.empty()) throw ExecError("no command to run", EINVAL, 125);
  if (auto problem = namespace_name_problem(l.ns)) throw ExecError(*problem, EINVAL, 125);
  if (!netns_exists(l.ns))
    throw ExecError("namespace " + l.ns + " does not exist (no " + netns_path(l.ns) + ")", ENOENT,
                    125);
  PendingService p;
  p.ns_ = l.ns;
  p.command_ = l.argv[0];
  p.binds_ = etc_binds(l.ns);
  Fd netns = open_netns(l.ns);
  Fd null = open_file("/dev/null", O_RDONLY);
  Fd log = open_file(l.log_path, O_WRONLY | O_CREAT | O_APPEND);
  Fd status = open_file(l.status_path, O_WRONLY | O_CREAT | O_TRUNC);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw ExecError(std::string("socketpair: ") + std::strerror(errno), errno, 125);
  p.go_.reset(sv[0]);
  Fd go_child(sv[1]);
  Pipe report = make_pipe();
  Fd self = self_pidfd();
  auto env = environment(l.env);
  auto argv = pointers(l.argv), envp = pointers(env);
  const std::string dir = l.dir.empty() ? "/" : l.dir;
  const InitArgs args{.err_fd = report.write.get(),
                      .go_fd = go_child.get(),
                      .parent_fd = self.get(),
                      .null_fd = null.get(),
                      .log_fd = log.get(),
                      .status_fd = status.get(),
                      .fd_limit = fd_limit(),
                      .mounts = {report.write.get(), netns.get(), &p.binds_},
                      .dir = dir.c_str(),
                      .argv = argv.data(),
                      .envp = envp.data()};
  p.pid_ = fork_into_new_pid_namespace();
  if (p.pid_ == 0) init(args);
  p.status_ = std::move(report.read);
  // Its identity is the start time: without it, `down` could never prove it is this one.
  auto t = process_start_time(p.pid_);
  if (!t)
    throw ExecError("read the start time of service process " + std::to_string(p.pid_) +
                        " in /proc/" + std::to_string(p.pid_) + "/stat",
                    EIO, 125);
  p.start_time_ = *t;
  return p;
}

void PendingService::release() {
  char go = 1;
  // A failed send: it failed before it could wait for this, and its report says why.
  [[maybe_unused]] ssize_t sent = ::send(go_.get(), &go, 1, MSG_NOSIGNAL);
  go_.reset();
  ChildError e{};
  if (read_child_error(status_, e)) {
    status_.reset();
    throw ExecError(describe(e, ns_, binds_, command_), e.err, 125);
  }
  status_.reset();
  pid_ = -1;  // running: no longer this object's to kill
}

PendingService::~PendingService() {
  if (pid_ <= 0) return;
  // Closing the socket makes it exit before it runs anything; its end is reaped here.
  go_.reset();
  int st;
  while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
}

std::optional<uint64_t> process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  // After "pid (comm)": field 3 (state) onwards; the start time is field 22.
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  for (int i = 3; i < 22; ++i) rest >> field;
  uint64_t t = 0;
  if (!(rest >> t)) return std::nullopt;
  return t;
}

Fd open_service(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return Fd();
  Fd fd = pidfd_of(pid);
  if (!fd && errno == ESRCH) return fd;
  const std::string what = "service process " + std::to_string(pid);
  if (!fd) throw KernelError("open a pidfd of " + what + ": " + std::strerror(errno), errno);
  // Read after the pidfd is open: the pidfd then refers to the process proved here.
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream comm(proc + "/comm");
  std::string name;
  std::getline(comm, name);
  auto started = process_start_time(pid);
  if (has_exited(fd)) return Fd();  // gone while it was read
  if (!started || name.empty())
    throw KernelError(
        "cannot tell whether " + what + " is the service: " + proc + "/stat or /comm unreadable",
        EIO);
  if (*started != start_time || name != kName) return Fd();
  return fd;
}

bool has_exited(const Fd& pidfd) {
  pollfd p{pidfd.get(), POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kKillLimit{30};  // from SIGKILL until it must be gone

std::string send(const Fd& pidfd, int sig) {
  if (syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) == 0 || errno == ESRCH)
    return "";
  return std::string("signal ") + strsignal(sig) + ": " + std::strerror(errno);
}

// Waits until each process of `pending` (indexes into `pidfds`) has exited or `deadline`
// passed; returns those still there.
std::vector<size_t> wait_all(const std::vector<const Fd*>& pidfds, std::vector<size_t> pending,
                             Clock::time_point deadline) {
  while (!pending.empty()) {
    std::vector<pollfd> p;
    for (size_t i : pending) p.push_back({pidfds[i]->get(), POLLIN, 0});
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    int n = poll(p.data(), p.size(), static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (n < 0 && errno != EINTR)
      throw KernelError(std::string("poll: ") + std::strerror(errno), errno);
    if (n == 0) break;
    std::vector<size_t> still;
    for (size_t k = 0; k < pending.size(); ++k)
      if (!(p[k].revents & POLLIN)) still.push_back(pending[k]);
    pending = std::move(still);
  }
  return pending;
}

// Reaps it if it is the caller's child (else the waitid fails with ECHILD: nothing to do). By
// its pidfd: its pid may be another child's by now.
void reap(const Fd& pidfd) {
  siginfo_t info;
  while (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &info,
                WEXITED | WNOHANG) < 0 &&
         errno == EINTR) {
  }
}

}  // namespace

std::vector<std::string> stop_services(const std::vector<const Fd*>& pidfds,
                                       std::chrono::milliseconds grace) {
  std::vector<std::string> errors(pidfds.size());
  std::vector<size_t> pending;
  for (size_t i = 0; i < pidfds.size(); ++i) {
    if (has_exited(*pidfds[i])) continue;
    errors[i] = send(*pidfds[i], SIGTERM);
    if (errors[i].empty()) pending.push_back(i);
  }
  pending = wait_all(pidfds, std::move(pending), Clock::now() + grace);
  for (size_t i : pending) errors[i] = send(*pidfds[i], SIGKILL);
  std::erase_if(pending, [&](size_t i) { return !errors[i].empty(); });
  for (size_t i : wait_all(pidfds, std::move(pending), Clock::now() + kKillLimit))
    errors[i] = "it outlived SIGKILL";
  for (size_t i = 0; i < pidfds.size(); ++i)
    if (errors[i].empty()) reap(*pidfds[i]);
  return errors;
}

}  // namespace netlab::kernel
