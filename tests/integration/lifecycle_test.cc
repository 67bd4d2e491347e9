// up / plan / down as a user meets them: exit codes and output, idempotence proved on the
// wire (a second up makes the kernel announce nothing), reconciliation of an edited file to
// exactly what a fresh up of it builds, IPv6 usable the moment up returns, and bad input
// refused before anything is touched.
#include <cstdlib>
#include <thread>

#include "sandbox.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: life
namespaces:
  a:
    routes: [{to: default, via: 10.1.0.1}]
  b: {}
  c: {}
bridges:
  br0:
    addresses: [10.1.0.1/24, "fd00:1::1/64"]
veths:
  - name: va
    bridge: br0
    peer: {name: eth0, namespace: a, addresses: [10.1.0.2/24, "fd00:1::2/64"]}
  - name: vb
    bridge: br0
    peer: {name: eth0, namespace: b, addresses: [10.1.0.3/24, "fd00:1::3/64"]}
  - name: vc
    bridge: br0
    peer: {name: eth0, namespace: c, addresses: [10.1.0.4/24]}
)";

// The same lab edited: an address changed, a veth removed, a route added, an mtu set.
const char* kEdited = R"(name: life
namespaces:
  a:
    routes: [{to: default, via: 10.1.0.1}]
  b:
    routes: [{to: 192.168.50.0/24, via: 10.1.0.1, metric: 20}]
  c: {}
bridges:
  br0:
    addresses: [10.1.0.1/24, "fd00:1::1/64"]
veths:
  - name: va
    bridge: br0
    mtu: 1400
    peer: {name: eth0, namespace: a, mtu: 1400, addresses: [10.1.0.2/24, "fd00:1::2/64"]}
  - name: vb
    bridge: br0
    peer: {name: eth0, namespace: b, addresses: [10.1.0.33/24, "fd00:1::3/64"]}
)";

class Lifecycle : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    lab_ = write_temp("life.yaml", kLab);
    edited_ = write_temp("life.yaml", kEdited);
  }
  std::string lab_, edited_;
};

TEST_F(Lifecycle, PlanShowsWhatUpWouldDoAndChangesNothing) {
  std::string before = dump_state();
  auto plan = netlab("plan " + lab_);
  EXPECT_EQ(plan.status, 2) << plan.err;
  EXPECT_NE(plan.out.find("+ namespace a  (missing)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ veth va (peer eth0 in a) in host  (missing)"), std::string::npos);
  EXPECT_NE(plan.out.find("+ route default via 10.1.0.1 in a  (missing)"), std::string::npos);
  EXPECT_NE(plan.out.find("Plan: 15 to create, 0 to change, 0 to delete."), std::string::npos)
      << plan.out;
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(sh("ls /run/netlab 2>/dev/null").out, "");

  ASSERT_EQ(netlab("up " + lab_).status, 0);
  plan = netlab("plan " + lab_);
  EXPECT_EQ(plan.status, 0);
  EXPECT_NE(plan.out.find("No changes: lab life matches"), std::string::npos) << plan.out;
}

TEST_F(Lifecycle, SecondUpMakesTheKernelAnnounceNothing) {
  auto up = netlab("up " + lab_);
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_NE(up.out.find("lab life is up: 15 created, 0 changed, 0 deleted"), std::string::npos)
      << up.out;
  // Let the kernel's own late work pass: carrier changes come up to a second late
  // (linkwatch), and its link-local IPv6 addresses finish duplicate address detection.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  sh("for i in $(seq 50); do [ -z \"$(ip -6 a show tentative; for n in a b c; do "
     "ip -n $n -6 a show tentative; done)\" ] && break; sleep 0.1; done");
  // Watch every namespace of the lab for any link, address, route or netconf event. The
  // watchers' output and pids go to a directory of this test's own: /tmp is shared.
  char tmpl[] = "/tmp/netlab-mon-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  sh("cd " + dir +
     " && for ns in host a b c; do"
     "  if [ $ns = host ]; then ip monitor link address route netconf >mon.$ns 2>&1 &"
     "  else ip -n $ns monitor link address route netconf >mon.$ns 2>&1 & fi;"
     "  echo $! >>pids; done");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto again = netlab("up " + lab_);
  EXPECT_EQ(again.status, 0);
  EXPECT_EQ(again.out, "lab life is up to date: nothing to change\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sh("cd " + dir + " && cat mon.host mon.a mon.b mon.c").out, "");
  // The watch itself works: a change by hand is seen.
  sh("ip -n b link set eth0 mtu 1300");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  sh("cd " + dir + " && kill $(cat pids)");
  EXPECT_NE(sh("cat " + dir + "/mon.b").out.find("mtu 1300"), std::string::npos);
  sh("rm -rf " + dir);
}

TEST_F(Lifecycle, EditedFileEndsExactlyAsAFreshUpOfIt) {
  std::string fresh =
      dump_after_script_in_new_sandbox_cmd(std::string(NETLAB_BINARY) + " up " + edited_);
  ASSERT_EQ(fresh.find("failed"), std::string::npos) << fresh;
  ASSERT_EQ(netlab("up " + lab_).status, 0);
  auto plan = netlab("plan " + edited_);
  EXPECT_EQ(plan.status, 2);
  for (const char* line : {"- veth vc (peer eth0 in c) in host  (no longer declared)",
                           "- address 10.1.0.3/24 on eth0 in b  (not declared)",
                           "~ veth va (peer eth0 in a) in host  (mtu 1500 -> 1400)",
                           "+ address 10.1.0.33/24 on eth0 in b  (missing)",
                           "+ route 192.168.50.0/24 via 10.1.0.1 metric 20 in b  (missing)"})
    EXPECT_NE(plan.out.find(line), std::string::npos) << line << "\n" << plan.out;
  auto up = netlab("up " + edited_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(dump_state(), fresh);
  EXPECT_EQ(netlab("plan " + edited_).status, 0);
}

TEST_F(Lifecycle, Ipv6IsUsableTheMomentUpReturns) {
  ASSERT_EQ(netlab("up " + lab_).status, 0);
  // The lab's addresses skip duplicate address detection (the kernel's own link-local ones
  // do not, as with iproute2).
  EXPECT_EQ(sh("(ip -6 addr show tentative; for n in a b; do ip -n $n -6 addr show tentative; "
               "done) | grep fd00")
                .out,
            "");
  // One echo, one second at most: no duplicate-address or neighbour-discovery wait.
  auto ping = sh("ip netns exec a ping -6 -c1 -W1 fd00:1::3");
  EXPECT_EQ(ping.status, 0) << ping.out;
}

TEST_F(Lifecycle, BadFileIsRefusedWithItsPositionAndTouchesNothing) {
  std::string before = dump_state();
  auto bad = write_temp("bad.yaml",
                        "name: life\nbridges:\n  br0:\n    adresses: [10.1.0.1/24]\n"
                        "veths:\n  - name: veth-with-a-long-name\n    peer: {name: x}\n");
  for (const char* verb : {"validate ", "plan ", "up "}) {
    auto r = netlab(verb + bad);
    EXPECT_EQ(r.status, 1) << verb;
    EXPECT_NE(r.err.find(bad + ":4:5: error: unknown key \"adresses\""), std::string::npos)
        << verb << r.err;
    EXPECT_NE(r.err.find(bad + ":6:11: error:"), std::string::npos) << verb << r.err;
  }
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(sh("ls /run/netlab 2>/dev/null").out, "");
}

TEST_F(Lifecycle, DownOfALabThatIsNotUpIsANoOp) {
  auto down = netlab("down life");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(down.out, "lab life is down: nothing to remove\n");
  EXPECT_EQ(sh("ls /run/netlab 2>/dev/null").out, "");
  auto bad = netlab("down ../../netlab-no-such-file");  // from any working directory
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("neither a lab name"), std::string::npos) << bad.err;
}

TEST_F(Lifecycle, DownByFileWorksAndLeavesNoRecord) {
  ASSERT_EQ(netlab("up " + lab_).status, 0);
  auto down = netlab("down " + lab_);
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_NE(down.out.find("lab life is down"), std::string::npos);
  EXPECT_NE(sh("test -e /run/netlab").status, 0) << "the last down leaves no /run/netlab";
  EXPECT_EQ(sh("ip -o link show | grep -c netlab; ls /run/netns").out, "0\n");
}

}  // namespace
}  // namespace netlab::testing
