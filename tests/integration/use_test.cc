// Using a running lab from the command line: exec, test, status, list and their --json, in
// the sandbox; `ip` checks the claims independently.
#include <chrono>
#include <nlohmann/json.hpp>

#include "sandbox.h"

namespace netlab::testing {
namespace {

using json = nlohmann::json;

// Two namespaces on a bridge; net1's loopback stays down.
const char* kLab = R"(name: uselab
namespaces:
  net0:
    routes: [{to: default, via: 10.0.0.1}]
  net1: {}
bridges:
  br0: {addresses: [10.0.0.1/24]}
veths:
  - name: veth0
    bridge: br0
    peer: {name: eth0, namespace: net0, addresses: [10.0.0.2/24]}
  - name: veth1
    bridge: br0
    peer: {name: eth0, namespace: net1, addresses: [10.0.0.3/24]}
)";

const char* kPassing = R"(tests:
  - {from: net0, ping: 10.0.0.3}
  - {from: net1, ping: 10.0.0.2}
  - {from: host, ping: 10.0.0.2}
  - {from: net1, ping: 10.0.0.9, expect: unreachable}
)";

const char* kFailing = R"(tests:
  - {from: net0, ping: 10.0.0.3}
  - {from: net1, ping: 10.0.0.9}
  - {from: net0, ping: 10.0.0.8}
)";

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

class Use : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    file = write_temp("lab.yaml", std::string(kLab) + kPassing);
    auto up = netlab("up " + file);
    ASSERT_EQ(up.status, 0) << up.out << up.err;
  }
  std::string file;
};

TEST_F(Use, ExecPassesTheExitStatusThrough) {
  EXPECT_EQ(netlab("exec net0 -- sh -c 'exit 7'").status, 7);
  EXPECT_EQ(netlab("exec net0 -- true").status, 0);
  EXPECT_EQ(netlab("exec net0 -- sh -c 'kill -TERM $$'").status, 128 + 15);
  auto missing = netlab("exec net0 -- no-such-command-here");
  EXPECT_EQ(missing.status, 127);
  EXPECT_TRUE(has(missing.err, "command not found")) << missing.err;
  // No shell: the arguments reach the command as they are.
  auto echo = netlab("exec net0 -- echo '$HOME;' '*'");
  EXPECT_EQ(echo.out, "$HOME; *\n");
}

TEST_F(Use, ExecSeesTheLabsNamespaceOnly) {
  auto inside = netlab("exec net0 -- ip -o link");
  ASSERT_EQ(inside.status, 0) << inside.err;
  EXPECT_TRUE(has(inside.out, " lo:")) << inside.out;
  EXPECT_TRUE(has(inside.out, " eth0@")) << inside.out;
  EXPECT_FALSE(has(inside.out, "br0")) << inside.out;
  EXPECT_FALSE(has(inside.out, "veth0")) << inside.out;
  auto addr = netlab("exec net0 -- ip -o addr show dev eth0");
  EXPECT_TRUE(has(addr.out, "10.0.0.2/24")) << addr.out;
  // /sys is the namespace's own, and that mount does not leak back to the caller.
  auto sys = netlab("exec net1 -- ls /sys/class/net");
  EXPECT_EQ(sys.out, "eth0\nlo\n");
  EXPECT_EQ(sh("test -e /sys/class/net/br0").status, 0) << "the caller's /sys must be intact";
  // host: the root namespace (here, the sandbox's).
  auto host = netlab("exec host -- ip -o link");
  EXPECT_TRUE(has(host.out, "br0")) << host.out;
}

TEST_F(Use, ExecRefusesBadOrUnknownNamespaces) {
  auto bad = netlab("exec ../../proc/1/ns/net -- true");
  EXPECT_EQ(bad.status, 125);
  EXPECT_TRUE(has(bad.err, "namespace name")) << bad.err;
  auto unknown = netlab("exec net9 -- true");
  EXPECT_EQ(unknown.status, 125);
  EXPECT_TRUE(has(unknown.err, "namespace net9 does not exist")) << unknown.err;
}

TEST_F(Use, TestPasses) {
  auto t = netlab("test " + file);
  EXPECT_EQ(t.status, 0) << t.out << t.err;
  EXPECT_TRUE(has(t.out, "ok   net0 -> 10.0.0.3  reachable  ")) << t.out;
  EXPECT_TRUE(has(t.out, "ok   host -> 10.0.0.2  reachable  ")) << t.out;
  EXPECT_TRUE(has(t.out, "ok   net1 -> 10.0.0.9  unreachable")) << t.out;
  EXPECT_TRUE(has(t.out, "4 passed, 0 failed")) << t.out;
  // By name: the file recorded by `up`.
  auto by_name = netlab("test uselab");
  EXPECT_EQ(by_name.status, 0) << by_name.out << by_name.err;
}

TEST_F(Use, TestFailsAndRunsItsChecksConcurrently) {
  auto failing = write_temp("lab.yaml", std::string(kLab) + kFailing);
  auto t0 = std::chrono::steady_clock::now();
  auto t = netlab("test " + failing);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(t.status, 1) << t.out << t.err;
  EXPECT_TRUE(has(t.out, "ok   net0 -> 10.0.0.3  reachable")) << t.out;
  EXPECT_TRUE(has(t.out, "FAIL net1 -> 10.0.0.9  expected reachable, no reply in 1.0 s")) << t.out;
  EXPECT_TRUE(has(t.out, "FAIL net0 -> 10.0.0.8  expected reachable")) << t.out;
  EXPECT_TRUE(has(t.out, "1 passed, 2 failed")) << t.out;
  EXPECT_LT(took, 1.8) << "two 1 s timeouts must run at once";
}

// A probe the namespace could not send (a firewall dropping it on the way out: EPERM) says
// nothing about reachability: the check fails whatever it expected, with the reason. No route
// at all is the network's answer, and counts as unreachable.
TEST_F(Use, TestWhoseEchoCannotBeSentFails) {
  ASSERT_EQ(sh("ip netns exec net1 iptables-legacy -A OUTPUT -p icmp -j DROP").status, 0);
  auto lab = write_temp("lab.yaml", std::string(kLab) + R"(tests:
  - {from: net1, ping: 10.0.0.2, expect: unreachable}
  - {from: net1, ping: 10.0.0.2}
  - {from: net1, ping: 10.99.0.1, expect: unreachable}
)");
  auto t = netlab("test " + lab);
  EXPECT_EQ(t.status, 1) << t.out << t.err;
  EXPECT_TRUE(has(t.out,
                  "FAIL net1 -> 10.0.0.2  cannot run: cannot send an echo: Operation not "
                  "permitted\nFAIL net1 -> 10.0.0.2  cannot run: cannot send an echo: "
                  "Operation not permitted\n"))
      << t.out;
  EXPECT_TRUE(has(t.out, "ok   net1 -> 10.99.0.1  unreachable  Network is unreachable")) << t.out;
  EXPECT_TRUE(has(t.out, "1 passed, 2 failed")) << t.out;
}

TEST_F(Use, TestByNameSaysWhenTheFileIsGone) {
  ASSERT_EQ(sh("rm " + file).status, 0);
  auto t = netlab("test uselab");
  EXPECT_EQ(t.status, 1);
  EXPECT_TRUE(has(t.err, "is gone")) << t.err;
  auto none = netlab("test nolab");
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(has(none.err, "no lab nolab")) << none.err;
}

TEST_F(Use, DriftShowsInStatusAndPlanAndUpRepairsIt) {
  auto clean = netlab("status uselab");
  EXPECT_EQ(clean.status, 0) << clean.out << clean.err;
  EXPECT_TRUE(has(clean.out, "in sync")) << clean.out;
  EXPECT_TRUE(has(clean.out, "ok       address 10.0.0.2/24 on eth0 in net0")) << clean.out;

  ASSERT_EQ(sh("ip netns exec net0 ip addr del 10.0.0.2/24 dev eth0").status, 0);
  auto st = netlab("status uselab");
  EXPECT_EQ(st.status, 2) << st.out << st.err;
  EXPECT_TRUE(has(st.out, "missing  address 10.0.0.2/24 on eth0 in net0")) << st.out;
  EXPECT_TRUE(has(st.out, "ok       address 10.0.0.3/24 on eth0 in net1")) << st.out;
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 2) << plan.out << plan.err;
  EXPECT_TRUE(has(plan.out, "+ address 10.0.0.2/24 on eth0 in net0  (missing)")) << plan.out;

  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_TRUE(has(sh("ip netns exec net0 ip -o addr show dev eth0").out, "10.0.0.2/24"));
  EXPECT_EQ(netlab("status " + file).status, 0);
  EXPECT_EQ(netlab("plan " + file).status, 0);
}

TEST_F(Use, StatusShowsWhatTheFileNoLongerDeclaresAsExtra) {
  std::string lab = kLab;
  auto f = write_temp("lab.yaml", lab.substr(0, lab.find("  - name: veth1")));  // veth1 dropped
  auto st = netlab("status " + f);
  EXPECT_EQ(st.status, 2) << st.out << st.err;
  EXPECT_TRUE(has(st.out, "extra    veth veth1")) << st.out;
}

TEST_F(Use, StatusFromTheRecordWhenTheFileIsGone) {
  ASSERT_EQ(sh("rm " + file).status, 0);
  auto st = netlab("status uselab");
  EXPECT_EQ(st.status, 0) << st.out << st.err;
  EXPECT_TRUE(has(st.err, "showing the record only")) << st.err;
  EXPECT_TRUE(has(st.out, "ok       namespace net0")) << st.out;
  ASSERT_EQ(sh("ip netns del net1").status, 0);
  auto gone = netlab("status uselab");
  EXPECT_EQ(gone.status, 2) << gone.out;
  EXPECT_TRUE(has(gone.out, "missing  namespace net1")) << gone.out;
}

TEST_F(Use, ListShowsTheLabsWithCountsAndFiles) {
  auto l = netlab("list");
  EXPECT_EQ(l.status, 0) << l.err;
  EXPECT_TRUE(has(l.out, "uselab")) << l.out;
  EXPECT_TRUE(has(l.out, file)) << l.out;
  auto j = json::parse(netlab("list --json").out);
  ASSERT_EQ(j["labs"].size(), 1u) << j.dump();
  EXPECT_EQ(j["labs"][0]["name"], "uselab");
  EXPECT_EQ(j["labs"][0]["file"], file);
  EXPECT_EQ(j["labs"][0]["file_exists"], true);
  EXPECT_EQ(j["labs"][0]["counts"]["namespaces"], 2);
  EXPECT_EQ(j["labs"][0]["counts"]["links"], 5);  // br0 and both ends of two veths
  ASSERT_EQ(netlab("down uselab").status, 0);
  EXPECT_TRUE(has(netlab("list").out, "no labs on this machine"));
  EXPECT_EQ(json::parse(netlab("list --json").out)["labs"].size(), 0u);
}

// The fields docs/json.md promises.
TEST_F(Use, JsonParsesWithTheDocumentedFields) {
  ASSERT_EQ(sh("ip netns exec net1 ip addr del 10.0.0.3/24 dev eth0").status, 0);
  auto plan = netlab("plan --json " + file);
  EXPECT_EQ(plan.status, 2);
  auto p = json::parse(plan.out);
  EXPECT_EQ(p["lab"], "uselab");
  ASSERT_EQ(p["changes"].size(), 1u) << p.dump();
  EXPECT_EQ(p["changes"][0]["op"], "create");
  EXPECT_EQ(p["changes"][0]["object"], "address 10.0.0.3/24 on eth0");
  EXPECT_EQ(p["changes"][0]["namespace"], "net1");
  EXPECT_EQ(p["changes"][0]["why"], "missing");
  EXPECT_TRUE(p["conflicts"].is_array());
  EXPECT_EQ(p["summary"], json({{"create", 1}, {"change", 0}, {"delete", 0}}));

  auto status = netlab("status --json uselab");
  EXPECT_EQ(status.status, 2);
  auto s = json::parse(status.out);
  EXPECT_EQ(s["lab"], "uselab");
  EXPECT_EQ(s["file"], file);
  EXPECT_EQ(s["source"], "topology");
  EXPECT_EQ(s["in_sync"], false);
  EXPECT_EQ(s["summary"]["missing"], 1);
  EXPECT_EQ(s["summary"]["extra"], 0);
  size_t missing = 0;
  for (const auto& o : s["objects"]) {
    for (const char* k : {"state", "object", "namespace", "why", "live"})
      EXPECT_TRUE(o.contains(k)) << k << " in " << o.dump();
    if (o["state"] == "missing") {
      ++missing;
      EXPECT_EQ(o["object"], "address 10.0.0.3/24 on eth0");
      EXPECT_EQ(o["live"], "absent");
    }
  }
  EXPECT_EQ(missing, 1u);
  EXPECT_EQ(s["summary"]["ok"], s["objects"].size() - 1);

  ASSERT_EQ(netlab("up " + file).status, 0);
  auto test = netlab("test --json " + file);
  EXPECT_EQ(test.status, 0) << test.out;
  auto t = json::parse(test.out);
  EXPECT_EQ(t["lab"], "uselab");
  EXPECT_EQ(t["timeout_s"], 1.0);
  ASSERT_EQ(t["results"].size(), 4u);
  EXPECT_EQ(t["results"][0]["from"], "net0");
  EXPECT_EQ(t["results"][0]["to"], "10.0.0.3");
  EXPECT_EQ(t["results"][0]["expect"], "reachable");
  EXPECT_EQ(t["results"][0]["result"], "reachable");
  EXPECT_EQ(t["results"][0]["passed"], true);
  EXPECT_TRUE(t["results"][0]["rtt_ms"].is_number());
  EXPECT_TRUE(t["results"][0]["error"].is_null());
  EXPECT_EQ(t["results"][3]["result"], "unreachable");
  EXPECT_TRUE(t["results"][3]["rtt_ms"].is_null());
  EXPECT_EQ(t["summary"], json({{"passed", 4}, {"failed", 0}}));
}

TEST_F(Use, PlainInPipesColourOnlyOnATerminalWithoutNoColor) {
  std::string bin = NETLAB_BINARY;
  auto piped = sh("unset NO_COLOR; " + bin + " status uselab; " + bin + " test uselab");
  EXPECT_FALSE(has(piped.out, "\033[")) << piped.out;
  if (sh("command -v script").status != 0) GTEST_SKIP() << "no script(1) to make a terminal";
  auto tty = sh("unset NO_COLOR; script -qec '" + bin + " status uselab' /dev/null");
  EXPECT_TRUE(has(tty.out, "\033[32m")) << tty.out;
  auto no_color = sh("NO_COLOR=1 script -qec '" + bin + " status uselab' /dev/null");
  EXPECT_FALSE(has(no_color.out, "\033[")) << no_color.out;
}

TEST_F(Use, EveryVerbHasAManualWithAnExample) {
  for (const char* verb :
       {"validate", "graph", "plan", "up", "down", "exec", "test", "status", "list"}) {
    auto h = netlab(std::string(verb) + " --help");
    EXPECT_EQ(h.status, 0) << verb;
    EXPECT_TRUE(has(h.out, "EXAMPLE")) << verb << ":\n" << h.out;
  }
}

}  // namespace
}  // namespace netlab::testing
