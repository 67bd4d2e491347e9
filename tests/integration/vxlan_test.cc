// VXLAN between two "machines": namespaces m1 and m2, each with an underlay veth end into a
// bridge of the host, and a vxlan to the other over it. The overlay pings across the tunnel;
// a VNI edit re-makes the two vxlans and nothing else; `down` leaves nothing of the lab.
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: vxl
namespaces:
  m1: {}
  m2: {}
bridges:
  sw0: {}
veths:
  - {name: u1, bridge: sw0, peer: {name: eth1, namespace: m1, addresses: [192.168.0.1/24]}}
  - {name: u2, bridge: sw0, peer: {name: eth1, namespace: m2, addresses: [192.168.0.2/24]}}
vxlans:
  - {name: vx0, namespace: m1, vni: 42, remote: 192.168.0.2, dev: eth1, addresses: [10.0.0.1/24]}
  - {name: vx0, namespace: m2, vni: 42, remote: 192.168.0.1, dev: eth1, addresses: [10.0.0.2/24]}
tests:
  - {from: m1, ping: 10.0.0.2}
  - {from: m2, ping: 10.0.0.1}
)";

std::string replaced_all(std::string s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

class Vxlan : public Sandbox {};

TEST_F(Vxlan, TwoMachinesPingAcrossTheTunnelAndAVniEditRemakesOnlyTheVxlans) {
  auto file = write_temp("vxl.yaml", kLab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  std::string vx = sh("ip -n m1 -d -o link show dev vx0").out;
  EXPECT_NE(vx.find("vxlan id 42 remote 192.168.0.2 dev eth1"), std::string::npos) << vx;
  EXPECT_NE(vx.find("dstport 4789"), std::string::npos) << vx;
  EXPECT_NE(vx.find("mtu 1450"), std::string::npos) << vx;
  auto test = netlab("test " + file);
  EXPECT_EQ(test.status, 0) << test.out << test.err;
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;

  file = write_temp("vxl.yaml", replaced_all(kLab, "vni: 42", "vni: 43"));
  plan = netlab("plan " + file);
  EXPECT_NE(plan.out.find("- vxlan vx0 (vni 42 to 192.168.0.2) in m1  (vni 42 -> 43)"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("- vxlan vx0 (vni 42 to 192.168.0.1) in m2  (vni 42 -> 43)"),
            std::string::npos)
      << plan.out;
  for (const char* other : {" veth ", " bridge ", " namespace "})
    EXPECT_EQ(plan.out.find(other), std::string::npos) << other << " in\n" << plan.out;
  ASSERT_EQ(netlab("up " + file).status, 0);
  EXPECT_NE(sh("ip -n m2 -d -o link show dev vx0").out.find("vxlan id 43"), std::string::npos);
  test = netlab("test " + file);
  EXPECT_EQ(test.status, 0) << test.out << test.err;
  EXPECT_EQ(netlab("plan " + file).status, 0);

  auto down = netlab("down vxl");
  ASSERT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_EQ(sh("ip netns list").out, "");
  EXPECT_EQ(sh("ip -o link show | grep -v ' lo:'").out, "");
}

}  // namespace
}  // namespace netlab::testing
