// A MACVLAN on a link the lab does not own: a veth made by hand plays the host's NIC, its other
// end the network behind it. The lab's namespace reaches that network through the macvlan;
// `down` leaves the parent exactly as it was.
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: mvl
namespaces:
  n1: {}
macvlans:
  - name: mv0
    namespace: n1
    parent: up0
    addresses: [192.168.7.2/24]
tests:
  - {from: n1, ping: 192.168.7.1}
)";

class Macvlan : public Sandbox {};

TEST_F(Macvlan, OnAHandMadeParentReachesItsNetworkAndDownLeavesTheParentAlone) {
  // The "NIC" and the network behind it, made by hand.
  ASSERT_EQ(sh("ip netns add outside && ip link add up0 type veth peer name up1 netns outside && "
               "ip -n outside addr add 192.168.7.1/24 dev up1 && ip -n outside link set up1 up && "
               "ip link set up0 up")
                .status,
            0);
  std::string parent_before = sh("ip -d -o link show dev up0 | sed 's/ state [A-Z]*//'").out;

  auto file = write_temp("mvl.yaml", kLab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  std::string mv = sh("ip -n n1 -d -o link show dev mv0").out;
  EXPECT_NE(mv.find("macvlan mode bridge"), std::string::npos) << mv;
  auto test = netlab("test " + file);
  EXPECT_EQ(test.status, 0) << test.out << test.err;
  EXPECT_EQ(netlab("plan " + file).status, 0);

  std::string priv = kLab;
  priv.replace(priv.find("    parent: up0\n"), 16, "    parent: up0\n    mode: private\n");
  file = write_temp("mvl.yaml", priv);
  auto plan = netlab("plan " + file);
  EXPECT_NE(plan.out.find("(mode bridge -> private)"), std::string::npos) << plan.out;
  ASSERT_EQ(netlab("up " + file).status, 0);
  EXPECT_NE(sh("ip -n n1 -d -o link show dev mv0").out.find("macvlan mode private"),
            std::string::npos);
  EXPECT_EQ(netlab("plan " + file).status, 0);

  auto down = netlab("down mvl");
  ASSERT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_EQ(sh("ip -d -o link show dev up0 | sed 's/ state [A-Z]*//'").out, parent_before);
  EXPECT_EQ(sh("ip netns list | grep -c n1").out, "0\n");
}

TEST_F(Macvlan, AMissingParentIsRefusedAtPlanTime) {
  auto file = write_temp("mvl.yaml", kLab);
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 1);
  EXPECT_NE(plan.err.find("its parent up0 is not in the host"), std::string::npos) << plan.err;
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1);
  EXPECT_EQ(sh("ip netns list").out, "");
}

}  // namespace
}  // namespace netlab::testing
