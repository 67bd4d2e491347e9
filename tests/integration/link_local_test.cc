// An IPv4 lab's links have no IPv6 link-local address, so they send no IPv6 start-up traffic
// for a bridge to flood; once the file uses IPv6 they have one, as the kernel makes them.
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: ll
namespaces:
  n1: {}
bridges:
  br0: {addresses: [10.0.0.1/24]}
veths:
  - name: v1
    bridge: br0
    peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}
tests:
  - {from: n1, ping: 10.0.0.1}
)";

class LinkLocal : public Sandbox {
 protected:
  // The IPv6 addresses of scope link in a namespace, one per line ("" for none).
  std::string link_locals(const std::string& ns) {
    std::string prefix = ns == "host" ? "" : "ip netns exec " + ns + " ";
    return sh(prefix + "ip -6 -o addr show scope link | awk '{print $2, $4}'").out;
  }
};

TEST_F(LinkLocal, AnIPv4LabHasNoneAndTurnsThemOnWhenItUsesIPv6) {
  auto file = write_temp("ll.yaml", kLab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(link_locals("host"), "");
  EXPECT_EQ(link_locals("n1"), "");
  EXPECT_NE(sh("ip -d link show dev v1").out.find("addrgenmode none"), std::string::npos);
  EXPECT_EQ(netlab("test " + file).status, 0);
  EXPECT_EQ(netlab("plan " + file).status, 0);

  std::string v6 = kLab;
  v6.replace(v6.find("10.0.0.2/24"), 11, "10.0.0.2/24, \"fd00::2/64\"");
  file = write_temp("ll.yaml", v6);
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 2);
  EXPECT_NE(plan.out.find("(IPv6 link-local off -> on)"), std::string::npos) << plan.out;
  up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(link_locals("n1").substr(0, 10), "eth0 fe80:") << link_locals("n1");
  EXPECT_NE(link_locals("host").find("v1 fe80:"), std::string::npos) << link_locals("host");
  EXPECT_EQ(netlab("plan " + file).status, 0);

  file = write_temp("ll.yaml", kLab);
  plan = netlab("plan " + file);
  EXPECT_NE(plan.out.find("~ veth eth0 (peer v1 in host) in n1  (IPv6 link-local on -> off)"),
            std::string::npos)
      << plan.out;
  ASSERT_EQ(netlab("up " + file).status, 0);
  EXPECT_EQ(netlab("plan " + file).status, 0);
  EXPECT_NE(sh("ip netns exec n1 ip -d link show dev eth0").out.find("addrgenmode none"),
            std::string::npos);
  EXPECT_EQ(netlab("down ll").status, 0);
}

}  // namespace
}  // namespace netlab::testing
