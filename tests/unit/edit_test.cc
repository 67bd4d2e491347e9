// Edits and hand-made drift converge: whatever the kernel re-derives behind our back (routes
// flushed with an address or a link, a primary address taking its secondaries along, a
// bridge's MTU following its ports) is planned for, so `up` of the edited file ends as a fresh
// `up` of it would, and its own verification passes.
#include "engine_fixture.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;

const char* kRouted = R"(name: rt
namespaces:
  n1:
    routes:
      - {to: default, via: 10.0.0.1}
veths:
  - name: v1
    addresses: [10.0.0.1/24]
    peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}
)";

class EditTest : public testing::EngineFixture {
 protected:
  // up A, then up B: the kernel must then be as B says, with nothing left to do.
  void converges(const std::string& a, const std::string& b) {
    engine().up(desired(a));
    ASSERT_NO_THROW(engine().up(desired(b)));
    EXPECT_TRUE(engine().plan(desired(b)).actions.empty())
        << ::testing::PrintToString(lines(engine().plan(desired(b))));
  }
  bool has_default_route(const std::string& n) {
    return std::any_of(ns(n).routes.begin(), ns(n).routes.end(),
                       [](const RouteObj& r) { return r.dst.prefix == 0; });
  }
};

// repro 01: the kernel flushes a link's routes when it loses its last IPv4 address, or is
// remade; the plan adds them again.
TEST_F(EditTest, ChangingTheAddressARouteDependsOnReAddsTheRoute) {
  converges(kRouted, edited(kRouted, "10.0.0.2/24", "10.0.0.5/24"));
  EXPECT_TRUE(has_default_route("n1"));
  auto plan_lines = lines(engine().plan(desired(kRouted)));
  EXPECT_EQ(plan_lines.back(),
            "~ route default via 10.0.0.1 in n1  (re-added: its link or address changes)");
}

TEST_F(EditTest, ChangingThePrefixLengthReAddsTheRoute) {
  converges(kRouted, edited(kRouted, "10.0.0.2/24", "10.0.0.2/25"));
  EXPECT_TRUE(has_default_route("n1"));
}

TEST_F(EditTest, RenamingAVethEndReAddsTheRoutesThroughIt) {
  converges(kRouted, edited(kRouted, "name: v1", "name: w1"));
  EXPECT_TRUE(has_default_route("n1"));
}

// repro 13: the first address of a subnet is its primary (the source the kernel picks); a
// new order is applied by adding the subnet's addresses again in the file's order.
TEST_F(EditTest, ReorderingAddressesChangesThePrimary) {
  std::string a = edited(kRouted, "[10.0.0.2/24]", "[10.0.0.2/24, 10.0.0.22/24]");
  std::string b = edited(kRouted, "[10.0.0.2/24]", "[10.0.0.22/24, 10.0.0.2/24]");
  converges(a, b);
  for (const auto& x : ns("n1").addrs) {
    if (x.cidr.str() == "10.0.0.22/24") {
      EXPECT_FALSE(x.secondary);
    }
  }
  EXPECT_TRUE(has_default_route("n1"));
}

// repro 09: a host route's gateway is edited in place; adding the `dev` the kernel already
// chose changes nothing.
TEST_F(EditTest, AHostRoutesGatewayIsReplacedInPlace) {
  std::string a = edited(
      kRouted, "namespaces:", "host:\n  routes: [{to: 10.9.0.0/24, via: 10.0.0.2}]\nnamespaces:");
  std::string b = edited(a, "via: 10.0.0.2}", "via: 10.0.0.3}");
  b = edited(b, "[10.0.0.2/24]", "[10.0.0.2/24, 10.0.0.3/24]");
  engine().up(desired(a));
  auto out = engine().up(desired(b));
  EXPECT_EQ(lines(out.plan).back(),
            "~ route 10.9.0.0/24 via 10.0.0.3 in host  (via 10.0.0.2 -> via 10.0.0.3)");
  ASSERT_EQ(store_.load("rt").routes.size(), 1u);
  EXPECT_EQ(store_.load("rt").routes[0].via->str(), "10.0.0.3");
  engine().down("rt");
  EXPECT_TRUE(ns("host").routes.empty());
}

// repro 14: a route replaced by hand (same destination, another gateway) in the lab's own
// namespace is drift: shown as a change, and replaced.
TEST_F(EditTest, ARouteReplacedByHandIsPutBack) {
  engine().up(desired(kRouted));
  for (auto& r : ns("n1").routes) {
    r.via = IpAddr::parse("10.0.0.9");
    r.protocol = 3;  // `ip route replace` says proto boot
  }
  auto plan = engine().plan(desired(kRouted));
  EXPECT_EQ(lines(plan), std::vector<std::string>{
                             "~ route default via 10.0.0.1 in n1  (via 10.0.0.9 -> via 10.0.0.1)"});
  engine().up(desired(kRouted));
  EXPECT_TRUE(engine().plan(desired(kRouted)).actions.empty());
}

// repro 21: what the kernel or a protocol made on a lab link is not drift (a SLAAC address has
// a lifetime; a route of a routing daemon has its protocol); what was made by hand is.
TEST_F(EditTest, OneRuleForDriftOnTheLabsLinks) {
  engine().up(desired(kRouted));
  AddrObj slaac{"n1", "eth0", *Cidr::parse("2001:db8:5::77/64")};
  slaac.permanent = false;
  ns("n1").addrs.push_back(slaac);
  RouteObj bgp{"n1", *Cidr::parse("10.50.0.0/16"), IpAddr::parse("10.0.0.1"), "eth0", 20, 186};
  ns("n1").routes.push_back(bgp);
  EXPECT_TRUE(engine().plan(desired(kRouted)).actions.empty());
  AddrObj by_hand{"n1", "eth0", *Cidr::parse("10.0.0.99/24")};
  by_hand.secondary = true;
  ns("n1").addrs.push_back(by_hand);
  RouteObj route_by_hand{"n1", *Cidr::parse("10.60.0.0/16"), IpAddr::parse("10.0.0.1"), "eth0", 0,
                         3};
  ns("n1").routes.push_back(route_by_hand);
  EXPECT_EQ(lines(engine().plan(desired(kRouted))),
            (std::vector<std::string>{
                "- address 10.0.0.99/24 on eth0 in n1  (not declared)",
                "- route 10.60.0.0/16 via 10.0.0.1 dev eth0 in n1  (not declared)"}));
}

// A bridge takes its ports' MTU as they join, unless its own is set after they joined.
TEST_F(EditTest, ABridgeKeepsItsDeclaredMtuBelowItsPorts) {
  const char* lab = R"(name: br
namespaces: {n1: {}}
bridges:
  b0: {mtu: 1400}
veths:
  - {name: p1, bridge: b0, peer: {name: eth0, namespace: n1}}
)";
  ASSERT_NO_THROW(engine().up(desired(lab)));
  EXPECT_EQ(link("host", "b0")->mtu, 1400u);
}

// A key removed from the file returns the attribute to the kernel's default.
TEST_F(EditTest, ARemovedMtuReturnsToTheDefault) {
  std::string with = edited(kRouted, "    addresses: [10.0.0.1/24]\n",
                            "    addresses: [10.0.0.1/24]\n    mtu: 1400\n");
  engine().up(desired(with));
  EXPECT_EQ(link("host", "v1")->mtu, 1400u);
  auto plan = engine().plan(desired(kRouted));
  EXPECT_EQ(lines(plan),
            std::vector<std::string>{
                "~ veth v1 (peer eth0 in n1) in host  (mtu 1400 -> 1500 (the default))"});
  converges(with, kRouted);
  EXPECT_EQ(link("host", "v1")->mtu, 1500u);
}

// A link that is remade (a rename remakes its pair) comes with the kernel's defaults: its
// settings in the file are set again.
// A link that goes down loses its IPv6 addresses (keep_addr_on_down is 0): they are added
// again after, as a fresh `up` of a link that is down has them.
TEST_F(EditTest, ALinkTakenDownKeepsItsIpv6Addresses) {
  std::string lab = R"(name: dn
namespaces:
  n1: {}
veths:
  - {name: v1, addresses: ["fd00::1/64"], peer: {name: v2, namespace: n1}}
)";
  converges(lab, edited(lab, "\"fd00::1/64\"]", "\"fd00::1/64\"], up: false"));
  EXPECT_EQ(ns("host").addrs.size(), 1u);
}

// A bridge follows its ports' smallest MTU. A port that holds it below what the file leaves it
// goes before anything is added: the bridge's IPv6 (none below MTU 1280) and what stands on
// it need its final MTU.
TEST_F(EditTest, APortHoldingItsBridgeDownGoesFirst) {
  std::string small = R"(name: br
bridges:
  br0: {addresses: [10.0.0.1/24]}
veths:
  - {name: p1, bridge: br0, mtu: 1200, peer: {name: q1}}
)";
  std::string v6 = R"(name: br
bridges:
  br0: {addresses: [10.0.0.1/24, "fd00::1/64"]}
macvlans:
  - {name: mv0, parent: br0, addresses: ["fd00::2/64"]}
)";
  converges(small, v6);
  EXPECT_EQ(link("host", "mv0")->mtu, 1500u);
}

TEST_F(EditTest, ARemadeLinkGetsItsSysctlsAgain) {
  std::string a =
      edited(kRouted, "  n1:\n", "  n1:\n    sysctl: {net.ipv4.conf.eth0.rp_filter: 2}\n");
  converges(a, edited(a, "name: v1", "name: w1"));
  EXPECT_EQ(ns("n1").sysctl["net.ipv4.conf.eth0.rp_filter"], "2");
}

}  // namespace
}  // namespace netlab
