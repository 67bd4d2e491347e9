// IPv6 link-local addresses: an IPv4 lab's links get none (their start-up traffic, flooded by
// a bridge to every port, is what kept a large lab's kernel busy for seconds after `up`); a
// lab that uses IPv6 keeps the kernel's default; the file can say otherwise per link.
#include "engine_fixture.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;

const char* kV4 = R"(name: ll
namespaces:
  n1: {}
bridges:
  br0: {addresses: [10.0.0.1/24]}
veths:
  - name: v1
    bridge: br0
    peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}
)";

std::map<std::string, bool> link_local(const DesiredState& d) {
  std::map<std::string, bool> out;
  for (const auto& l : d.links) out[l.name] = l.ipv6_link_local.value();
  return out;
}

TEST(LinkLocalDefault, OffInAnIPv4Lab) {
  EXPECT_EQ(link_local(desired(kV4)),
            (std::map<std::string, bool>{{"br0", false}, {"v1", false}, {"eth0", false}}));
}

TEST(LinkLocalDefault, OnEverywhereOnceTheFileUsesIPv6) {
  std::map<std::string, bool> on{{"br0", true}, {"v1", true}, {"eth0", true}};
  EXPECT_EQ(link_local(desired(edited(kV4, "10.0.0.2/24", "fd00::2/64"))), on);
  EXPECT_EQ(
      link_local(desired(edited(kV4, "n1: {}", "n1: {routes: [{to: 'fd01::/64', dev: eth0}]}"))),
      on);
  EXPECT_EQ(link_local(desired(std::string(kV4) + "tests:\n  - {from: n1, ping: 'fe80::1'}\n")),
            on);
}

// A link of a kind with its own section counts like a veth end.
TEST(LinkLocalDefault, AnIPv6AddressOnAMacvlanCounts) {
  auto d = desired(
      std::string(kV4) +
      "macvlans:\n  - {name: mv0, namespace: n1, parent: v1, addresses: [\"fd00::5/64\"]}\n");
  EXPECT_TRUE(link_local(d).at("eth0"));
  EXPECT_TRUE(link_local(d).at("mv0"));
}

TEST(LinkLocalDefault, TheFileDecidesPerLink) {
  auto d = desired(edited(kV4, "name: eth0,", "name: eth0, ipv6_link_local: true,"));
  EXPECT_EQ(link_local(d),
            (std::map<std::string, bool>{{"br0", false}, {"v1", false}, {"eth0", true}}));
  d = desired(
      edited(edited(kV4, "10.0.0.2/24", "fd00::2/64"), "br0: {", "br0: {ipv6_link_local: false, "));
  EXPECT_FALSE(link_local(d).at("br0"));
}

class LinkLocalTest : public testing::EngineFixture {};

TEST_F(LinkLocalTest, UpLeavesAnIPv4LabsLinksWithoutAndPlanIsEmpty) {
  engine().up(desired(kV4));
  for (auto [n, name] : {std::pair{"host", "br0"}, {"host", "v1"}, {"n1", "eth0"}})
    EXPECT_EQ(link(n, name)->ipv6_link_local, false) << name;
  EXPECT_EQ(lines(engine().plan(desired(kV4))), std::vector<std::string>{});
}

// Turning it on needs a new link: the kernel makes the address when a link comes up, or never.
TEST_F(LinkLocalTest, TurningItOnRemakesTheLinks) {
  engine().up(desired(kV4));
  auto v6 = edited(kV4, "10.0.0.2/24", "fd00::2/64");
  auto plan = lines(engine().plan(desired(v6)));
  EXPECT_NE(
      std::find(plan.begin(), plan.end(), "- bridge br0 in host  (IPv6 link-local off -> on)"),
      plan.end())
      << ::testing::PrintToString(plan);
  EXPECT_NE(std::find(plan.begin(), plan.end(),
                      "~ veth v1 (peer eth0 in n1) in host  (IPv6 link-local off -> on)"),
            plan.end())
      << ::testing::PrintToString(plan);
  engine().up(desired(v6));
  EXPECT_EQ(link("n1", "eth0")->ipv6_link_local, true);
  EXPECT_EQ(lines(engine().plan(desired(v6))), std::vector<std::string>{});
}

// A lab made before IPv4 labs went without (or by hand: `ip link set X addrgenmode eui64`)
// is not remade for it: the mode changes in place, and the address the link has stays.
TEST_F(LinkLocalTest, TurningItOffChangesInPlace) {
  engine().up(desired(kV4));
  for (auto& l : ns("n1").links) l.ipv6_link_local = true;
  EXPECT_EQ(
      lines(engine().plan(desired(kV4))),
      std::vector<std::string>{"~ veth eth0 (peer v1 in host) in n1  (IPv6 link-local on -> off)"});
  engine().up(desired(kV4));
  EXPECT_EQ(link("n1", "eth0")->ipv6_link_local, false);
}

// Below MTU 1280 a link has no IPv6, and the kernel refuses to be told its mode
// (EAFNOSUPPORT); above again, it has IPv6 anew in its default mode, which is told again.
TEST_F(LinkLocalTest, ALinkBelowMtu1280HasNoIpv6ToTellAbout) {
  std::string small = std::string(kV4) + "  - {name: s1, mtu: 1200, peer: {name: s2, mtu: 1200}}\n";
  for (std::string lab : {small, edited(small, "10.0.0.2/24", "fd00::2/64")}) {
    SCOPED_TRACE(lab);
    ASSERT_NO_THROW(engine().up(desired(lab)));
    EXPECT_EQ(link("host", "s1")->ipv6_link_local, std::nullopt);
    EXPECT_EQ(lines(engine().plan(desired(lab))), std::vector<std::string>{});
    auto big = edited(edited(lab, "mtu: 1200", "mtu: 1400"), "mtu: 1200", "mtu: 1400");
    ASSERT_NO_THROW(engine().up(desired(big)));
    EXPECT_EQ(link("host", "s1")->ipv6_link_local, lab != small);
    EXPECT_EQ(lines(engine().plan(desired(big))), std::vector<std::string>{});
    ASSERT_NO_THROW(engine().up(desired(lab)));
    EXPECT_EQ(lines(engine().plan(desired(lab))), std::vector<std::string>{});
    engine().down("ll");
  }
}

}  // namespace
}  // namespace netlab
