#include "graph/dot.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace netlab;

namespace {

Interface iface(const std::string& name, const std::string& ns,
                std::initializer_list<const char*> addrs = {}) {
  Interface i;
  i.name.value = name;
  i.ns.value = ns;
  for (const char* a : addrs) i.addresses.push_back({*Cidr::parse(a), {}});
  return i;
}

// Seed 003's "Routing" lab, with a namespace name full of characters DOT would trip on.
Topology routing_lab() {
  Topology t;
  t.name.value = "seed003-routing";
  t.host.sysctl.push_back({{}, "net.ipv4.ip_forward", {"1", {}}});

  Namespace net0;
  net0.name = "net0";
  net0.loopback_up.value = false;
  Route r;
  r.to.value = "default";
  r.via = Located<IpAddr>{*IpAddr::parse("172.18.0.1"), {}};
  net0.routes.push_back(r);
  t.namespaces.push_back(net0);
  Namespace odd;
  odd.name = "a.b-c_d\"e\\";
  t.namespaces.push_back(odd);
  Namespace empty;
  empty.name = "empty";
  t.namespaces.push_back(empty);

  Bridge br0{iface("br0", kHost, {"172.18.0.1/12"})};
  br0.iface.mtu = Located<uint32_t>{1400, {}};
  t.bridges.push_back(br0);

  Veth v0{{}, iface("veth0", kHost), iface("ceth0", "net0", {"172.18.0.10/12"})};
  v0.end.bridge = Located<std::string>{"br0", {}};
  t.veths.push_back(v0);
  Veth v1{{}, iface("veth1", kHost), iface("eth0", odd.name, {"2001:db8::2/64"})};
  v1.end.up.value = false;
  t.veths.push_back(v1);

  Nat nat;
  nat.type.value = NatType::Masquerade;
  nat.source = Located<Cidr>{*Cidr::parse("172.18.0.0/12"), {}};
  nat.out = Located<std::string>{"!br0", {}};
  t.nat.push_back(nat);
  return t;
}

bool has_line(const std::string& dot, const std::string& line) {
  return dot.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST(Dot, QuotesIdentifiers) {
  EXPECT_EQ(dot_quote("net0"), "\"net0\"");
  EXPECT_EQ(dot_quote("a.b-c_d"), "\"a.b-c_d\"");
  EXPECT_EQ(dot_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
  // A trailing backslash must not swallow the closing quote.
  EXPECT_EQ(dot_quote("x\\"), "\"x\\\\\"");
}

TEST(Dot, NamespacesAreClustersWithTheirInterfaces) {
  std::string dot = topology_to_dot(routing_lab());
  EXPECT_TRUE(dot.starts_with("graph \"seed003-routing\" {\n")) << dot;
  EXPECT_TRUE(has_line(dot, "  subgraph \"cluster_host\" {")) << dot;
  EXPECT_TRUE(has_line(dot, "  subgraph \"cluster_net0\" {")) << dot;
  EXPECT_TRUE(has_line(dot, "  subgraph \"cluster_a.b-c_d\\\"e\\\\\" {")) << dot;
  // Host first, then the namespaces in file order.
  EXPECT_LT(dot.find("cluster_host"), dot.find("cluster_net0"));
  EXPECT_LT(dot.find("cluster_net0"), dot.find("cluster_a.b"));

  EXPECT_TRUE(has_line(dot,
                       "    \"host/br0\" [label=\"br0 (bridge)\\n172.18.0.1/12\\nmtu 1400\", "
                       "shape=box3d, style=\"\"];"))
      << dot;
  EXPECT_TRUE(has_line(dot, "    \"net0/ceth0\" [label=\"ceth0\\n172.18.0.10/12\"];")) << dot;
  EXPECT_TRUE(has_line(dot, "    \"host/veth1\" [label=\"veth1\\n(down)\"];")) << dot;
  EXPECT_TRUE(has_line(dot, "    \"a.b-c_d\\\"e\\\\/eth0\" [label=\"eth0\\n2001:db8::2/64\"];"))
      << dot;
}

TEST(Dot, VethPairsAndBridgePortsAreEdges) {
  std::string dot = topology_to_dot(routing_lab());
  EXPECT_TRUE(has_line(dot, "  \"host/veth0\" -- \"net0/ceth0\" [label=\"veth\", penwidth=2];"))
      << dot;
  EXPECT_TRUE(has_line(dot, "  \"host/veth0\" -- \"host/br0\" [style=dashed];")) << dot;
  EXPECT_EQ(dot.find("\"net0/ceth0\" -- \"host/br0\""), std::string::npos);
}

TEST(Dot, NamespaceSettingsInANote) {
  std::string dot = topology_to_dot(routing_lab());
  EXPECT_NE(dot.find("label=\"namespace net0\\nloopback down\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("route default via 172.18.0.1"), std::string::npos) << dot;
  EXPECT_NE(dot.find("net.ipv4.ip_forward = 1"), std::string::npos) << dot;
  // As iptables lists it: the network masked, the negation before the flag.
  EXPECT_NE(dot.find("nat MASQUERADE -s 172.16.0.0/12 ! -o br0"), std::string::npos) << dot;
  // A namespace without links still shows.
  EXPECT_TRUE(
      has_line(dot, "    \"settings:empty\" [label=\"(no links)\", shape=note, style=\"\"];"))
      << dot;
}

// Graphviz must accept the output; skipped where it is not installed.
TEST(Dot, RendersWithGraphviz) {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) GTEST_SKIP() << "no graphviz";
  std::string path = ::testing::TempDir() + "netlab_dot_test.dot";
  std::ofstream(path) << topology_to_dot(routing_lab());
  std::string cmd = "dot -Tsvg '" + path + "' -o /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::remove(path.c_str());
}
