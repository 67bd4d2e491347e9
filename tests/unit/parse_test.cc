// The parser: YAML syntax, keys, types and value syntax, positions, hostile input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "parse/load.h"
#include "parse/prescan.h"
#include "parse_test_util.h"

namespace netlab {
namespace {

using testing::Lines;
using testing::messages;

constexpr const char* kFull = R"(name: bridge-lab
host:
  sysctl:
    net.ipv4.ip_forward: 1
  routes:
    - to: 10.99.0.0/16
      via: 172.18.0.10
namespaces:
  net0:
    loopback: down
    sysctl: {net.ipv4.conf.all.rp_filter: "2"}
    routes:
      - to: default
        via: 172.18.0.1
        dev: ceth0
        metric: 100
  net1: {}
  net2:
bridges:
  br0:
    namespace: host
    addresses: [172.18.0.1/12, "2001:db8::1/64"]
    mtu: 1500
    mac: 02:00:00:00:00:aa
    up: false
veths:
  - name: veth0
    bridge: br0
    peer:
      name: ceth0
      namespace: net0
      addresses: [172.18.0.10/12]
      mtu: 9000
      mac: 02:00:00:00:00:01
      up: true
nat:
  - type: masquerade
    source: 172.18.0.0/12
    destination: 0.0.0.0/0
    out: "!br0"
  - namespace: net0
    type: snat
    to: 172.18.0.10
  - type: dnat
    in: eth0
    protocol: tcp
    port: 8080
    to: 172.18.0.10:80
tests:
  - from: net0
    ping: 172.18.0.1
  - from: host
    ping: 172.18.0.10
    expect: unreachable
)";

TEST(Parse, FullTopologyFillsEveryField) {
  auto r = load_topology_text(kFull, "t.yaml");
  ASSERT_TRUE(r.topology) << (r.diagnostics.all().empty() ? "" : r.diagnostics.all()[0].str());
  EXPECT_TRUE(r.diagnostics.all().empty());
  const Topology& t = *r.topology;
  EXPECT_EQ(t.file, "t.yaml");
  EXPECT_EQ(t.name.value, "bridge-lab");
  EXPECT_EQ(t.name.pos.str(), "t.yaml:1:7");

  ASSERT_EQ(t.host.sysctl.size(), 1u);
  EXPECT_EQ(t.host.sysctl[0].key, "net.ipv4.ip_forward");
  EXPECT_EQ(t.host.sysctl[0].value.value, "1");
  EXPECT_EQ(t.host.sysctl[0].pos.str(), "t.yaml:4:5");
  EXPECT_EQ(t.host.sysctl[0].value.pos.str(), "t.yaml:4:26");
  ASSERT_EQ(t.host.routes.size(), 1u);
  EXPECT_EQ(t.host.routes[0].dst->str(), "10.99.0.0/16");

  ASSERT_EQ(t.namespaces.size(), 3u);
  const Namespace& net0 = t.namespaces[0];
  EXPECT_EQ(net0.name, "net0");
  EXPECT_EQ(net0.pos.str(), "t.yaml:9:3");
  EXPECT_FALSE(net0.loopback_up.value);
  EXPECT_EQ(net0.loopback_up.pos.str(), "t.yaml:10:15");
  ASSERT_EQ(net0.sysctl.size(), 1u);
  EXPECT_EQ(net0.sysctl[0].key, "net.ipv4.conf.all.rp_filter");
  EXPECT_EQ(net0.sysctl[0].value.value, "2");
  ASSERT_EQ(net0.routes.size(), 1u);
  const Route& rt = net0.routes[0];
  EXPECT_EQ(rt.pos.str(), "t.yaml:13:9");
  EXPECT_EQ(rt.to.value, "default");
  EXPECT_EQ(rt.dst->str(), "0.0.0.0/0");
  EXPECT_EQ(rt.via->value.str(), "172.18.0.1");
  EXPECT_EQ(rt.via->pos.str(), "t.yaml:14:14");
  EXPECT_EQ(rt.dev->value, "ceth0");
  EXPECT_EQ(rt.metric->value, 100u);
  EXPECT_EQ(t.namespaces[1].name, "net1");
  EXPECT_TRUE(t.namespaces[1].loopback_up.value);
  EXPECT_EQ(t.namespaces[2].name, "net2");

  ASSERT_EQ(t.bridges.size(), 1u);
  const Interface& br = t.bridges[0].iface;
  EXPECT_EQ(br.name.value, "br0");
  EXPECT_EQ(br.name.pos.str(), "t.yaml:20:3");
  EXPECT_EQ(br.ns.value, "host");
  ASSERT_EQ(br.addresses.size(), 2u);
  EXPECT_EQ(br.addresses[0].value.str(), "172.18.0.1/12");
  EXPECT_EQ(br.addresses[0].pos.str(), "t.yaml:22:17");
  EXPECT_EQ(br.addresses[1].value.str(), "2001:db8::1/64");
  EXPECT_EQ(br.mtu->value, 1500u);
  EXPECT_EQ(format_mac(br.mac->value), "02:00:00:00:00:aa");
  EXPECT_FALSE(br.up.value);
  EXPECT_FALSE(br.bridge);

  ASSERT_EQ(t.veths.size(), 1u);
  const Veth& v = t.veths[0];
  EXPECT_EQ(v.pos.str(), "t.yaml:27:5");
  EXPECT_EQ(v.end.name.value, "veth0");
  EXPECT_EQ(v.end.ns.value, "host");  // the default
  EXPECT_EQ(v.end.bridge->value, "br0");
  EXPECT_TRUE(v.end.up.value);
  EXPECT_FALSE(v.end.mtu);
  EXPECT_EQ(v.peer.pos.str(), "t.yaml:30:7");
  EXPECT_EQ(v.peer.name.value, "ceth0");
  EXPECT_EQ(v.peer.ns.value, "net0");
  EXPECT_EQ(v.peer.ns.pos.str(), "t.yaml:31:18");
  EXPECT_EQ(v.peer.addresses.at(0).value.str(), "172.18.0.10/12");
  EXPECT_EQ(v.peer.mtu->value, 9000u);
  EXPECT_EQ(format_mac(v.peer.mac->value), "02:00:00:00:00:01");

  ASSERT_EQ(t.nat.size(), 3u);
  EXPECT_EQ(t.nat[0].type.value, NatType::Masquerade);
  EXPECT_EQ(t.nat[0].ns.value, "host");
  EXPECT_EQ(t.nat[0].source->value.str(), "172.18.0.0/12");  // as written
  EXPECT_EQ(t.nat[0].destination->value.str(), "0.0.0.0/0");
  EXPECT_EQ(t.nat[0].out->value, "!br0");
  EXPECT_EQ(t.nat[1].type.value, NatType::Snat);
  EXPECT_EQ(t.nat[1].ns.value, "net0");
  EXPECT_EQ(t.nat[1].to_addr->value.str(), "172.18.0.10");
  EXPECT_FALSE(t.nat[1].to_port);
  EXPECT_EQ(t.nat[2].type.value, NatType::Dnat);
  EXPECT_EQ(t.nat[2].in->value, "eth0");
  EXPECT_EQ(t.nat[2].protocol->value, "tcp");
  EXPECT_EQ(t.nat[2].port->value, 8080);
  EXPECT_EQ(t.nat[2].to_addr->value.str(), "172.18.0.10");
  EXPECT_EQ(t.nat[2].to_port, 80);

  ASSERT_EQ(t.tests.size(), 2u);
  EXPECT_EQ(t.tests[0].from.value, "net0");
  EXPECT_EQ(t.tests[0].to.value.str(), "172.18.0.1");
  EXPECT_EQ(t.tests[0].expect.value, Expect::Reachable);
  EXPECT_EQ(t.tests[1].from.value, "host");
  EXPECT_EQ(t.tests[1].expect.value, Expect::Unreachable);
}

TEST(Parse, MinimalTopologyIsJustAName) {
  auto r = load_topology_text("name: x\n", "t.yaml");
  ASSERT_TRUE(r.topology);
  EXPECT_TRUE(r.topology->namespaces.empty());
  EXPECT_TRUE(r.topology->veths.empty());
}

TEST(Parse, EmptySectionsAreAllowed) {
  EXPECT_EQ(messages("name: x\nhost:\nnamespaces:\nbridges:\nveths:\nnat:\ntests:\n"), Lines{});
  EXPECT_EQ(messages("name: x\nhost: {}\nnamespaces: {}\nbridges: {}\nveths: []\nnat: []\n"),
            Lines{});
}

TEST(Parse, DefaultRouteFamilyFollowsGatewayThenDevice) {
  // Without a gateway, a device with only IPv6 addresses makes it IPv6; anything else (both
  // families, no address, an undeclared device) keeps IPv4, as `ip route add default` does.
  auto r = load_topology_text(R"(name: x
namespaces:
  a:
    routes:
      - {to: default, via: "2001:db8::1"}
      - {to: default, dev: v, metric: 10}
      - {to: "2001:db8:1::/48", via: "2001:db8::1"}
      - {to: default, dev: w}
      - {to: default, dev: u, metric: 20}
veths:
  - {name: v, namespace: a, addresses: ["2001:db8::2/64"], peer: {name: p}}
  - {name: w, namespace: a, addresses: ["2001:db8:5::2/64", 10.0.0.2/24], peer: {name: q}}
  - {name: u, namespace: a, peer: {name: s}}
host:
  routes: [{to: default, dev: eth0}]
)",
                              "t.yaml");
  ASSERT_TRUE(r.topology) << r.diagnostics.all().at(0).str();
  const auto& routes = r.topology->namespaces[0].routes;
  EXPECT_EQ(routes[0].dst->str(), "::/0");
  EXPECT_EQ(routes[1].dst->str(), "::/0");
  EXPECT_EQ(routes[2].dst->str(), "2001:db8:1::/48");
  EXPECT_EQ(routes[3].dst->str(), "0.0.0.0/0");
  EXPECT_EQ(routes[4].dst->str(), "0.0.0.0/0");
  EXPECT_EQ(r.topology->host.routes[0].dst->str(), "0.0.0.0/0");
}

TEST(Parse, NatToForms) {
  auto r = load_topology_text(R"(name: x
nat:
  - {type: dnat, protocol: udp, port: 53, to: 10.0.0.1}
  - {type: dnat, protocol: tcp, port: 1, to: "10.0.0.1:65535"}
)",
                              "t.yaml");
  ASSERT_TRUE(r.topology) << r.diagnostics.all().at(0).str();
  EXPECT_FALSE(r.topology->nat[0].to_port);
  EXPECT_EQ(r.topology->nat[1].to_port, 65535);
  EXPECT_EQ(r.topology->nat[1].port->value, 1);
}

// --- YAML syntax and structure ----------------------------------------------------------------

TEST(Parse, SyntaxErrorHasPosition) {
  EXPECT_EQ(messages("name: x\nnamespaces: [a, b\n"),
            Lines{"t.yaml:3:1: error: YAML syntax error: end of sequence flow not found"});
  EXPECT_EQ(messages("name: x\n  bad: indent\n"),
            Lines{"t.yaml:2:6: error: YAML syntax error: illegal map value"});
}

TEST(Parse, UndefinedAliasIsASyntaxError) {
  EXPECT_EQ(messages("name: *nope\n"),
            Lines{"t.yaml:1:7: error: YAML syntax error: the referenced anchor is not defined"});
}

TEST(Parse, EmptyFile) {
  EXPECT_EQ(messages(""),
            Lines{"t.yaml:1:1: error: empty topology: expected a mapping with at least \"name\""});
  EXPECT_EQ(messages("# only a comment\n"),
            Lines{"t.yaml:1:1: error: empty topology: expected a mapping with at least \"name\""});
}

TEST(Parse, TopLevelMustBeAMapping) {
  EXPECT_EQ(messages("- name: x\n"),
            Lines{"t.yaml:1:1: error: the top level must be a mapping, not a list"});
  EXPECT_EQ(messages("just text\n"),
            Lines{"t.yaml:1:1: error: the top level must be a mapping, not a string"});
}

TEST(Parse, OneDocumentOnly) {
  EXPECT_EQ(
      messages("name: x\n---\nname: y\n"),
      Lines{"t.yaml:2:1: error: a topology file holds one YAML document; found another here"});
}

TEST(Parse, NameIsRequired) {
  EXPECT_EQ(messages("namespaces: {}\n"),
            Lines{"t.yaml:1:1: error: missing required key \"name\""});
}

TEST(Parse, DuplicateKeys) {
  EXPECT_EQ(messages("name: x\nname: y\n"),
            Lines{"t.yaml:2:1: error: duplicate key \"name\" (first at 1:1)"});
  EXPECT_EQ(messages("name: x\nnamespaces:\n  a: {}\n  b: {}\n  a: {}\n"),
            Lines{"t.yaml:5:3: error: duplicate key \"a\" (first at 3:3)"});
  EXPECT_EQ(messages("name: x\nhost: {sysctl: {net.a: 1, net.a: 2}}\n"),
            Lines{"t.yaml:2:27: error: duplicate key \"net.a\" (first at 2:17)"});
}

TEST(Parse, KeysMustBeStrings) {
  EXPECT_EQ(messages("name: x\n[a]: 1\n"),
            Lines{"t.yaml:2:1: error: a mapping key must be a string, not a list"});
}

TEST(Parse, UnknownKeySuggestsClosest) {
  EXPECT_EQ(messages(R"(name: x
veths:
  - name: v0
    adresses: [10.0.0.1/24]
    peer: {name: v1, nmae: z}
)"),
            (Lines{"t.yaml:4:5: error: unknown key \"adresses\" (did you mean \"addresses\"?)",
                   "t.yaml:5:22: error: unknown key \"nmae\" (did you mean \"name\"?)"}));
  EXPECT_EQ(messages("name: x\nnamespace: {}\n"),
            Lines{"t.yaml:2:1: error: unknown key \"namespace\" (did you mean \"namespaces\"?)"});
}

TEST(Parse, UnknownKeyWithoutNearMatchListsKnownKeys) {
  EXPECT_EQ(messages("name: x\nnamespaces: {a: {zzzzzz: 1}}\n"),
            Lines{"t.yaml:2:18: error: unknown key \"zzzzzz\" in namespace (known keys: loopback, "
                  "sysctl, routes, dns, services)"});
  EXPECT_EQ(messages("name: x\nflavour: 1\n"),
            Lines{"t.yaml:2:1: error: unknown key \"flavour\" in topology (known keys: name, host, "
                  "namespaces, bridges, veths, macvlans, vxlans, taps, nat, tests)"});
}

TEST(Parse, EveryKeyOfEverySectionIsAccepted) {
  const auto& keys = topology_keys();
  for (const char* section :
       {"topology", "host", "namespace", "route", "bridge", "veth", "peer", "impair", "macvlan",
        "vxlan", "tun", "nat", "test", "service", "ready"})
    EXPECT_TRUE(keys.contains(section)) << section;
  EXPECT_EQ(keys.size(), 15u);
  EXPECT_EQ(keys.at("impair"), (std::vector<std::string>{"rate", "delay", "jitter", "loss",
                                                         "duplicate", "corrupt", "reorder"}));
  EXPECT_EQ(keys.at("route"), (std::vector<std::string>{"to", "via", "dev", "metric"}));
  EXPECT_EQ(keys.at("test"), (std::vector<std::string>{"from", "ping", "tcp", "exec", "expect",
                                                       "status", "output", "timeout", "wait"}));
}

TEST(Parse, WrongTypes) {
  EXPECT_EQ(messages(R"(name: [x]
namespaces: [a]
bridges: 3
veths: {a: 1}
nat: x
tests: {}
)"),
            (Lines{"t.yaml:1:7: error: \"name\" must be a string, not a list",
                   "t.yaml:2:13: error: \"namespaces\" must be a mapping, not a list",
                   "t.yaml:3:10: error: \"bridges\" must be a mapping, not a string",
                   "t.yaml:4:8: error: \"veths\" must be a list, not a mapping",
                   "t.yaml:5:6: error: \"nat\" must be a list, not a string",
                   "t.yaml:6:8: error: \"tests\" must be a list, not a mapping"}));
  EXPECT_EQ(messages("name: x\nhost: [a]\nnamespaces: {a: 1}\nbridges: {b: [1]}\nveths: [1]\n"),
            (Lines{"t.yaml:2:7: error: host must be a mapping, not a list",
                   "t.yaml:3:17: error: namespace \"a\" must be a mapping, not a string",
                   "t.yaml:4:14: error: bridge \"b\" must be a mapping, not a list",
                   "t.yaml:5:9: error: a veth must be a mapping, not a string"}));
}

TEST(Parse, NullWhereAValueIsNeeded) {
  EXPECT_EQ(messages("name:\n"), Lines{"t.yaml:1:1: error: \"name\" needs a value"});
}

TEST(Parse, NamespaceValueMayBeNullOrEmpty) {
  auto r = load_topology_text("name: x\nnamespaces:\n  a:\n  b: {}\n  c: ~\n  d: null\n", "t.yaml");
  ASSERT_TRUE(r.topology);
  EXPECT_EQ(r.topology->namespaces.size(), 4u);
  EXPECT_EQ(r.topology->namespaces[3].name, "d");
}

TEST(Parse, Booleans) {
  EXPECT_EQ(messages(R"(name: x
bridges:
  a: {up: yes}
  b: {up: "true"}
  c: {up: 1}
  d: {up: True}
  e: {up: FALSE}
)"),
            (Lines{"t.yaml:3:11: error: \"up\" must be true or false, not \"yes\"",
                   "t.yaml:4:11: error: \"up\" must be true or false, not \"true\"",
                   "t.yaml:5:11: error: \"up\" must be true or false, not \"1\""}));
}

TEST(Parse, LoopbackIsUpOrDown) {
  EXPECT_EQ(messages("name: x\nnamespaces:\n  a: {loopback: on}\n"),
            Lines{"t.yaml:3:17: error: loopback must be up or down, not \"on\""});
}

// --- numbers ----------------------------------------------------------------------------------

TEST(Parse, NumbersOutOfRangeNameTheValue) {
  EXPECT_EQ(
      messages(R"(name: x
bridges:
  a: {mtu: 99999999999}
  b: {mtu: 67}
  c: {mtu: 65536}
  d: {mtu: -1}
  e: {mtu: 99999999999999999999999999}
  f: {mtu: 68}
  g: {mtu: 65535}
)"),
      (Lines{"t.yaml:3:12: error: mtu 99999999999 is out of range (68..65535)",
             "t.yaml:4:12: error: mtu 67 is out of range (68..65535)",
             "t.yaml:5:12: error: mtu 65536 is out of range (68..65535)",
             "t.yaml:6:12: error: mtu -1 is out of range (68..65535)",
             "t.yaml:7:12: error: mtu 99999999999999999999999999 is out of range (68..65535)"}));
}

TEST(Parse, NumbersMustBeIntegers) {
  EXPECT_EQ(messages("name: x\nbridges:\n  a: {mtu: 1500.5}\n  b: {mtu: 0x10}\n  c: {mtu: [1]}\n"),
            (Lines{"t.yaml:3:12: error: \"mtu\" must be an integer, not \"1500.5\"",
                   "t.yaml:4:12: error: \"mtu\" must be an integer, not \"0x10\"",
                   "t.yaml:5:12: error: \"mtu\" must be an integer, not a list"}));
}

TEST(Parse, MetricRange) {
  EXPECT_EQ(messages(R"(name: x
host:
  routes:
    - {to: 10.0.0.0/8, dev: eth0, metric: -5}
    - {to: 10.1.0.0/16, dev: eth0, metric: 4294967296}
    - {to: 10.2.0.0/16, dev: eth0, metric: 4294967295}
    - {to: 10.3.0.0/16, dev: eth0, metric: 0}
)"),
            (Lines{"t.yaml:4:43: error: metric -5 is out of range (0..4294967295)",
                   "t.yaml:5:44: error: metric 4294967296 is out of range (0..4294967295)"}));
}

TEST(Parse, PortRange) {
  EXPECT_EQ(messages(R"(name: x
nat:
  - {type: dnat, protocol: tcp, port: 70000, to: 10.0.0.1}
  - {type: dnat, protocol: tcp, port: 0, to: 10.0.0.1}
  - {type: dnat, protocol: tcp, port: 80, to: "10.0.0.1:70000"}
  - {type: dnat, protocol: tcp, port: 80, to: "10.0.0.1:0"}
  - {type: dnat, protocol: tcp, port: 80, to: "10.0.0.1:http"}
)"),
            (Lines{"t.yaml:3:39: error: port 70000 is out of range (1..65535)",
                   "t.yaml:4:39: error: port 0 is out of range (1..65535)",
                   "t.yaml:5:47: error: port 70000 in \"to\" is out of range (1..65535)",
                   "t.yaml:6:47: error: port 0 in \"to\" is out of range (1..65535)",
                   "t.yaml:7:47: error: invalid port \"http\" in \"to\" \"10.0.0.1:http\""}));
}

// --- addresses, MACs, enums ------------------------------------------------------------------

TEST(Parse, InterfaceAddresses) {
  EXPECT_EQ(
      messages(R"(name: x
bridges:
  a:
    addresses:
      - 10.0.0.1
      - 10.0.0.300/24
      - 10.0.0.1/33
      - "2001:db8::1"
      - "2001:db8::1/129"
      - {x: 1}
      - 10.0.0.2/24
)"),
      (Lines{"t.yaml:5:9: error: address \"10.0.0.1\" needs a prefix length, like 10.0.0.1/24",
             "t.yaml:6:9: error: invalid address \"10.0.0.300/24\" (expected an IPv4 or IPv6 "
             "address with prefix length, like 10.0.0.1/24)",
             "t.yaml:7:9: error: invalid address \"10.0.0.1/33\" (expected an IPv4 or IPv6 "
             "address with prefix length, like 10.0.0.1/24)",
             "t.yaml:8:9: error: address \"2001:db8::1\" needs a prefix length, like "
             "2001:db8::1/64",
             "t.yaml:9:9: error: invalid address \"2001:db8::1/129\" (expected an IPv4 or IPv6 "
             "address with prefix length, like 10.0.0.1/24)",
             "t.yaml:10:9: error: expected an address with prefix length, not a mapping"}));
}

TEST(Parse, Macs) {
  EXPECT_EQ(
      messages(R"(name: x
bridges:
  a: {mac: "02:00:00:00:00"}
  b: {mac: "01:00:5e:00:00:01"}
  c: {mac: "03:00:00:00:00:01"}
  d: {mac: "00:00:00:00:00:00"}
  e: {mac: "02-00-00-00-00-01"}
  f: {mac: "AA:00:00:00:00:01"}
)"),
      (Lines{"t.yaml:3:12: error: invalid MAC address \"02:00:00:00:00\" (expected six hex "
             "pairs like 02:00:00:00:00:01)",
             "t.yaml:4:12: error: MAC address 01:00:5e:00:00:01 is a multicast address (low "
             "bit of the first octet set)",
             "t.yaml:5:12: error: MAC address 03:00:00:00:00:01 is a multicast address (low "
             "bit of the first octet set)",
             "t.yaml:6:12: error: MAC address 00:00:00:00:00:00 is not allowed",
             "t.yaml:7:12: error: invalid MAC address \"02-00-00-00-00-01\" (expected six hex "
             "pairs like 02:00:00:00:00:01)"}));
}

TEST(Parse, RouteDestinations) {
  EXPECT_EQ(
      messages(R"(name: x
host:
  routes:
    - {to: 10.0.0.1/24, dev: eth0}
    - {to: 10.0.0.5, dev: eth0}
    - {to: somewhere, dev: eth0}
    - {to: "2001:db8::1/64", dev: eth0}
)"),
      (Lines{"t.yaml:4:12: error: route destination 10.0.0.1/24 has host bits set; did you "
             "mean 10.0.0.0/24?",
             "t.yaml:5:12: error: route destination \"10.0.0.5\" needs a prefix length, like "
             "10.0.0.5/32",
             "t.yaml:6:12: error: invalid route destination \"somewhere\" (expected "
             "\"default\" or a CIDR like 10.0.0.0/24)",
             "t.yaml:7:12: error: route destination 2001:db8::1/64 has host bits set; did you "
             "mean 2001:db8::/64?"}));
}

TEST(Parse, RouteNeedsToAndViaOrDev) {
  EXPECT_EQ(messages("name: x\nhost:\n  routes:\n    - {via: 10.0.0.1}\n    - {to: default}\n"
                     "    - {to: default, via: 10.0.0.300}\n"),
            (Lines{"t.yaml:4:7: error: missing required key \"to\"",
                   "t.yaml:5:7: error: route needs \"via\" or \"dev\"",
                   "t.yaml:6:26: error: invalid via address \"10.0.0.300\" (expected an IPv4 or "
                   "IPv6 address without prefix length)"}));
}

TEST(Parse, NatEnums) {
  EXPECT_EQ(messages(R"(name: x
nat:
  - {type: masq}
  - {type: dnat, protocol: icmp, port: 1, to: 10.0.0.1}
  - {type: snat, to: "10.0.0.1/24"}
  - {source: 10.0.0.0/8}
)"),
            (Lines{"t.yaml:3:12: error: nat type must be masquerade, snat or dnat, not \"masq\"",
                   "t.yaml:4:28: error: protocol must be tcp or udp, not \"icmp\"",
                   "t.yaml:5:22: error: invalid \"to\" \"10.0.0.1/24\" (expected an address or "
                   "address:port, like 172.18.0.10:80)",
                   "t.yaml:6:5: error: missing required key \"type\""}));
}

TEST(Parse, NatSourceMayBeABareAddress) {
  auto r =
      load_topology_text("name: x\nnat:\n  - {type: masquerade, source: 10.0.0.5}\n", "t.yaml");
  ASSERT_TRUE(r.topology);
  EXPECT_EQ(r.topology->nat[0].source->value.str(), "10.0.0.5/32");
}

TEST(Parse, Tests) {
  EXPECT_EQ(messages(R"(name: x
tests:
  - {from: host}
  - {ping: 10.0.0.1}
  - {from: host, ping: 10.0.0.1/24}
  - {from: host, ping: 10.0.0.1, expect: maybe}
)"),
            (Lines{"t.yaml:3:5: error: a test needs one of \"ping\", \"tcp\" or \"exec\"",
                   "t.yaml:4:5: error: missing required key \"from\"",
                   "t.yaml:5:24: error: invalid ping address \"10.0.0.1/24\" (expected an IPv4 or "
                   "IPv6 address without prefix length)",
                   "t.yaml:6:42: error: expect must be reachable or unreachable, not \"maybe\""}));
}

TEST(Parse, VethNeedsNameAndPeer) {
  EXPECT_EQ(messages("name: x\nveths:\n  - {namespace: host}\n  - {name: a, peer: {}}\n  -\n"),
            (Lines{"t.yaml:3:5: error: missing required key \"name\"",
                   "t.yaml:3:5: error: missing required key \"peer\"",
                   "t.yaml:4:21: error: missing required key \"name\"",
                   "t.yaml:5:3: error: missing required key \"name\"",
                   "t.yaml:5:3: error: missing required key \"peer\""}));
}

TEST(Parse, SysctlValues) {
  EXPECT_EQ(messages(R"(name: x
host:
  sysctl:
    net.ipv4.ip_forward: true
    net.ipv4.conf.all.forwarding: "true"
    net.ipv6.conf.all.forwarding: off
    net.core.somaxconn:
    net.ipv4.tcp_rmem: [1, 2]
    net.ipv4.a: "x\ny"
    net.ipv4.b: -1
    net.ipv4.c: 4096 87380 6291456
)"),
            (Lines{"t.yaml:4:26: error: sysctl value true is a YAML boolean; write 1 or 0 (or "
                   "quote it to mean the string)",
                   "t.yaml:6:35: error: sysctl value off is a YAML boolean; write 1 or 0 (or "
                   "quote it to mean the string)",
                   "t.yaml:7:5: error: sysctl \"net.core.somaxconn\" needs a value",
                   "t.yaml:8:24: error: sysctl value must be a number or a string, not a list",
                   "t.yaml:9:17: error: sysctl value must be a non-empty single line"}));
}

TEST(Parse, AliasesWork) {
  auto r = load_topology_text(R"(name: x
namespaces:
  a: &ns {loopback: down}
  b: *ns
)",
                              "t.yaml");
  ASSERT_TRUE(r.topology);
  EXPECT_FALSE(r.topology->namespaces[1].loopback_up.value);
}

TEST(Parse, ErrorThroughAnAliasPointsAtTheAlias) {
  EXPECT_EQ(messages("name: x\nbridges:\n  a: {mtu: &m 10}\n  b: {mtu: *m}\n"),
            (Lines{"t.yaml:3:12: error: mtu 10 is out of range (68..65535)",
                   "t.yaml:4:12: error: mtu 10 is out of range (68..65535)"}));
}

// --- hostile input ----------------------------------------------------------------------------

TEST(Hostile, DeepFlowNestingRefusedBeforeYamlCpp) {
  std::string deep = "name: x\nnat: " + std::string(100000, '[') + "\n";
  EXPECT_EQ(messages(deep), Lines{"t.yaml:2:69: error: nesting is deeper than 64 levels"});
  std::string braces = "name: x\nnat: ";
  for (int i = 0; i < 100; ++i) braces += "{a: ";
  EXPECT_EQ(messages(braces), Lines{"t.yaml:2:258: error: nesting is deeper than 64 levels"});
}

TEST(Hostile, DeepBlockNestingRefused) {
  std::string text = "name: x\n";
  for (int i = 0; i < 70; ++i) text += std::string(i, ' ') + "k:\n";
  EXPECT_EQ(messages(text), Lines{"t.yaml:66:65: error: nesting is deeper than 64 levels"});
  std::string dashes = "name: x\nnat:\n" + std::string(" ");
  for (int i = 0; i < 80; ++i) dashes += "- ";
  dashes += "x\n";
  EXPECT_EQ(messages(dashes), Lines{"t.yaml:3:66: error: nesting is deeper than 64 levels"});
}

TEST(Hostile, NestingUpToTheLimitIsFine) {
  std::string ok = "name: x\nnat: " + std::string(60, '[') + std::string(60, ']') + "\n";
  EXPECT_EQ(messages(ok), Lines{"t.yaml:2:7: error: a nat rule must be a mapping, not a list"});
}

TEST(Hostile, BracketsInStringsAndCommentsDoNotCount) {
  std::string brackets(100, '[');
  std::string text = "name: x\n# " + brackets + "\nhost:\n  sysctl:\n    net.a: \"" + brackets +
                     "\"\n    net.b: '" + brackets + "'\n    net.c: a" + brackets +
                     "\n    net.d: |-\n      " + brackets +
                     "\n    net.e: >-\n      {{{{\n      ]]]]\n";
  EXPECT_EQ(messages(text), Lines{});
  EXPECT_LE(estimate_nesting_depth(text), 4);
}

TEST(Hostile, DepthEstimateNeverBelowRealNesting) {
  EXPECT_GE(estimate_nesting_depth("a:\n  b:\n    c: [d, {e: [f]}]\n"), 6);
  EXPECT_GE(estimate_nesting_depth("- - - - x\n"), 4);
  // A list of mappings at the indentation of its key: two levels a line.
  EXPECT_GE(estimate_nesting_depth("a:\n- b:\n  - c:\n    - d:\n      - e\n"), 9);
  EXPECT_GE(estimate_nesting_depth("a: &x [[1]]\n"), 3);
  EXPECT_GE(estimate_nesting_depth("a: \"q\"\nb: [\"]\", [[]]]\n"), 4);
}

TEST(Hostile, TooLargeRefused) {
  std::string big = "name: x\n# " + std::string(1024 * 1024, 'x') + "\n";
  EXPECT_EQ(messages(big), Lines{"t.yaml: error: file is 1048587 bytes; a topology may be at most "
                                 "1 MiB (1048576 bytes)"});
}

TEST(Hostile, InvalidUtf8RefusedWithPosition) {
  EXPECT_EQ(
      messages("name: x\nnamespaces:\n  n\xff: {}\n"),
      Lines{"t.yaml:3:4: error: invalid UTF-8 byte 0xff (topology files must be UTF-8 text)"});
  EXPECT_EQ(
      messages("name: \xc3\x28\n"),
      Lines{"t.yaml:1:7: error: invalid UTF-8 byte 0xc3 (topology files must be UTF-8 text)"});
  EXPECT_EQ(
      messages("name: \xe0\x80\x80\n"),  // overlong
      Lines{"t.yaml:1:7: error: invalid UTF-8 byte 0xe0 (topology files must be UTF-8 text)"});
  EXPECT_EQ(
      messages("name: \xed\xa0\x80\n"),  // surrogate
      Lines{"t.yaml:1:7: error: invalid UTF-8 byte 0xed (topology files must be UTF-8 text)"});
  EXPECT_EQ(messages(std::string_view("name: x\0\n", 9)),
            Lines{"t.yaml:1:8: error: control character 0x00 is not allowed"});
}

TEST(Hostile, ValidUtf8IsFine) {
  // A comment in UTF-8 and a string value: accepted; columns count bytes like yaml-cpp's.
  EXPECT_EQ(messages("# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\nname: x\n"), Lines{});
  EXPECT_EQ(messages("name: x\ntests: [{from: \xc3\xa9, ping: 1.2.3.4}]\n"),
            Lines{"t.yaml:2:16: error: undeclared namespace \"\xc3\xa9\""});
}

TEST(Hostile, AliasBombStopsFast) {
  // The reader walks only where the format has something, so the bomb goes where it reads:
  // 1000 namespaces, each an alias of one with 1000 routes, each an alias of one route.
  std::string text = "name: x\nr: &r {to: 10.0.0.0/8, dev: lo}\nrs: &rs [*r";
  for (int i = 1; i < 1000; ++i) text += ", *r";
  text += "]\nnamespaces:\n  n0: &n {routes: *rs}\n";
  for (int i = 1; i < 1000; ++i) text += "  n" + std::to_string(i) + ": *n\n";
  auto start = std::chrono::steady_clock::now();
  auto out = messages(text);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(2));
  ASSERT_FALSE(out.empty());
  bool stopped = false;
  for (const auto& m : out)
    stopped |=
        m.find("more than 100000 nodes to read (do aliases expand too far?)") != std::string::npos;
  EXPECT_TRUE(stopped) << out.back();
}

TEST(Hostile, SelfReferentialAliasTerminates) {
  auto out = messages("name: x\ntests: &a [*a]\n");
  ASSERT_FALSE(out.empty());
}

TEST(Hostile, TooManyNodesRefused) {
  std::string text = "name: x\nz: [";
  for (int i = 0; i < 100001; ++i) text += "1,";
  text += "1]\n";
  auto out = messages(text);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("error: more than 100000 YAML nodes; a topology this large is refused"),
            std::string::npos)
      << out[0];
}

// --- files ------------------------------------------------------------------------------------

TEST(LoadFile, ReadsAFile) {
  std::string path = ::testing::TempDir() + "/netlab_parse_test.yaml";
  {
    std::ofstream out(path);
    out << "name: x\nnamespaces:\n  bad/name: {}\n";
  }
  auto r = load_topology_file(path);
  std::remove(path.c_str());
  ASSERT_EQ(r.diagnostics.all().size(), 1u);
  EXPECT_EQ(r.diagnostics.all()[0].str(),
            path +
                ":3:3: error: namespace name \"bad/name\" may contain only a-z, 0-9, '-', '_' "
                "and '.'");
  EXPECT_FALSE(r.topology);
}

TEST(LoadFile, MissingFile) {
  auto r = load_topology_file("/nonexistent/netlab.yaml");
  ASSERT_EQ(r.diagnostics.all().size(), 1u);
  EXPECT_EQ(r.diagnostics.all()[0].str(),
            "/nonexistent/netlab.yaml: error: cannot open: No such file or directory");
}

TEST(LoadFile, Directory) {
  auto r = load_topology_file("/");
  ASSERT_EQ(r.diagnostics.all().size(), 1u);
  EXPECT_TRUE(r.diagnostics.has_errors());
}

TEST(LoadFile, TooLarge) {
  std::string path = ::testing::TempDir() + "/netlab_parse_big.yaml";
  {
    std::ofstream out(path);
    out << "name: x\n" << std::string(2 * 1024 * 1024, '#') << "\n";
  }
  auto r = load_topology_file(path);
  std::remove(path.c_str());
  ASSERT_EQ(r.diagnostics.all().size(), 1u);
  EXPECT_EQ(r.diagnostics.all()[0].str(),
            path +
                ": error: file is larger than 1 MiB (1048576 bytes); a topology may be at most "
                "that");
}

TEST(LoadFile, ExampleTopologiesLoad) {
  // Examples other engineers keep in topologies/: every one must parse without errors.
  for (const char* name : {"seed000-bridge.yaml", "seed004-internet-access.yaml"}) {
    std::string path = std::string(NETLAB_SOURCE_DIR) + "/topologies/" + name;
    if (access(path.c_str(), R_OK) != 0) continue;
    auto r = load_topology_file(path);
    EXPECT_TRUE(r.topology) << path << ": "
                            << (r.diagnostics.all().empty() ? "" : r.diagnostics.all()[0].str());
  }
}

}  // namespace
}  // namespace netlab
