// `netlab test` with checks beyond ping, on a real lab: a port that must refuse, one that must
// be open (a listener this test holds in the namespace), commands that must succeed, fail or be
// killed at their timeout, one that passes only on its third attempt, and the JUnit report
// read back field by field.
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "../unit/xml_elements.h"
#include "kernel/exec.h"
#include "kernel/fd.h"
#include "kernel/netns.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* const kLab = R"(name: ck
namespaces: {client: {}, server: {}}
veths:
  - name: eth0
    namespace: client
    addresses: [10.0.0.1/24]
    peer: {name: eth0, namespace: server, addresses: [10.0.0.2/24]}
tests:
  - {from: client, ping: 10.0.0.2}
  - {from: client, tcp: 10.0.0.2:81, expect: refused}
  - {from: client, tcp: 10.0.0.2:8080}
  - {from: client, tcp: 10.0.0.2:82}
  - {from: server, exec: [cat, /proc/net/dev], output: 'lo:'}
  - {from: server, exec: [sleep, '30'], timeout: 200ms, expect: unreachable}
  - from: server
    exec: [sh, -c, 'n=$(cat COUNT); echo $((n + 1)) > COUNT; [ "$n" -ge 2 ]']
    wait: 20s
)";

// A TCP listener on port in the namespace ns, for as long as the Fd lives.
kernel::Fd listen_in(const std::string& ns, uint16_t port) {
  kernel::Fd s;
  kernel::in_named_netns(ns, [&] { s = kernel::Fd(socket(AF_INET, SOCK_STREAM, 0)); });
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  EXPECT_EQ(bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(listen(s.get(), 4), 0);
  return s;
}

class Checks : public Sandbox {
 protected:
  std::string file;
  std::string dir;
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    std::string count = write_temp("count", "0\n");
    dir = count.substr(0, count.rfind('/'));
    std::string yaml = kLab;
    yaml.replace(yaml.find("COUNT"), 5, count);
    yaml.replace(yaml.find("COUNT"), 5, count);
    file = write_temp("lab.yaml", yaml);
    auto up = netlab("up " + file);
    ASSERT_EQ(up.status, 0) << up.out << up.err;
  }
};

TEST_F(Checks, JunitReportSaysWhatPassedAndWhatWasSeen) {
  auto listener = listen_in("server", 8080);
  std::string report = dir + "/report.xml";
  auto run = netlab("test --junit " + report + " ck");
  EXPECT_EQ(run.status, 1) << run.out << run.err;  // one check fails: port 82 is closed
  EXPECT_NE(run.out.find("FAIL tcp client -> 10.0.0.2:82  expected open, saw refused"),
            std::string::npos)
      << run.out;
  auto els = elements(sh("cat " + report).out);
  ASSERT_EQ(els.size(), 10u) << sh("cat " + report).out;  // suites, suite, 7 cases, 1 failure
  EXPECT_EQ(els[1].attrs["name"], "ck");
  EXPECT_EQ(els[1].attrs["tests"], "7");
  EXPECT_EQ(els[1].attrs["failures"], "1");
  EXPECT_EQ(els[1].attrs["errors"], "0");
  const std::vector<std::string> names = {
      "ping client -> 10.0.0.2",   "tcp client -> 10.0.0.2:81",      "tcp client -> 10.0.0.2:8080",
      "tcp client -> 10.0.0.2:82", "exec server: cat /proc/net/dev", "exec server: sleep 30"};
  for (size_t i = 0; i < names.size(); ++i) {
    size_t at = 2 + i + (i > 3);  // the failure follows the fourth case
    EXPECT_EQ(els[at].name, "testcase");
    EXPECT_EQ(els[at].attrs["classname"], "netlab.ck");
    EXPECT_EQ(els[at].attrs["name"], names[i]);
    EXPECT_EQ(els[at].attrs["file"], file);
  }
  EXPECT_EQ(els[6].name, "failure");
  EXPECT_EQ(els[6].attrs["message"], "expected open, saw refused");
  EXPECT_EQ(els[6].attrs["type"], "tcp");
  EXPECT_EQ(els[6].text,
            "check: tcp client -> 10.0.0.2:82\nexpected: open\nseen: refused\n"
            "attempts: 1\nat: " +
                file + ":12:5");
  // The command killed at its timeout took about that long, not its 30 s.
  EXPECT_LT(std::stod(els[8].attrs["time"]), 10.0);
  EXPECT_EQ(els[9].attrs["name"].rfind("exec server: sh -c ", 0), 0u);
}

TEST_F(Checks, JsonSaysKindExpectedSeenAndAttempts) {
  auto listener = listen_in("server", 8080);
  auto run = netlab("test --json ck");
  EXPECT_EQ(run.status, 1) << run.err;
  auto j = nlohmann::json::parse(run.out);
  const auto& r = j.at("results");
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[0].at("kind"), "ping");
  EXPECT_EQ(r[0].at("result"), "reachable");
  EXPECT_EQ(r[1].at("kind"), "tcp");
  EXPECT_EQ(r[1].at("port"), 81);
  EXPECT_EQ(r[1].at("expect"), "refused");
  EXPECT_EQ(r[1].at("result"), "refused");
  EXPECT_EQ(r[1].at("passed"), true);
  EXPECT_EQ(r[2].at("result"), "open");
  EXPECT_EQ(r[3].at("passed"), false);
  EXPECT_EQ(r[3].at("expected"), "open");
  EXPECT_EQ(r[3].at("seen"), "refused");
  EXPECT_EQ(r[4].at("argv"), nlohmann::json({"cat", "/proc/net/dev"}));
  EXPECT_EQ(r[4].at("passed"), true);
  EXPECT_EQ(r[5].at("seen"), "killed after 0.2 s");
  EXPECT_EQ(r[5].at("passed"), true);
  // Passes on its third attempt: the counter it keeps reaches 2 then.
  EXPECT_EQ(r[6].at("passed"), true);
  EXPECT_EQ(r[6].at("attempts"), 3);
  EXPECT_EQ(j.at("summary").at("failed"), 1);
}

// A check keeps the first bytes of a command's output and reads the rest: the command finishes
// (never blocked on a full pipe) and netlab's memory stays bounded.
TEST_F(Checks, CapturedOutputIsBoundedAndTheCommandNotBlocked) {
  auto r = kernel::exec_in_netns(
      "server", {"head", "-c", "3000000", "/dev/zero"},
      {.capture_stdout = true, .capture_limit = 1 << 20, .timeout = std::chrono::seconds(60)});
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out.size(), 1u << 20);
}

}  // namespace
}  // namespace netlab::testing
