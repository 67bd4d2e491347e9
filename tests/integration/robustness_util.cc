#include "robustness_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace netlab::testing {

std::string Star::yaml() const {
  std::ostringstream y;
  y << "name: " << name << "\n";
  if (!host_sysctls.empty()) {
    y << "host:\n  sysctl:\n";
    for (const auto& s : host_sysctls) y << "    " << s << "\n";
  }
  y << "namespaces:\n";
  for (int i = 0; i < count; ++i) {
    y << "  " << prefix << i << ":\n";
    if (!ns_sysctls.empty()) {
      y << "    sysctl:\n";
      for (const auto& s : ns_sysctls) y << "      " << s << "\n";
    }
    y << "    routes: [{to: default, via: 10." << octet << ".0.1}]\n";
  }
  y << "bridges:\n  " << bridge() << ":\n    addresses: [10." << octet << ".0.1/16]\n";
  y << "veths:\n";
  for (int i = 0; i < count; ++i)
    y << "  - {name: " << prefix << "v" << i << ", bridge: " << bridge() << ", peer: {name: eth0"
      << ", namespace: " << prefix << i << ", addresses: [10." << octet << "." << (i / 250) << "."
      << (i % 250 + 2) << "/16]}}\n";
  if (nat_rules > 0) y << "nat:\n";
  for (int k = 0; k < nat_rules; ++k)
    y << "  - {type: masquerade, source: 10." << octet
      << (nat_rules == 1 ? ".0.0/16" : "." + std::to_string(k) + ".0/24") << "}\n";
  return y.str();
}

std::string Star::write() const {
  return write_temp(name + ".yaml", yaml());
}

Running::Running(const std::vector<std::string>& args) {
  char dir[] = "/tmp/netlab-run-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
  dir_ = dir;
  std::vector<const char*> argv{NETLAB_BINARY};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::string out = dir_ + "/out", err = dir_ + "/err";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(126);
    dup2(o, 1);
    dup2(e, 2);
    setenv("NO_COLOR", "1", 1);
    execv(NETLAB_BINARY, const_cast<char* const*>(argv.data()));
    _exit(127);
  }
}

Running::Running(Running&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), reaped_(o.reaped_), status_(o.status_), dir_(o.dir_) {}

Running::~Running() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Running::signal(int sig) const {
  if (!reaped_) kill(pid_, sig);
}

Output Running::wait() {
  if (!reaped_) {
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  Output o;
  o.status = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  o.out = read_file(dir_ + "/out");
  o.err = read_file(dir_ + "/err");
  return o;
}

bool Running::wait_for_stderr(const std::string& text, std::chrono::milliseconds within) {
  auto end = std::chrono::steady_clock::now() + within;
  while (read_file(dir_ + "/err").find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

bool Running::still_running_after(std::chrono::milliseconds d) {
  auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (!reaped_ && waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
    if (reaped_) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count_lines(const std::string& path) {
  auto s = read_file(path);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

std::string host_sysctl(const std::string& key) {
  std::string p = "/proc/sys/" + key;
  for (size_t i = 10; i < p.size(); ++i)
    if (p[i] == '.') p[i] = '/';
  auto v = read_file(p);
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

std::string netlab_run_files() {
  return sh("ls -A /run/netlab 2>/dev/null").out;
}

}  // namespace netlab::testing
