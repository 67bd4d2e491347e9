// The validator: semantic rules over a whole topology, each with its exact message and place.
#include <gtest/gtest.h>

#include <string>

#include "parse/load.h"
#include "parse_test_util.h"

namespace netlab {
namespace {

using testing::Lines;
using testing::messages;

// --- names ------------------------------------------------------------------------------------

TEST(Names, LabName) {
  const std::string rule =
      " must match [a-z0-9][a-z0-9-]{0,31} (lowercase letters, digits and '-', at most 32)";
  for (const char* bad :
       {"Bridge", "-lab", "lab_1", "a/b", "..", "lab.x", "a23456789012345678901234567890123"})
    EXPECT_EQ(messages(std::string("name: \"") + bad + "\"\n"),
              Lines{"t.yaml:1:7: error: lab name \"" + std::string(bad) + "\"" + rule})
        << bad;
  for (const char* good : {"a", "0", "bridge-lab", "a2345678901234567890123456789012"})
    EXPECT_EQ(messages(std::string("name: ") + good + "\n"), Lines{}) << good;
}

TEST(Names, NamespaceNames) {
  EXPECT_EQ(
      messages(R"(name: x
namespaces:
  "a/b": {}
  "..": {}
  ".": {}
  host: {}
  Net0: {}
  "a..b": {}
  "with space": {}
  a234567890123456789012345678901234567890123456789012345678901234x: {}
  "": {}
)"),
      (Lines{"t.yaml:3:3: error: namespace name \"a/b\" may contain only a-z, 0-9, '-', '_' "
             "and '.'",
             "t.yaml:4:3: error: namespace name \"..\" is not allowed",
             "t.yaml:5:3: error: namespace name \".\" is not allowed",
             "t.yaml:6:3: error: namespace name \"host\" is reserved for the root namespace",
             "t.yaml:7:3: error: namespace name \"Net0\" may contain only a-z, 0-9, '-', '_' "
             "and '.'",
             "t.yaml:8:3: error: namespace name \"a..b\" must not contain \"..\"",
             "t.yaml:9:3: error: namespace name \"with space\" may contain only a-z, 0-9, "
             "'-', '_' and '.'",
             "t.yaml:10:3: error: namespace name "
             "\"a234567890123456789012345678901234567890123456789012345678901234x\" is longer "
             "than 64 characters",
             "t.yaml:11:3: error: namespace name must not be empty"}));
  EXPECT_EQ(messages("name: x\nnamespaces:\n  a_b.c-1: {}\n  "
                     "a234567890123456789012345678901234567890123456789012345678901234: {}\n"),
            Lines{});
}

TEST(Names, InterfaceNames) {
  EXPECT_EQ(messages(R"(name: x
bridges:
  a234567890123456: {}
  "a/b": {}
  "a:b": {}
  "a b": {}
  ".": {}
  "..": {}
  a23456789012345: {}
)"),
            (Lines{"t.yaml:3:3: error: interface name \"a234567890123456\" is longer than 15 "
                   "characters",
                   "t.yaml:4:3: error: interface name \"a/b\" must not contain '/', ':' or blanks",
                   "t.yaml:5:3: error: interface name \"a:b\" must not contain '/', ':' or blanks",
                   "t.yaml:6:3: error: interface name \"a b\" must not contain '/', ':' or blanks",
                   "t.yaml:7:3: error: interface name \".\" is not allowed",
                   "t.yaml:8:3: error: interface name \"..\" is not allowed"}));
  EXPECT_EQ(messages("name: x\nveths:\n  - {name: \"\", peer: {name: \"v\\tx\"}}\n"),
            (Lines{"t.yaml:3:12: error: interface name must not be empty",
                   "t.yaml:3:29: error: interface name \"v\\x09x\" must not contain '/', ':' or "
                   "blanks"}));
}

TEST(Names, InterfaceNamesTheKernelRefuses) {
  // "all" and "default" name the settings directories of /proc/sys/net/*/conf; a '%' makes
  // the name a template the kernel fills with a free number; byte 0xa0 is a blank to it.
  EXPECT_EQ(messages("name: x\nveths:\n  - {name: all, peer: {name: default}}\n"
                     "  - {name: \"a%d\", peer: {name: \"\xc3\xa0\"}}\n"
                     "  - {name: \"a@b\", peer: {name: \"v.10\"}}\n"),
            (Lines{"t.yaml:3:12: error: interface name \"all\" is reserved by the kernel "
                   "(/proc/sys/net/ipv4/conf/all)",
                   "t.yaml:3:30: error: interface name \"default\" is reserved by the kernel "
                   "(/proc/sys/net/ipv4/conf/default)",
                   "t.yaml:4:12: error: interface name \"a%d\" must not contain '%' (the kernel "
                   "takes it for a template and picks a free name)",
                   "t.yaml:4:32: error: interface name \"\xc3\xa0\" contains byte 0xa0, a "
                   "blank to the kernel"}));
}

TEST(Names, SysctlKeys) {
  EXPECT_EQ(messages(R"(name: x
host:
  sysctl:
    kernel.panic: 1
    net..ipv4: 1
    net.ipv4/../x: 1
    "net.ipv4.a b": 1
    net.ipv4.: 1
    net.ipv4.conf.veth-0.forwarding: 1
    net.ipv4.conf.all.rp_filter: 2
)"),
            (Lines{"t.yaml:4:5: error: sysctl key \"kernel.panic\" must start with \"net.\"",
                   "t.yaml:5:5: error: sysctl key \"net..ipv4\" has an empty component (like "
                   "net.ipv4.ip_forward)",
                   "t.yaml:6:5: error: sysctl key \"net.ipv4/../x\" may contain only letters, "
                   "digits, '_', '-' and '.' separators",
                   "t.yaml:7:5: error: sysctl key \"net.ipv4.a b\" may contain only letters, "
                   "digits, '_', '-' and '.' separators",
                   "t.yaml:8:5: error: sysctl key \"net.ipv4.\" has an empty component (like "
                   "net.ipv4.ip_forward)"}));
  EXPECT_EQ(messages("name: x\nnamespaces:\n  a:\n    sysctl: {net: 1}\n"),
            Lines{"t.yaml:4:14: error: sysctl key \"net\" must start with \"net.\""});
}

// --- references -------------------------------------------------------------------------------

TEST(References, UndeclaredNamespaces) {
  EXPECT_EQ(messages(R"(name: x
namespaces:
  net0: {}
bridges:
  br0: {namespace: net1}
veths:
  - {name: a, namespace: nte0, peer: {name: b, namespace: zzzzzzzz}}
nat:
  - {namespace: net9, type: masquerade}
tests:
  - {from: hots, ping: 10.0.0.1}
)"),
            (Lines{"t.yaml:5:20: error: undeclared namespace \"net1\" (did you mean \"net0\"?)",
                   "t.yaml:7:26: error: undeclared namespace \"nte0\" (did you mean \"net0\"?)",
                   "t.yaml:7:59: error: undeclared namespace \"zzzzzzzz\"",
                   "t.yaml:9:17: error: undeclared namespace \"net9\" (did you mean \"net0\"?)",
                   "t.yaml:11:12: error: undeclared namespace \"hots\" (did you mean \"host\"?)"}));
}

TEST(References, UndeclaredBridge) {
  EXPECT_EQ(messages(R"(name: x
bridges:
  br0: {}
veths:
  - {name: a, bridge: br1, peer: {name: b, bridge: lan}}
)"),
            (Lines{"t.yaml:5:23: error: undeclared bridge \"br1\" (did you mean \"br0\"?)",
                   "t.yaml:5:52: error: undeclared bridge \"lan\""}));
}

TEST(References, BridgePortInAnotherNamespace) {
  EXPECT_EQ(messages(R"(name: x
namespaces:
  net0: {}
bridges:
  br0: {}
veths:
  - {name: a, namespace: net0, bridge: br0, peer: {name: b}}
)"),
            Lines{"t.yaml:7:40: error: bridge port \"a\" is in namespace \"net0\" but bridge "
                  "\"br0\" is in namespace \"host\"; a port must be in its bridge's namespace"});
}

TEST(References, UndeclaredNamespaceIsNotAlsoABridgeMismatch) {
  EXPECT_EQ(messages("name: x\nbridges:\n  br0: {}\nveths:\n"
                     "  - {name: a, namespace: nope, bridge: br0, peer: {name: b}}\n"),
            Lines{"t.yaml:5:26: error: undeclared namespace \"nope\""});
}

// --- interfaces and addresses -----------------------------------------------------------------

TEST(Interfaces, DuplicateNamesWithinANamespace) {
  EXPECT_EQ(messages(R"(name: x
namespaces:
  n: {}
bridges:
  br0: {}
veths:
  - {name: br0, peer: {name: v1}}
  - {name: v1, namespace: n, peer: {name: v1, namespace: n}}
  - {name: lo, peer: {name: v2}}
)"),
            (Lines{"t.yaml:7:12: error: duplicate interface \"br0\" in namespace \"host\" (first "
                   "at 5:3)",
                   "t.yaml:8:43: error: duplicate interface \"v1\" in namespace \"n\" (first at "
                   "8:12)",
                   "t.yaml:9:12: error: interface name \"lo\" is taken by the loopback of "
                   "namespace \"host\""}));
}

TEST(Interfaces, SameNameInDifferentNamespacesIsFine) {
  EXPECT_EQ(messages(R"(name: x
namespaces: {a: {}, b: {}}
veths:
  - {name: eth0, namespace: a, peer: {name: eth0, namespace: b}}
  - {name: eth0, peer: {name: eth1, namespace: a}}
)"),
            Lines{});
}

TEST(Interfaces, SameAddressTwiceInTheLab) {
  EXPECT_EQ(
      messages(R"(name: x
namespaces: {a: {}}
bridges:
  br0: {addresses: [10.0.0.1/24, "2001:db8::1/64"]}
veths:
  - name: v0
    addresses: [10.0.0.1/16]
    peer: {name: v1, namespace: a, addresses: ["2001:db8::1/64", 10.0.0.2/24]}
)"),
      (Lines{"t.yaml:7:17: error: address 10.0.0.1 is already used by \"br0\" in namespace "
             "\"host\" (at 4:21)",
             "t.yaml:8:48: error: address 2001:db8::1 is already used by \"br0\" in namespace "
             "\"host\" (at 4:34)"}));
}

TEST(Interfaces, SameLinkLocalAddressOnTwoLinks) {
  // Link-local addresses are per link: a router may use fe80::1 on each of its links.
  EXPECT_EQ(messages(R"(name: ll
namespaces: {r: {}, h1: {}, h2: {}}
veths:
  - {name: e1, namespace: r, addresses: ["fe80::1/64"], peer: {name: eth0, namespace: h1}}
  - {name: e2, namespace: r, addresses: ["fe80::1/64"], peer: {name: eth0, namespace: h2}}
  - {name: e3, namespace: r, addresses: ["fe80::2/64", "fe80::2/64"], peer: {name: e3, namespace: h2}}
)"),
            Lines{"t.yaml:6:56: error: address fe80::2 is already used by \"e3\" in namespace "
                  "\"r\" (at 6:42)"});
}

TEST(Interfaces, AddressesTheKernelOrNetlabRefuse) {
  EXPECT_EQ(messages(R"(name: x
bridges:
  br0: {addresses: ["::1/128", 10.0.0.1/0, "2001:db8::1/0", 127.0.0.2/8]}
)"),
            (Lines{"t.yaml:3:21: error: address ::1/128 is the IPv6 loopback address, which only "
                   "\"lo\" may have",
                   "t.yaml:3:32: error: address 10.0.0.1/0 has prefix length 0; give the length "
                   "of its subnet",
                   "t.yaml:3:44: error: address 2001:db8::1/0 has prefix length 0; give the "
                   "length of its subnet"}));
}

TEST(Interfaces, OnlyUnicastAddresses) {
  EXPECT_EQ(messages(R"(name: x
bridges:
  br0: {addresses: [224.0.0.1/4, 0.0.0.0/8, 255.255.255.255/32, "ff02::1/16", "::/64"]}
)"),
            (Lines{"t.yaml:3:21: error: address 224.0.0.1/4 is not a unicast address",
                   "t.yaml:3:34: error: address 0.0.0.0/8 is not a unicast address",
                   "t.yaml:3:45: error: address 255.255.255.255/32 is not a unicast address",
                   "t.yaml:3:65: error: address ff02::1/16 is not a unicast address",
                   "t.yaml:3:79: error: address ::/64 is not a unicast address"}));
}

TEST(Interfaces, Ipv6NeedsMtu1280) {
  EXPECT_EQ(messages(R"(name: x
bridges:
  br0: {mtu: 1279, addresses: [10.0.0.1/24, "2001:db8::1/64"]}
  br1: {mtu: 1280, addresses: ["2001:db8:1::1/64"]}
  br2: {mtu: 576, addresses: [10.0.1.1/24]}
)"),
            Lines{"t.yaml:3:14: error: mtu 1279 is too small for IPv6 address 2001:db8::1/64 (IPv6 "
                  "needs an mtu of at least 1280)"});
}

// A bridge without an mtu takes its ports' smallest: the kernel then refuses its IPv6 address.
TEST(Interfaces, Ipv6NeedsMtu1280OnABridgeItsPortsGiveLess) {
  EXPECT_EQ(messages(R"(name: x
namespaces: {n1: {}}
bridges:
  br0: {addresses: ["2001:db8::1/64"]}
veths:
  - {name: p1, bridge: br0, mtu: 1200, peer: {name: eth0, namespace: n1}}
)"),
            Lines{"t.yaml:4:3: error: mtu 1200 (the bridge takes port \"p1\"'s, at 6:34) is too "
                  "small for IPv6 address 2001:db8::1/64 (IPv6 needs an mtu of at least 1280)"});
}

TEST(Interfaces, OverlappingSubnetsWithoutABridgeWarn) {
  // Seed 003, "Bridging": veth0 and veth1 both in 172.16.0.0/12 in the host.
  auto r = load_topology_text(R"(name: x
namespaces: {net0: {}, net1: {}}
veths:
  - name: veth0
    addresses: [172.18.0.100/12]
    peer: {name: ceth0, namespace: net0, addresses: [172.18.0.10/12]}
  - name: veth1
    addresses: [172.18.0.101/12]
    peer: {name: ceth1, namespace: net1, addresses: [172.18.0.20/12]}
)",
                              "t.yaml");
  ASSERT_TRUE(r.topology);  // a warning does not fail
  ASSERT_EQ(r.diagnostics.all().size(), 1u);
  EXPECT_EQ(r.diagnostics.all()[0].str(),
            "t.yaml:8:17: warning: \"veth0\" (172.18.0.100/12) and \"veth1\" (172.18.0.101/12) in "
            "namespace \"host\" are on overlapping subnets: routes conflict; put them on a bridge "
            "or use different subnets");
}

TEST(Interfaces, BridgedSubnetDoesNotWarn) {
  EXPECT_EQ(messages(R"(name: x
namespaces: {net0: {}, net1: {}}
bridges:
  br0: {addresses: [172.18.0.1/12]}
veths:
  - {name: veth0, bridge: br0, peer: {name: ceth0, namespace: net0, addresses: [172.18.0.10/12]}}
  - {name: veth1, bridge: br0, peer: {name: ceth1, namespace: net1, addresses: [172.18.0.20/12]}}
  - {name: veth2, addresses: [10.1.0.1/24], peer: {name: veth3, addresses: [10.2.0.1/24]}}
)"),
            Lines{});
}

// --- routes -----------------------------------------------------------------------------------

constexpr const char* kRouted = R"(name: x
namespaces:
  net0:
    routes:
%s
veths:
  - name: veth0
    addresses: [10.0.0.1/24]
    peer: {name: ceth0, namespace: net0, addresses: [10.0.0.2/24, "2001:db8::2/64"]}
  - name: veth1
    peer: {name: ceth1, namespace: net0, addresses: [10.9.0.2/24]}
)";

std::string routed(const std::string& routes) {
  std::string text = kRouted;
  text.replace(text.find("%s"), 2, routes);
  return text;
}

TEST(Routes, GoodRoutes) {
  EXPECT_EQ(messages(routed("      - {to: default, via: 10.0.0.1}\n"
                            "      - {to: \"::/0\", via: \"2001:db8::1\"}\n"
                            "      - {to: 10.5.0.0/16, via: 10.9.0.1, dev: ceth1}\n"
                            "      - {to: 10.6.0.0/16, dev: ceth0}\n"
                            "      - {to: 10.7.0.0/16, dev: lo}\n"
                            "      - {to: \"2001:db8:9::/48\", via: \"fe80::1\", dev: ceth0}\n"
                            "      - {to: 10.6.0.0/16, dev: ceth1, metric: 200}")),
            Lines{});
}

TEST(Routes, GatewayMustBeOnASubnetOfTheNamespace) {
  EXPECT_EQ(messages(routed("      - {to: default, via: 10.1.0.1}\n"
                            "      - {to: 10.5.0.0/16, via: 10.0.0.1, dev: ceth1}")),
            (Lines{"t.yaml:5:28: error: gateway 10.1.0.1 is not on a subnet of any address in "
                   "namespace \"net0\"",
                   "t.yaml:6:32: error: gateway 10.0.0.1 is not on a subnet of \"ceth1\" in "
                   "namespace \"net0\""}));
}

TEST(Routes, DevMustBeAnInterfaceOfTheNamespace) {
  EXPECT_EQ(messages(routed("      - {to: default, dev: ceht0}\n"
                            "      - {to: 10.5.0.0/16, dev: veth0}")),
            (Lines{"t.yaml:5:28: error: route device \"ceht0\" is not an interface of namespace "
                   "\"net0\" (did you mean \"ceth0\"?)",
                   "t.yaml:6:32: error: route device \"veth0\" is not an interface of namespace "
                   "\"net0\" (did you mean \"ceth0\"?)"}));
}

TEST(Routes, HostIsExemptFromGatewayAndDevChecks) {
  EXPECT_EQ(messages("name: x\nhost:\n  routes:\n    - {to: default, via: 192.168.1.1}\n"
                     "    - {to: 10.0.0.0/8, dev: eth0}\n"),
            Lines{});
}

TEST(Routes, FamiliesMustMatch) {
  EXPECT_EQ(messages(routed("      - {to: 10.5.0.0/16, via: \"2001:db8::1\"}\n"
                            "      - {to: \"2001:db8:5::/48\", via: 10.0.0.1}")),
            (Lines{"t.yaml:5:32: error: gateway 2001:db8::1 is IPv6 but destination 10.5.0.0/16 "
                   "is IPv4",
                   "t.yaml:6:38: error: gateway 10.0.0.1 is IPv4 but destination 2001:db8:5::/48 "
                   "is IPv6"}));
}

TEST(Routes, LinkLocalGatewayNeedsDev) {
  EXPECT_EQ(messages(routed("      - {to: \"::/0\", via: \"fe80::1\"}")),
            Lines{"t.yaml:5:27: error: link-local gateway fe80::1 needs \"dev\""});
}

TEST(Routes, DuplicateRoutes) {
  EXPECT_EQ(messages(routed("      - {to: default, via: 10.0.0.1}\n"
                            "      - {to: default, via: 10.9.0.1}\n"
                            "      - {to: default, via: 10.9.0.1, metric: 5}")),
            Lines{"t.yaml:6:14: error: duplicate route to 0.0.0.0/0 in namespace \"net0\" (first "
                  "at 5:14)"});
}

TEST(Routes, DuplicatesOnceTheDefaultMetricIsApplied) {
  // The kernel gives an IPv4 route without a metric 0, an IPv6 one 1024 (and takes 0 for 1024).
  EXPECT_EQ(messages(routed("      - {to: default, via: 10.0.0.1}\n"
                            "      - {to: default, via: 10.9.0.1, metric: 0}\n"
                            "      - {to: \"::/0\", via: \"2001:db8::1\"}\n"
                            "      - {to: \"::/0\", via: \"2001:db8::1\", metric: 1024}\n"
                            "      - {to: \"::/0\", via: \"2001:db8::1\", metric: 0}")),
            (Lines{"t.yaml:6:14: error: duplicate route to 0.0.0.0/0 in namespace \"net0\" (first "
                   "at 5:14)",
                   "t.yaml:8:14: error: duplicate route to ::/0 in namespace \"net0\" (first at "
                   "7:14)",
                   "t.yaml:9:14: error: duplicate route to ::/0 in namespace \"net0\" (first at "
                   "7:14)"}));
}

TEST(Routes, GatewayThroughADeviceRoute) {
  // A point-to-point link: /32 addresses, a device route to the peer, the peer as gateway.
  EXPECT_EQ(messages(R"(name: p2p
namespaces:
  a:
    routes:
      - {to: 10.255.0.1/32, dev: p2p}
      - {to: default, via: 10.255.0.1}
      - {to: 10.7.0.0/16, via: 10.255.0.1, dev: p2p}
veths:
  - {name: p2p, namespace: a, addresses: [10.255.0.0/32], peer: {name: p2p}}
)"),
            Lines{});
  // Only a device route (no gateway) on the same device makes a gateway reachable.
  EXPECT_EQ(messages(routed("      - {to: 10.20.0.0/16, dev: ceth0}\n"
                            "      - {to: 10.21.0.0/16, via: 10.20.5.5, dev: ceth1}\n"
                            "      - {to: 10.30.0.0/16, via: 10.0.0.1}\n"
                            "      - {to: 10.31.0.0/16, via: 10.30.0.1}")),
            (Lines{"t.yaml:6:33: error: gateway 10.20.5.5 is not on a subnet of \"ceth1\" in "
                   "namespace \"net0\"",
                   "t.yaml:8:33: error: gateway 10.30.0.1 is not on a subnet of any address in "
                   "namespace \"net0\""}));
}

TEST(Routes, EqualToAConnectedRoute) {
  // The kernel adds 10.0.0.0/24 dev ceth0 (metric 0) for 10.0.0.2/24, and 2001:db8::/64 (metric
  // 256) for 2001:db8::2/64: a second route with that metric is "File exists", whatever its
  // device or gateway.
  EXPECT_EQ(messages(routed("      - {to: 10.0.0.0/24, dev: ceth0}\n"
                            "      - {to: 10.9.0.0/24, via: 10.0.0.1, metric: 0}\n"
                            "      - {to: \"2001:db8::/64\", dev: ceth1, metric: 256}\n"
                            "      - {to: 10.0.0.0/24, dev: ceth0, metric: 10}\n"
                            "      - {to: \"2001:db8::/64\", dev: ceth0}")),
            (Lines{"t.yaml:5:14: error: route to 10.0.0.0/24 in namespace \"net0\" is the route "
                   "the kernel adds for address 10.0.0.2/24 of \"ceth0\" (metric 0); leave it out "
                   "or give it another metric",
                   "t.yaml:6:14: error: route to 10.9.0.0/24 in namespace \"net0\" is the route "
                   "the kernel adds for address 10.9.0.2/24 of \"ceth1\" (metric 0); leave it out "
                   "or give it another metric",
                   "t.yaml:7:14: error: route to 2001:db8::/64 in namespace \"net0\" is the route "
                   "the kernel adds for address 2001:db8::2/64 of \"ceth0\" (metric 256); leave it "
                   "out or give it another metric"}));
  // A /32 address and a down link get no connected route; a host route is checked against the
  // host's declared interfaces.
  EXPECT_EQ(messages(R"(name: x
host:
  routes:
    - {to: 10.3.0.0/24, dev: v0}
    - {to: 10.4.0.0/24, dev: eth0}
veths:
  - {name: v0, addresses: [10.3.0.1/24, 10.5.0.1/32], peer: {name: v1, up: false, addresses: [10.6.0.1/24]}}
namespaces:
  n:
    routes: [{to: 10.5.0.1/32, dev: lo}]
)"),
            Lines{"t.yaml:4:12: error: route to 10.3.0.0/24 in namespace \"host\" is the route "
                  "the kernel adds for address 10.3.0.1/24 of \"v0\" (metric 0); leave it out or "
                  "give it another metric"});
}

TEST(Routes, DeviceMustBeUp) {
  EXPECT_EQ(messages(R"(name: x
namespaces:
  n:
    routes:
      - {to: 10.8.0.0/16, dev: eth0}
      - {to: 10.9.0.0/16, via: 10.7.0.1}
veths:
  - {name: a1, peer: {name: eth0, namespace: n, up: false, addresses: [10.7.0.2/24]}}
)"),
            (Lines{"t.yaml:5:32: error: route device \"eth0\" is down (up: false): the kernel "
                   "takes no route through a down interface",
                   "t.yaml:6:32: error: gateway 10.7.0.1 is not on a subnet of an interface that "
                   "is up in namespace \"n\""}));
}

TEST(Routes, LoopbackMustBeUpForARouteThroughIt) {
  EXPECT_EQ(messages(R"(name: x
namespaces:
  n:
    loopback: down
    routes: [{to: 10.8.0.0/16, dev: lo}]
  m:
    routes: [{to: 10.8.0.0/16, dev: lo}]
)"),
            Lines{"t.yaml:5:37: error: route device \"lo\" is down (loopback: down): the kernel "
                  "takes no route through a down interface"});
}

TEST(Routes, GatewayTheKernelRefuses) {
  // IPv6: a gateway may not be an address of the namespace; IPv4: nor a subnet's broadcast.
  // (An IPv4 gateway that is a local address, or a subnet's first address, the kernel takes.)
  EXPECT_EQ(messages(routed("      - {to: \"2001:db8:9::/48\", via: \"2001:db8::2\"}\n"
                            "      - {to: 10.40.0.0/16, via: 10.0.0.255}\n"
                            "      - {to: 10.41.0.0/16, via: 10.0.0.2}\n"
                            "      - {to: 10.42.0.0/16, via: 10.0.0.0}")),
            (Lines{"t.yaml:5:38: error: gateway 2001:db8::2 is an address of namespace \"net0\" "
                   "itself (the kernel refuses a local IPv6 gateway)",
                   "t.yaml:6:33: error: gateway 10.0.0.255 is the broadcast address of "
                   "10.0.0.2/24"}));
}

TEST(Routes, DefaultRouteFamilyFromItsDevice) {
  // No gateway: an interface with only IPv6 addresses makes `default` ::/0, so two such
  // routes on a dual-stack namespace are one of each family, not duplicates.
  EXPECT_EQ(messages(R"(name: x
namespaces:
  n:
    routes:
      - {to: default, dev: e6}
      - {to: "::/0", dev: e6}
      - {to: default, dev: e4}
      - {to: 0.0.0.0/0, dev: e4}
veths:
  - {name: a6, peer: {name: e6, namespace: n, addresses: ["2001:db8::2/64"]}}
  - {name: a4, peer: {name: e4, namespace: n, addresses: [10.1.0.2/24, "2001:db8:1::2/64"]}}
)"),
            (Lines{"t.yaml:6:14: error: duplicate route to ::/0 in namespace \"n\" (first at "
                   "5:14)",
                   "t.yaml:8:14: error: duplicate route to 0.0.0.0/0 in namespace \"n\" (first "
                   "at 7:14)"}));
}

TEST(Routes, NoCascadeFromAMistypedAddress) {
  // The peer's address key is misspelt: one error, not also "gateway not on a subnet".
  EXPECT_EQ(messages(R"(name: x
namespaces:
  net0:
    routes: [{to: default, via: 10.0.0.1}]
veths:
  - name: veth0
    peer: {name: ceth0, namespace: net0, adresses: [10.0.0.2/24]}
)"),
            Lines{"t.yaml:7:42: error: unknown key \"adresses\" (did you mean \"addresses\"?)"});
}

// --- NAT --------------------------------------------------------------------------------------

TEST(Nat, WhatEachTypeNeeds) {
  EXPECT_EQ(messages(R"(name: x
nat:
  - {type: snat}
  - {type: dnat}
  - {type: masquerade, to: 10.0.0.1}
  - {type: snat, to: "10.0.0.1:80"}
)"),
            (Lines{"t.yaml:3:5: error: snat needs \"to\" (the source address to use)",
                   "t.yaml:4:5: error: dnat needs \"protocol\" (tcp or udp)",
                   "t.yaml:4:5: error: dnat needs \"port\" (the destination port to match)",
                   "t.yaml:4:5: error: dnat needs \"to\" (the address[:port] to forward to)",
                   "t.yaml:5:28: error: masquerade takes no \"to\" (it uses the outgoing "
                   "interface's address)",
                   "t.yaml:6:22: error: snat \"to\" takes an address without port"}));
}

TEST(Nat, KeysOnlyForSomeTypes) {
  EXPECT_EQ(messages(R"(name: x
nat:
  - {type: masquerade, in: eth0, protocol: tcp, port: 80}
  - {type: snat, to: 10.0.0.1, in: eth0}
  - {type: dnat, protocol: tcp, port: 80, to: 10.0.0.1, out: eth0}
)"),
            (Lines{"t.yaml:3:28: error: \"in\" is only for dnat",
                   "t.yaml:3:44: error: \"protocol\" is only for dnat",
                   "t.yaml:3:55: error: \"port\" is only for dnat",
                   "t.yaml:4:36: error: \"in\" is only for dnat",
                   "t.yaml:5:62: error: \"out\" is only for masquerade and snat"}));
}

TEST(Nat, InterfaceNamesMayBeNegated) {
  EXPECT_EQ(messages(R"(name: x
nat:
  - {type: masquerade, out: "!br0"}
  - {type: masquerade, out: "!a/b"}
  - {type: dnat, protocol: tcp, port: 80, to: 10.0.0.1, in: "eth+"}
  - {type: masquerade, out: "!"}
)"),
            (Lines{"t.yaml:4:29: error: interface name \"a/b\" must not contain '/', ':' or blanks",
                   "t.yaml:6:29: error: interface name must not be empty"}));
}

TEST(Nat, Ipv4Only) {
  EXPECT_EQ(messages(R"(name: x
nat:
  - {type: masquerade, source: "2001:db8::/32", destination: "::/0"}
  - {type: snat, to: "2001:db8::1"}
)"),
            (Lines{"t.yaml:3:32: error: NAT rules are IPv4 only (iptables); 2001:db8::/32 is IPv6",
                   "t.yaml:3:62: error: NAT rules are IPv4 only (iptables); ::/0 is IPv6",
                   "t.yaml:4:22: error: NAT rules are IPv4 only (iptables); 2001:db8::1 is IPv6"}));
}

TEST(Nat, SourceAndDestinationMustBeAddresses) {
  EXPECT_EQ(messages("name: x\nnat:\n  - {type: masquerade, source: lan}\n"),
            Lines{"t.yaml:3:32: error: invalid address \"lan\" (expected an IPv4 or IPv6 address "
                  "with prefix length, like 10.0.0.1/24)"});
}

TEST(Nat, DuplicateRules) {
  // Equal once stored as the kernel stores them (masked; x/0 is no match at all).
  EXPECT_EQ(messages(R"(name: x
namespaces: {n: {}}
nat:
  - {type: masquerade, source: 10.9.0.0/16}
  - {type: masquerade, source: 10.9.1.1/16}
  - {type: masquerade, source: 10.9.0.0/16, namespace: n}
  - {type: masquerade, source: 10.9.0.0/16, out: eth0}
  - {type: snat, to: 10.0.0.1, destination: 0.0.0.0/0}
  - {type: snat, to: 10.0.0.1}
  - {type: dnat, protocol: tcp, port: 80, to: "10.0.0.2:8080"}
  - {type: dnat, protocol: tcp, port: 80, to: "10.0.0.2:8081"}
)"),
            (Lines{"t.yaml:5:5: error: duplicate NAT rule in namespace \"host\" (same as the rule "
                   "at 4:5)",
                   "t.yaml:9:5: error: duplicate NAT rule in namespace \"host\" (same as the rule "
                   "at 8:5)"}));
}

TEST(Tests, NoEchoToABroadcastAddress) {
  // The kernel refuses to send an echo to a broadcast address (EACCES) unless the socket
  // asks for broadcast, which one check of one address must not.
  EXPECT_EQ(messages(R"(name: x
namespaces: {n1: {}}
veths:
  - {name: t1, addresses: [10.6.0.1/24], peer: {name: eth0, namespace: n1, addresses: [10.6.0.2/24]}}
tests:
  - {from: n1, ping: 10.6.0.255, expect: unreachable}
  - {from: n1, ping: 255.255.255.255}
  - {from: host, ping: 10.6.0.255}
  - {from: n1, ping: 10.6.0.0}
  - {from: n1, ping: 10.7.0.255}
)"),
            (Lines{"t.yaml:6:22: error: cannot ping 10.6.0.255 from \"n1\": it is the broadcast "
                   "address of 10.6.0.2/24 there",
                   "t.yaml:7:22: error: cannot ping 255.255.255.255 from \"n1\": it is the "
                   "broadcast address",
                   "t.yaml:8:24: error: cannot ping 10.6.0.255 from \"host\": it is the broadcast "
                   "address of 10.6.0.1/24 there"}));
}

// --- kernel limits ----------------------------------------------------------------------------

TEST(Bridges, AtMost1023Ports) {
  auto lab = [](int ports) {
    std::string text = "name: x\nbridges: {br0: {}}\nveths:\n";
    for (int i = 0; i < ports; ++i)
      text += "  - {name: p" + std::to_string(i) + ", bridge: br0, peer: {name: q" +
              std::to_string(i) + "}}\n";
    return text;
  };
  EXPECT_EQ(messages(lab(1023)), Lines{});
  EXPECT_EQ(messages(lab(1025)),
            Lines{"t.yaml:1027:27: error: bridge \"br0\" has 1025 ports; the kernel takes at "
                  "most 1023 (this is port 1024)"});
}

TEST(Sysctls, PerInterfaceKeysNameADeclaredInterface) {
  // In a lab namespace every interface is declared: a key for another one has no file. The
  // device is everything between "conf." and the last '.', so a name may hold dots.
  EXPECT_EQ(messages(R"(name: x
namespaces:
  n:
    sysctl:
      net.ipv4.conf.v.10.forwarding: 1
      net.ipv4.conf.eth9.forwarding: 1
      net.ipv6.conf.all.forwarding: 1
      net.ipv4.neigh.default.gc_thresh1: 1
      net.ipv4.conf.lo.rp_filter: 1
      net.ipv6.neigh.v.10.retrans_time_ms: 100
host:
  sysctl: {net.ipv4.conf.eth9.forwarding: 1}
veths:
  - {name: a, peer: {name: v.10, namespace: n}}
)"),
            Lines{"t.yaml:6:7: error: sysctl key \"net.ipv4.conf.eth9.forwarding\" is for "
                  "interface \"eth9\", which namespace \"n\" does not have"});
}

// --- everything at once -----------------------------------------------------------------------

TEST(AllAtOnce, EveryProblemIsReportedInFileOrder) {
  auto r = load_topology_text(R"(name: Bad_Lab
namespaces:
  net/0: {}
  net1:
    loopback: sideways
    routes:
      - {to: 10.0.0.1/24, via: 10.9.9.9}
bridges:
  br0: {mtu: 70000, mac: "01:00:00:00:00:01"}
veths:
  - name: veth0-is-far-too-long
    bridge: br9
    adresses: [10.0.0.1/24]
    peer: {name: ceth0, namespace: net2}
nat:
  - {type: dnat, port: 70000}
tests:
  - {from: nowhere, ping: 10.0.0.1, expect: yes}
)",
                              "lab.yaml");
  EXPECT_FALSE(r.topology);
  Lines got;
  for (const auto& d : r.diagnostics.sorted()) got.push_back(d.str());
  EXPECT_EQ(got,
            (Lines{
                "lab.yaml:1:7: error: lab name \"Bad_Lab\" must match [a-z0-9][a-z0-9-]{0,31} "
                "(lowercase letters, digits and '-', at most 32)",
                "lab.yaml:3:3: error: namespace name \"net/0\" may contain only a-z, 0-9, '-', "
                "'_' and '.'",
                "lab.yaml:5:15: error: loopback must be up or down, not \"sideways\"",
                "lab.yaml:7:14: error: route destination 10.0.0.1/24 has host bits set; did you "
                "mean 10.0.0.0/24?",
                "lab.yaml:9:14: error: mtu 70000 is out of range (68..65535)",
                "lab.yaml:9:26: error: MAC address 01:00:00:00:00:01 is a multicast address (low "
                "bit of the first octet set)",
                "lab.yaml:11:11: error: interface name \"veth0-is-far-too-long\" is longer than 15 "
                "characters",
                "lab.yaml:12:13: error: undeclared bridge \"br9\" (did you mean \"br0\"?)",
                "lab.yaml:13:5: error: unknown key \"adresses\" (did you mean \"addresses\"?)",
                "lab.yaml:14:36: error: undeclared namespace \"net2\" (did you mean \"net1\"?)",
                "lab.yaml:16:24: error: port 70000 is out of range (1..65535)",
                "lab.yaml:18:45: error: expect must be reachable or unreachable, not \"yes\"",
            }));
}

TEST(AllAtOnce, WarningsAloneDoNotFail) {
  auto r = load_topology_text(
      "name: x\nveths:\n  - {name: a, addresses: [10.0.0.1/24], peer: {name: b, addresses: "
      "[10.0.0.2/24]}}\n",
      "t.yaml");
  EXPECT_TRUE(r.topology);
  EXPECT_FALSE(r.diagnostics.has_errors());
  EXPECT_EQ(r.diagnostics.all().size(), 1u);
}

}  // namespace
}  // namespace netlab
