// Services (README.md, "Services"): a web server started by `up`, reached by `netlab test`,
// stopped by `down`; a service that never becomes ready fails `up` and leaves nothing; a
// `kill -9` of `up` while services start leaves nothing `down` cannot stop; instances and
// isolated labs have services of their own; an edit restarts only the edited service.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "apply/kernel.h"
#include "kernel/service_process.h"
#include "robustness_util.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

const char* kWeb = R"yaml(name: svc
namespaces:
  server:
    services:
      web:
        run: [python3, -m, http.server, "8000", --bind, 10.31.0.2]
        dir: /tmp
        env: {PYTHONUNBUFFERED: "1"}
        ready: {tcp: "10.31.0.2:8000"}
        timeout: 20s
      idle:
        run: [sleep, infinity]
        ready: {exec: [test, -d, /proc/1]}
  client: {}
veths:
  - name: c0
    namespace: client
    addresses: [10.31.0.1/24]
    peer: {name: s0, namespace: server, addresses: [10.31.0.2/24]}
tests:
  - from: client
    tcp: 10.31.0.2:8000
  - from: client
    exec: [python3, -c, "import urllib.request as u; print(u.urlopen('http://10.31.0.2:8000/').status)"]
    output: "^200$"
)yaml";

// The processes whose environment names a service of `lab` (NETLAB_SERVICE=<lab>/...).
// A file in this test's own /run (every sandbox mounts one of its own), which processes
// started from the sandbox see through /proc/PID/root: tests running at once each count
// their own services, and never signal another's.
std::string sandbox_mark() {
  return "/run/.services-test-" + std::to_string(getpid());
}

bool of_this_sandbox(const std::string& pid) {
  return access(("/proc/" + pid + "/root" + sandbox_mark()).c_str(), F_OK) == 0;
}

std::set<std::string> service_processes(const std::string& lab) {
  std::set<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!of_this_sandbox(pid)) continue;
    std::string env = read_file("/proc/" + pid + "/environ");
    if (env.find("NETLAB_SERVICE=" + lab + "/") != std::string::npos) found.insert(pid);
  }
  return found;
}

// The pids of the processes in the lab namespace `ns` (by the namespace's identity).
std::set<std::string> processes_in(const std::string& ns) {
  struct stat want;
  std::set<std::string> found;
  if (stat(("/run/netns/" + ns).c_str(), &want) != 0) return found;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st;
    if (stat(("/proc/" + pid + "/ns/net").c_str(), &st) == 0 && st.st_ino == want.st_ino &&
        st.st_dev == want.st_dev)
      found.insert(pid);
  }
  return found;
}

// Waits until none of `pids` is alive (a zombie counts as gone), up to `limit`.
bool all_gone(const std::set<std::string>& pids, std::chrono::seconds limit = 10s) {
  auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool any = false;
    for (const auto& p : pids) {
      std::string stat = read_file("/proc/" + p + "/stat");
      auto close = stat.rfind(')');
      if (close != std::string::npos && stat[close + 2] != 'Z') any = true;
    }
    if (!any) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
}

// The PID 1 of each service of this sandbox ("netlab-service"), by the pid `status` shows.
std::set<std::string> service_inits() {
  std::set<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos || !of_this_sandbox(pid)) continue;
    if (read_file("/proc/" + pid + "/comm") == "netlab-service\n") found.insert(pid);
  }
  return found;
}

// The pid `status` shows for service `name`.
std::string shown_pid(const std::string& lab, const std::string& name) {
  std::string out = netlab("status " + lab).out;
  auto at = out.find("service " + name + " in ");
  if (at == std::string::npos) return "";
  at = out.find("pid ", at);
  if (at == std::string::npos) return "";
  return out.substr(at + 4, out.find_first_not_of("0123456789", at + 4) - at - 4);
}

// A held service in namespace n1 (made here) that runs `argv` once released.
kernel::PendingService held_service(const std::vector<std::string>& argv) {
  EXPECT_EQ(sh("ip netns list | grep -qx n1 || ip netns add n1").status, 0);
  auto log = std::filesystem::path(write_temp("held.log", ""));
  kernel::ServiceLaunch launch{"n1", argv, {}, "", log, log.parent_path() / "held.status"};
  return kernel::spawn_service(launch);
}

// A lab `svc` whose namespace n1 runs `services` (the YAML lines under its `services:`).
std::string services_in_n1(const std::string& services) {
  return write_temp("svc.yaml", "name: svc\nnamespaces:\n  n1:\n    services:\n" + services);
}

class Services : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(sh("touch " + sandbox_mark()).status, 0);
  }
};

TEST_F(Services, WebServerIsUpReachedByTestsShownAndStoppedByDown) {
  auto file = write_temp("svc.yaml", kWeb);
  auto plan = netlab("plan " + file);
  EXPECT_NE(plan.out.find("+ service web in server"), std::string::npos) << plan.out;
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto test = netlab("test svc");
  EXPECT_EQ(test.status, 0) << test.out << test.err;
  auto st = netlab("status svc");
  EXPECT_EQ(st.status, 0) << st.out;
  EXPECT_NE(st.out.find("service web in server"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("running, pid"), std::string::npos) << st.out;
  auto js = netlab("status --json svc");
  EXPECT_NE(js.out.find("\"state\": \"running\""), std::string::npos) << js.out;
  EXPECT_NE(netlab("logs svc server:web").out.find("GET / HTTP"), std::string::npos);
  EXPECT_EQ(netlab("plan " + file).status, 0) << "a running service plans nothing";
  auto server = processes_in("server");
  EXPECT_GE(server.size(), 2u);
  auto down = netlab("down svc");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_TRUE(all_gone(server));
  EXPECT_TRUE(service_processes("svc").empty());
  EXPECT_EQ(netlab_run_files(), "");
}

TEST_F(Services, AnEditRestartsOnlyThatServiceAndAnExitedOneIsShown) {
  std::string yaml = kWeb;
  auto file = write_temp("svc.yaml", yaml);
  ASSERT_EQ(netlab("up " + file).status, 0);
  auto pids = [] { return service_processes("svc"); };
  auto before = pids();
  yaml.replace(yaml.find("run: [sleep, infinity]"), 22, "run: [sleep, \"1000\"]");
  auto edited = write_temp("svc.yaml", yaml);
  auto plan = netlab("plan " + edited);
  EXPECT_NE(plan.out.find("~ service idle in server  (restarted: run changed)"), std::string::npos)
      << plan.out;
  EXPECT_EQ(plan.out.find("service web"), std::string::npos) << plan.out;
  ASSERT_EQ(netlab("up " + edited).status, 0);
  auto after = pids();
  size_t kept = 0;
  for (const auto& p : before) kept += after.count(p);
  EXPECT_GE(kept, 1u) << "the web server kept running";
  EXPECT_EQ(after.size(), before.size());
  // A service that ended is shown with its status, and `up` starts it again.
  for (const auto& p : after)
    if (read_file("/proc/" + p + "/cmdline").rfind("sleep", 0) == 0) kill(std::stoi(p), SIGTERM);
  bool exited = false;
  for (auto end = std::chrono::steady_clock::now() + 10s;
       !exited && std::chrono::steady_clock::now() < end;)
    exited = netlab("status svc").out.find("exited 143") != std::string::npos;
  EXPECT_TRUE(exited);
  EXPECT_EQ(netlab("status svc").status, 2);
  EXPECT_EQ(netlab("up " + edited).status, 0);
  auto again = netlab("status svc");
  EXPECT_EQ(again.status, 0) << again.out;
  EXPECT_EQ(netlab("down svc").status, 0);
  EXPECT_TRUE(service_processes("svc").empty());
}

TEST_F(Services, OneThatNeverGetsReadyFailsUpWithItsLogAndLeavesNothing) {
  auto file = write_temp("bad.yaml", R"(name: bad
namespaces:
  n1:
    services:
      never:
        run: [sh, -c, "echo listening soon; exec sleep 1000"]
        ready: {tcp: "127.0.0.1:9"}
        timeout: 300ms
)");
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("service never in n1 was not ready (tcp n1 -> 127.0.0.1:9)"),
            std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find("| listening soon"), std::string::npos) << up.err;
  EXPECT_TRUE(service_processes("bad").empty());
  EXPECT_EQ(sh("ip netns list").out, "");
  EXPECT_EQ(netlab_run_files(), "");
}

TEST_F(Services, OneThatCannotStartFailsUpAndLeavesNothing) {
  auto file = write_temp("bad.yaml", R"(name: bad
namespaces:
  n1:
    services:
      missing: {run: [no-such-command-here]}
)");
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("no-such-command-here: command not found"), std::string::npos) << up.err;
  EXPECT_EQ(sh("ip netns list").out, "");
  EXPECT_EQ(netlab_run_files(), "");
}

// Killed at the first service's intent, at its identity, and while it waits for readiness.
TEST_F(Services, KillNineOfUpWhileServicesStartThenDownLeavesNoProcess) {
  auto file = write_temp("slow.yaml", R"(name: slow
namespaces:
  n1:
    services:
      a: {run: [sleep, infinity]}
      b: {run: [sleep, infinity]}
      c:
        run: [sleep, infinity]
        ready: {file: /nonexistent/never}
        timeout: 60s
)");
  for (const char* at : {"\"kind\":\"service\"", "\"pid\":", "\"name\":\"c\""}) {
    SCOPED_TRACE(at);
    Running up({"up", file});
    bool seen = false;
    for (auto end = std::chrono::steady_clock::now() + 20s;
         !seen && std::chrono::steady_clock::now() < end;) {
      std::string journal =
          read_file("/run/netlab/slow.journal") + read_file("/run/netlab/slow.json");
      seen = journal.find(at) != std::string::npos;
      if (!seen) std::this_thread::sleep_for(1ms);  // polling the journal, not waiting
    }
    ASSERT_TRUE(seen);
    up.signal(SIGKILL);
    up.wait();
    auto lab = processes_in("n1");
    auto down = netlab("down slow");
    EXPECT_EQ(down.status, 0) << down.err;
    EXPECT_TRUE(all_gone(lab));
    EXPECT_TRUE(all_gone(service_processes("slow")));
    EXPECT_EQ(sh("ip netns list").out, "");
    EXPECT_EQ(netlab_run_files(), "");
  }
}

TEST_F(Services, InstancesAndIsolatedLabsHaveServicesOfTheirOwn) {
  auto file = write_temp("svc.yaml", R"(name: svc
namespaces:
  server:
    services:
      web:
        run: [sh, -c, "echo serving; exec sleep infinity"]
        ready: {exec: [test, -d, /proc/1]}
      idle: {run: [sleep, infinity]}
tests:
  - from: server
    exec: [true]
)");
  ASSERT_EQ(netlab("up -i 1 " + file).status, 0);
  ASSERT_EQ(netlab("up -i 2 --isolated " + file).status, 0);
  EXPECT_EQ(netlab("test -i 1 svc").status, 0);
  EXPECT_EQ(netlab("test -i 2 svc").status, 0);
  EXPECT_NE(netlab("logs -i 2 svc server").out.find("==> server:web <=="), std::string::npos);
  EXPECT_EQ(service_processes("svc@1").size(), 2u);
  EXPECT_EQ(netlab("down -i 1 svc").status, 0);
  EXPECT_TRUE(all_gone(service_processes("svc@1")));
  EXPECT_EQ(service_processes("svc@2").size(), 2u) << "the other copy's services keep running";
  EXPECT_EQ(netlab("down svc@2").status, 0);
  EXPECT_TRUE(all_gone(service_processes("svc@2")));
  EXPECT_EQ(netlab_run_files(), "");
}

// Only the object that holds a service may kill and reap it: one moved from must not wait for
// a process that only the other's end of the socket lets go.
TEST_F(Services, AHeldServiceMovedAndItsFormerHolderDestroyedDoesNotHang) {
  std::optional<kernel::PendingService> first(held_service({"true"}));
  const pid_t pid = first->pid();
  kernel::PendingService second(std::move(*first));
  auto destroyed = std::async(std::launch::async, [&] { first.reset(); });
  bool hung = destroyed.wait_for(10s) == std::future_status::timeout;
  if (hung) kill(pid, SIGKILL);  // lets the test end
  destroyed.wait();
  EXPECT_FALSE(hung) << "the moved-from holder waited for the service";
}

// A pidfd that cannot be opened for want of fds is no proof that the service is gone: `down`
// would drop a running service from the record.
TEST_F(Services, AServiceThatCannotBeCheckedIsAnErrorNotGone) {
  auto pending = held_service({"sleep", "infinity"});
  const pid_t pid = pending.pid();
  const uint64_t start = pending.start_time();
  EXPECT_NE(start, 0u);
  pending.release();
  kernel::Fd fd = kernel::open_service(pid, start);
  ASSERT_TRUE(fd);
  EXPECT_FALSE(kernel::open_service(pid, start + 1)) << "another start time: not this service";
  rlimit was{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &was), 0);
  int lowest = dup(0);  // the lowest free fd: a limit there leaves none free
  close(lowest);
  rlimit none = was;
  none.rlim_cur = static_cast<rlim_t>(lowest);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &none), 0);
  EXPECT_THROW(kernel::open_service(pid, start), KernelError);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &was), 0);
  EXPECT_EQ(kernel::stop_services({&fd}, 5s), std::vector<std::string>{""});
  EXPECT_TRUE(kernel::has_exited(fd));
}

// `ip netns del` of a service's namespace: `up` makes the namespace anew, and the service,
// still running in the old one, is started again in it.
TEST_F(Services, UpRestartsAServiceWhoseNamespaceItMakesAnew) {
  auto file = services_in_n1("      idle: {run: [sleep, infinity]}\n");
  ASSERT_EQ(netlab("up " + file).status, 0);
  auto before = service_processes("svc");
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(sh("ip netns del n1").status, 0);
  auto plan = netlab("plan " + file);
  EXPECT_NE(plan.out.find("~ service idle in n1  (restarted: its namespace is made anew)"),
            std::string::npos)
      << plan.out;
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_TRUE(all_gone(before));
  auto in_n1 = processes_in("n1");
  auto after = service_processes("svc");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(in_n1.count(*after.begin()), 1u) << "the service runs in the namespace made anew";
  EXPECT_EQ(netlab("down svc").status, 0);
  EXPECT_EQ(netlab_run_files(), "");
}

// A service `down` cannot stop (its process cannot be read: /proc/PID/stat hidden) is named in
// the error and kept in the record; the others stop, and a later `down` stops it.
TEST_F(Services, DownGoesOnPastAServiceItCannotStopAndKeepsIt) {
  auto file = services_in_n1(
      "      a: {run: [sleep, infinity]}\n"
      "      b: {run: [sleep, infinity]}\n");
  ASSERT_EQ(netlab("up " + file).status, 0);
  std::string a = shown_pid("svc", "a"), b = shown_pid("svc", "b");
  ASSERT_NE(a, "");
  ASSERT_NE(b, "");
  ASSERT_EQ(sh("touch /run/empty && mount --bind /run/empty /proc/" + a + "/stat").status, 0);
  auto down = netlab("down svc");
  EXPECT_EQ(down.status, 1);
  EXPECT_NE(down.err.find("service a in n1: "), std::string::npos) << down.err;
  EXPECT_TRUE(all_gone({b}));
  // By its status: its stat, which all_gone reads, is hidden.
  std::string state = read_file("/proc/" + a + "/status");
  EXPECT_NE(state.find("State:\tS"), std::string::npos) << "a is still running: " << state;
  ASSERT_EQ(sh("umount /proc/" + a + "/stat").status, 0);
  auto again = netlab("down svc");
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_TRUE(all_gone({a}));
  EXPECT_TRUE(service_processes("svc").empty());
  EXPECT_EQ(netlab_run_files(), "");
}

// Services that ignore SIGTERM are killed after one grace period, not one each.
TEST_F(Services, DownStopsServicesThatIgnoreSigtermTogether) {
  auto file = services_in_n1(
      "      a: {run: [sh, -c, \"trap '' TERM; exec sleep infinity\"]}\n"
      "      b: {run: [sh, -c, \"trap '' TERM; exec sleep infinity\"]}\n");
  ASSERT_EQ(netlab("up " + file).status, 0);
  auto before = service_processes("svc");
  ASSERT_EQ(before.size(), 2u);
  auto start = std::chrono::steady_clock::now();
  auto down = netlab("down svc");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_TRUE(all_gone(before));
  EXPECT_LT(took, 9s) << "a grace period (5 s) for each";
}

// A log that cannot be read is said, with why: `logs` printed nothing and exited 0.
TEST_F(Services, LogsSaysALogItCannotRead) {
  auto file = services_in_n1("      idle: {run: [sleep, infinity]}\n");
  ASSERT_EQ(netlab("up " + file).status, 0);
  const std::string log = "/run/netlab/svc.services/n1/idle.log";
  ASSERT_EQ(sh("rm " + log).status, 0);
  auto logs = netlab("logs svc n1:idle");
  EXPECT_EQ(logs.status, 1);
  EXPECT_NE(logs.err.find(log + ": No such file or directory"), std::string::npos) << logs.err;
  EXPECT_EQ(netlab("down svc").status, 0);
}

// A service's PID 1 lives as long as the service: it must not keep netlab's working directory
// (a CI workspace could not be unmounted).
TEST_F(Services, AServiceKeepsNoWorkingDirectoryOfNetlabs) {
  auto file = services_in_n1("      idle: {run: [sleep, infinity]}\n");
  ASSERT_EQ(sh("mkdir -p /tmp/nl-cwd && cd /tmp/nl-cwd && " NETLAB_BINARY " up " + file).status, 0);
  auto inits = service_inits();
  ASSERT_EQ(inits.size(), 1u);
  EXPECT_EQ(std::filesystem::read_symlink("/proc/" + *inits.begin() + "/cwd"), "/");
  EXPECT_EQ(netlab("down svc").status, 0);
}

}  // namespace
}  // namespace netlab::testing
