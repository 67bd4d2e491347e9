// `netlab exec` and the C++ API's exec: signals sent to netlab reach the command and what it
// started, and nothing started in a lab outlives the exec that started it, even when that is
// killed with SIGKILL (docs/ci-fixture.md's `kill $server` pattern).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include "kernel/exec.h"
#include "robustness_util.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

const char* kLab = R"(name: execlab
namespaces:
  net0: {}
veths:
  - name: veth0
    addresses: [10.9.0.1/24]
    peer: {name: eth0, namespace: net0, addresses: [10.9.0.2/24]}
)";

// The command lines of the processes whose network namespace is /run/netns/NS.
std::vector<std::string> processes_in(const std::string& ns) {
  struct stat want;
  if (stat(("/run/netns/" + ns).c_str(), &want) != 0) return {};
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st;
    if (stat(("/proc/" + pid + "/ns/net").c_str(), &st) != 0 || st.st_ino != want.st_ino) continue;
    std::string cmd = read_file("/proc/" + pid + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    found.push_back(pid + ": " + cmd);
  }
  return found;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// Polls until `done()` or the deadline; whether it became true.
template <class F>
bool eventually(F done, std::chrono::seconds deadline = 10s) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Whether a process of `ns` has a command line that starts with `command` (a shell whose
// script mentions it does not count).
bool runs_in(const std::string& ns, const std::string& command) {
  for (const auto& p : processes_in(ns))
    if (p.find(": " + command) != std::string::npos) return true;
  return false;
}

class ExecLifetime : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto up = netlab("up " + write_temp("lab.yaml", kLab));
    ASSERT_EQ(up.status, 0) << up.out << up.err;
  }
};

TEST_F(ExecLifetime, SigtermStopsTheCommandAndWhatItStarted) {
  Running server({"exec", "net0", "--", "sh", "-c", "sleep 300 & sleep 301"});
  // The background child may still be a forked shell when the foreground one has exec'd.
  ASSERT_TRUE(eventually([] {
    return runs_in("net0", "sleep 301") && runs_in("net0", "sleep 300");
  })) << joined(processes_in("net0"));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait().status, 128 + SIGTERM);
  // When `netlab exec` has returned, nothing of it is left in the lab.
  EXPECT_EQ(joined(processes_in("net0")), "");
  auto t0 = std::chrono::steady_clock::now();
  auto down = netlab("down execlab");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST_F(ExecLifetime, SighupAndSigintReachTheCommand) {
  for (int sig : {SIGHUP, SIGINT}) {
    Running r({"exec", "net0", "--", "sh", "-c", "trap 'exit 42' HUP INT; sleep 300 & wait"});
    ASSERT_TRUE(eventually([] { return runs_in("net0", "sleep 300"); }));
    r.signal(sig);
    ASSERT_FALSE(r.still_running_after(10s)) << "signal " << sig << " did not reach the command";
    EXPECT_EQ(r.wait().status, 42) << "signal " << sig;
    EXPECT_EQ(joined(processes_in("net0")), "");
  }
}

TEST_F(ExecLifetime, SigkillOfExecLeavesNothingRunning) {
  Running server({"exec", "net0", "--", "sh", "-c", "sleep 300 & sleep 301"});
  ASSERT_TRUE(eventually([] { return runs_in("net0", "sleep 301"); }));
  server.signal(SIGKILL);
  server.wait();
  EXPECT_TRUE(eventually([] { return processes_in("net0").empty(); }))
      << joined(processes_in("net0"));
}

TEST_F(ExecLifetime, ApiExecOfAKilledCallerLeavesNothingRunning) {
  pid_t caller = fork();
  ASSERT_GE(caller, 0);
  if (caller == 0) {
    try {
      kernel::exec_in_netns("net0", {"sh", "-c", "sleep 300 & sleep 301"});
    } catch (...) {
    }
    _exit(0);
  }
  bool started = eventually([] { return runs_in("net0", "sleep 301"); });
  kill(caller, SIGKILL);
  waitpid(caller, nullptr, 0);
  ASSERT_TRUE(started);
  EXPECT_TRUE(eventually([] { return processes_in("net0").empty(); }))
      << joined(processes_in("net0"));
}

TEST_F(ExecLifetime, WhatTheCommandLeftBehindEndsWithIt) {
  auto r = netlab("exec net0 -- sh -c 'sleep 300 >/dev/null 2>&1 &'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(joined(processes_in("net0")), "");
}

TEST_F(ExecLifetime, TheCommandSeesItsOwnProcessesAndTheCallersStdin) {
  auto ps = netlab("exec net0 -- sh -c 'ls /proc | grep -c \"^[0-9]\"'");
  ASSERT_EQ(ps.status, 0) << ps.err;
  EXPECT_LT(std::stoi(ps.out), 10) << ps.out;
  auto cat = sh(std::string("echo through | ") + NETLAB_BINARY + " exec net0 -- cat");
  EXPECT_EQ(cat.out, "through\n");
  EXPECT_EQ(cat.status, 0);
}

}  // namespace
}  // namespace netlab::testing
