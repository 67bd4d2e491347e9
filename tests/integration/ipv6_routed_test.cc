// IPv6 across routers is usable the moment `up` returns: h1 - r1 - r2 - h2, IPv6 only. Each
// router forwards to a neighbour it has to solicit first, which it does only once its own
// link-local address is out of duplicate address detection.
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: v6r
namespaces:
  h1:
    routes: [{to: default, via: "fd01::1"}]
  r1:
    sysctl: {net.ipv6.conf.all.forwarding: 1}
    routes: [{to: "fd03::/64", via: "fd02::2"}]
  r2:
    sysctl: {net.ipv6.conf.all.forwarding: 1}
    routes: [{to: "fd01::/64", via: "fd02::1"}]
  h2:
    routes: [{to: default, via: "fd03::1"}]
veths:
  - name: eth0
    namespace: h1
    addresses: ["fd01::10/64"]
    peer: {name: e1, namespace: r1, addresses: ["fd01::1/64"]}
  - name: e2
    namespace: r1
    addresses: ["fd02::1/64"]
    peer: {name: e1, namespace: r2, addresses: ["fd02::2/64"]}
  - name: e2
    namespace: r2
    addresses: ["fd03::1/64"]
    peer: {name: eth0, namespace: h2, addresses: ["fd03::10/64"]}
tests:
  - {from: h1, ping: "fd03::10"}
  - {from: h2, ping: "fd01::10"}
)";

class RoutedIpv6 : public Sandbox {};

TEST_F(RoutedIpv6, PingsAcrossTwoRoutersRightAfterUp) {
  auto file = write_temp("v6r.yaml", kLab);
  for (int round = 1; round <= 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto up = netlab("up " + file);
    ASSERT_EQ(up.status, 0) << up.out << up.err;
    auto test = netlab("test " + file);
    EXPECT_EQ(test.status, 0) << test.out << test.err;
    auto down = netlab("down v6r");
    ASSERT_EQ(down.status, 0) << down.out << down.err;
  }
}

// The namespace's IPv6 defaults are set before its links exist; one the file declares is
// what the namespace ends with, its links were made with it, and up converges on it.
TEST_F(RoutedIpv6, ANamespaceSysctlOfTheFileWins) {
  std::string lab = kLab;
  lab.replace(lab.find("  h2:\n"), 6, "  h2:\n    sysctl: {net.ipv6.conf.default.accept_dad: 1}\n");
  auto file = write_temp("v6r.yaml", lab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(sh("ip netns exec h2 cat /proc/sys/net/ipv6/conf/default/accept_dad").out, "1\n");
  EXPECT_EQ(sh("ip netns exec h2 cat /proc/sys/net/ipv6/conf/eth0/accept_dad").out, "1\n");
  EXPECT_EQ(sh("ip netns exec h1 cat /proc/sys/net/ipv6/conf/default/accept_dad").out, "0\n");
  EXPECT_EQ(sh("ip netns exec h1 cat /proc/sys/net/ipv6/conf/eth0/accept_dad").out, "0\n");
  EXPECT_EQ(netlab("plan " + file).status, 0);
}

}  // namespace
}  // namespace netlab::testing
