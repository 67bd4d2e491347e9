// The names `netlab capture` takes: NS:IF read and checked against the lab's file, every
// interface of a lab for `test --capture`, and the kernel's names of an instance's and an
// isolated lab's interfaces.
#include <gtest/gtest.h>

#include "api/lab_capture.h"
#include "model/instance.h"
#include "parse/load.h"

namespace netlab {
namespace {

const char* const kLab = R"(name: web
namespaces: {a: {}, b: {}}
bridges:
  br0: {}
veths:
  - {name: v0, bridge: br0, peer: {name: eth0, namespace: a}}
  - {name: eth1, namespace: a, peer: {name: eth0, namespace: b}}
  - {name: eth2, namespace: b, up: false, peer: {name: eth2, namespace: a, up: false}}
)";

Topology lab() {
  auto r = load_topology_text(kLab, "lab.yaml");
  EXPECT_TRUE(r.topology);
  return *r.topology;
}

std::vector<std::string> names(const std::vector<CapturePoint>& points) {
  std::vector<std::string> out;
  for (const auto& p : points) out.push_back(p.str());
  return out;
}

TEST(LabCapture, PointsAreNamespaceColonInterface) {
  std::string problem;
  auto p = parse_capture_point("a:eth0", problem);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ns, "a");
  EXPECT_EQ(p->iface, "eth0");
  EXPECT_TRUE(parse_capture_point("host:v0", problem));
  EXPECT_FALSE(parse_capture_point("a-eth0", problem));
  EXPECT_EQ(problem, "\"a-eth0\" is not NAMESPACE:INTERFACE");
  EXPECT_FALSE(parse_capture_point("a:", problem));
  EXPECT_FALSE(parse_capture_point("A:eth0", problem));
}

TEST(LabCapture, EveryInterfaceOfTheLabWithItsLoopbacks) {
  EXPECT_EQ(names(lab_interfaces(lab(), false)),
            (std::vector<std::string>{"host:br0", "host:v0", "a:lo", "a:eth0", "a:eth1", "b:lo",
                                      "b:eth0"}));
  // Not the ones the file keeps down (libpcap refuses them). An isolated lab's host is its own,
  // loopback included.
  EXPECT_EQ(names(lab_interfaces(lab(), true)).front(), "host:lo");
}

TEST(LabCapture, OnlyWhatTheLabHas) {
  const Topology t = lab();
  EXPECT_FALSE(capture_point_problem(t, {"a", "eth1"}, false));
  EXPECT_FALSE(capture_point_problem(t, {"host", "br0"}, false));
  EXPECT_FALSE(capture_point_problem(t, {"b", "eth2"}, false));  // down, but the lab's
  EXPECT_EQ(*capture_point_problem(t, {"a", "eth9"}, false),
            "lab web has no interface eth9 in a (it has lo, eth0, eth1, eth2)");
  EXPECT_EQ(*capture_point_problem(t, {"c", "eth0"}, false), "lab web has no namespace c");
  // The machine's loopback is not the lab's; an isolated lab's is.
  EXPECT_TRUE(capture_point_problem(t, {"host", "lo"}, false));
  EXPECT_FALSE(capture_point_problem(t, {"host", "lo"}, true));
}

TEST(LabCapture, TheKernelsNamesOfACopy) {
  auto plain = capture_source({"a", "eth0"}, "web", false);
  EXPECT_EQ(plain.ns, "a");
  EXPECT_EQ(plain.iface, "eth0");
  EXPECT_EQ(plain.label, "a:eth0");
  auto inner = capture_source({"a", "eth0"}, "web@t1", false);
  EXPECT_EQ(inner.ns, instance_namespace("a", "web", "t1"));
  EXPECT_EQ(inner.iface, "eth0");  // inside its own namespace, an instance keeps the file's names
  auto host = capture_source({"host", "v0"}, "web@t1", true);
  EXPECT_EQ(host.ns, private_host_namespace("web", "t1"));
  EXPECT_EQ(host.iface, instance_name("v0", "web", "t1", 15));
  EXPECT_EQ(host.label, "host:v0");
}

}  // namespace
}  // namespace netlab
