// netlab as a GoogleTest fixture (docs/ci-fixture.md): a lab up for each test through the C++
// API, down when the test ends — passed, failed or thrown. The tests below the example prove
// the "nothing left behind" part from the outside: the guarded body runs in a forked child
// that throws, aborts after unwinding, or is killed, and the parent checks the sandbox.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "netlab.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: fixture
namespaces:
  client: {}
  server: {}
bridges:
  br0: {addresses: [10.9.0.1/24]}
veths:
  - name: vclient
    bridge: br0
    peer: {name: eth0, namespace: client, addresses: [10.9.0.2/24]}
  - name: vserver
    bridge: br0
    peer: {name: eth0, namespace: server, addresses: [10.9.0.3/24]}
tests:
  - {from: client, ping: 10.9.0.3}
  - {from: server, ping: 10.9.0.2}
)";

// --- The example: what a project's own test would look like. ---

class LabFixture : public Sandbox {  // outside this repo: ::testing::Test, run as root
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    lab_.emplace(netlab::load_text(kLab, "fixture.yaml"));
  }
  void TearDown() override { lab_.reset(); }  // down, even after a failed assertion
  std::optional<LabGuard> lab_;
};

TEST_F(LabFixture, ClientReachesServer) {
  auto ping = lab_->exec("client", {"ping", "-c1", "-W2", "10.9.0.3"}, {.capture_stdout = true});
  EXPECT_EQ(ping.status, 0) << ping.out;
  for (const auto& t : lab_->test()) EXPECT_TRUE(t.passed) << t.str(1.0);
}

TEST_F(LabFixture, ServerSeesOnlyItsOwnInterfaces) {
  auto links = lab_->exec("server", {"ls", "/sys/class/net"}, {.capture_stdout = true});
  EXPECT_EQ(links.out, "eth0\nlo\n");
}

// --- The proof: nothing is left behind, however the body ends. ---

// What a lab could leave: namespaces, links other than lo, records.
std::string leftovers() {
  return sh("ip netns list; ip -o link show | grep -v ': lo:'; ls -A /run/netlab 2>/dev/null").out;
}

// Runs `body` in a forked child (its own copy of this test process) and returns its status.
template <class F>
int in_child(F&& body) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    body();
    _exit(0);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) throw std::runtime_error("waitpid");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

class NothingLeftBehind : public Sandbox {};

TEST_F(NothingLeftBehind, WhenTheBodyThrows) {
  ASSERT_EQ(leftovers(), "");
  int status = in_child([] {
    try {
      LabGuard lab(netlab::load_text(kLab, "fixture.yaml"));
      if (lab.exec("client", {"true"}).status != 0) _exit(2);  // the lab was really up
      throw std::runtime_error("the test body failed");
    } catch (const std::runtime_error&) {
      _exit(42);
    } catch (...) {
      _exit(3);
    }
  });
  EXPECT_EQ(status, 42);
  EXPECT_EQ(leftovers(), "");
}

TEST_F(NothingLeftBehind, WhenTheProcessAbortsAfterUnwinding) {
  ASSERT_EQ(leftovers(), "");
  int status = in_child([] {
    try {
      LabGuard lab(netlab::load_text(kLab, "fixture.yaml"));
      if (lab.test().empty()) _exit(2);
      throw std::logic_error("unexpected");
    } catch (...) {
      std::abort();  // the guard has already brought the lab down
    }
  });
  EXPECT_EQ(status, 128 + SIGABRT);
  EXPECT_EQ(leftovers(), "");
}

// No destructor runs under SIGKILL (a CI job killed on timeout): the record lets
// `down` by name remove everything, as a CI job's trap or next run does.
TEST_F(NothingLeftBehind, WhenTheProcessIsKilledDownByNameCleansUp) {
  ASSERT_EQ(leftovers(), "");
  int status = in_child([] {
    LabGuard lab(netlab::load_text(kLab, "fixture.yaml"));
    kill(getpid(), SIGKILL);
  });
  EXPECT_EQ(status, 128 + SIGKILL);
  EXPECT_NE(leftovers(), "") << "killed: the lab is still up";
  netlab::down("fixture");
  EXPECT_EQ(leftovers(), "");
}

// --- Copies side by side: the same file under every test of a `ctest -j` run. ---

// The host side has links and no address: copies of it can share the machine's network.
const char* kSharedLab = R"(name: fixture
namespaces:
  client: {}
  server: {}
bridges:
  br0: {}
veths:
  - {name: vclient, bridge: br0, peer: {name: eth0, namespace: client, addresses: [10.9.0.2/24]}}
  - {name: vserver, bridge: br0, peer: {name: eth0, namespace: server, addresses: [10.9.0.3/24]}}
tests:
  - {from: client, ping: 10.9.0.3}
)";

TEST_F(NothingLeftBehind, FourFixturesOfOneFileAtOnce) {
  ASSERT_EQ(leftovers(), "");
  std::fflush(nullptr);
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      try {  // the guard's scope ends before _exit, which runs no destructor
        LabGuard lab(netlab::load_text(kSharedLab, "fixture.yaml"), netlab::unique_instance());
        for (const auto& t : lab.test())
          if (!t.passed) {
            std::fprintf(stderr, "%s: %s\n", lab.name().c_str(), t.str(1.0).c_str());
            status = 2;
          }
        // The copy's own namespaces, under the file's names.
        auto links = lab.exec("server", {"ls", "/sys/class/net"}, {.capture_stdout = true});
        if (links.out != "eth0\nlo\n") status = 3;
      } catch (...) {
        status = 4;
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "child status " << st;
  }
  EXPECT_EQ(leftovers(), "");
}

TEST_F(NothingLeftBehind, BadTopologyThrowsEveryProblem) {
  try {
    netlab::load_text("name: Bad_Name\nnamespaces:\n  ../x: {}\n", "bad.yaml");
    ADD_FAILURE() << "loaded";
  } catch (const TopologyError& e) {
    EXPECT_GE(e.diagnostics.all().size(), 2u) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.yaml:1:"), std::string::npos) << e.what();
  }
  EXPECT_EQ(leftovers(), "");
}

}  // namespace
}  // namespace netlab::testing
