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
// Only a namespace that forwards IPv6 has DAD turned off for its links, and a router's own
// setting in the file wins; a host namespace is left as the kernel makes it.
TEST_F(RoutedIpv6, DadIsOffOnRoutersUnlessTheFileSaysOtherwise) {
  std::string lab = kLab;
  std::string r2 = "    sysctl: {net.ipv6.conf.all.forwarding: 1}\n";
  size_t at = lab.find(r2, lab.find("  r2:\n"));
  lab.replace(at, r2.size(),
              "    sysctl: {net.ipv6.conf.all.forwarding: 1, "
              "net.ipv6.conf.default.accept_dad: 1}\n");
  auto file = write_temp("v6r.yaml", lab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto dad = [&](const std::string& ns, const std::string& link) {
    return sh("ip netns exec " + ns + " cat /proc/sys/net/ipv6/conf/" + link + "/accept_dad").out;
  };
  EXPECT_EQ(dad("r1", "default"), "0\n");
  EXPECT_EQ(dad("r1", "e1"), "0\n");
  EXPECT_EQ(dad("r2", "default"), "1\n");
  EXPECT_EQ(dad("r2", "e1"), "1\n");
  EXPECT_EQ(dad("h1", "default"), "1\n");
  EXPECT_EQ(netlab("plan " + file).status, 0);
}

}  // namespace
}  // namespace netlab::testing
