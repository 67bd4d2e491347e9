// A failed `up` that had remade a veth (its peer moved to another namespace) puts the old pair
// back on the real kernel: its MAC, MTU, tag and addresses, and the route the kernel flushed
// with it, so that the lab works as before.
#include <string>

#include "sandbox.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: rm
namespaces:
  n1:
    routes: [{to: 10.50.0.0/24, via: 10.81.0.1}]
  n2: {}
veths:
  - name: f1
    mtu: 1400
    mac: 02:00:00:00:00:01
    addresses: [10.81.0.1/24, 10.81.0.9/24, "fd00:81::1/64"]
    peer: {name: eth0, namespace: n1, addresses: [10.81.0.2/24, "fd00:81::2/64"]}
)";

// The peer moves to n2, where a setting of its own is one the kernel has no file for: the run
// fails once the new pair is made.
std::string moved() {
  std::string y = kLab;
  auto swap = [&](const std::string& from, const std::string& to) {
    y.replace(y.find(from), from.size(), to);
  };
  swap("    routes: [{to: 10.50.0.0/24, via: 10.81.0.1}]\n  n2: {}",
       "    routes: []\n  n2:\n    sysctl: {net.ipv4.conf.eth0.no_such_key: 1}");
  swap("namespace: n1", "namespace: n2");
  return y;
}

class RemadeRollback : public Sandbox {};

TEST_F(RemadeRollback, AFailedUpPutsBackTheVethItRemade) {
  auto lab = write_temp("rm.yaml", kLab);
  ASSERT_EQ(netlab("up " + lab).status, 0);
  std::string before = dump_state();

  auto up = netlab("up " + write_temp("rm.yaml", moved()));
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_NE(up.err.find("no_such_key"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("rolled back"), std::string::npos) << up.err;
  EXPECT_EQ(up.err.find("stand"), std::string::npos) << up.err;

  EXPECT_EQ(dump_state(), before);
  std::string f1 = sh("ip -d link show f1").out;
  EXPECT_NE(f1.find("mtu 1400"), std::string::npos) << f1;
  EXPECT_NE(f1.find("link/ether 02:00:00:00:00:01"), std::string::npos) << f1;
  EXPECT_NE(f1.find("alias netlab:rm"), std::string::npos) << f1;
  EXPECT_NE(sh("ip -n n1 -br addr show eth0").out.find("10.81.0.2/24"), std::string::npos);
  EXPECT_NE(sh("ip -n n1 route show 10.50.0.0/24").out.find("via 10.81.0.1 dev eth0"),
            std::string::npos);
  EXPECT_EQ(sh("ip netns exec n1 ping -c1 -W2 10.81.0.1").status, 0);
  auto plan = netlab("plan " + lab);
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("No changes"), std::string::npos) << plan.out;
  EXPECT_EQ(netlab("down rm").status, 0);
}

}  // namespace
}  // namespace netlab::testing
