// Instances: copies of one lab file up side by side on one kernel, each under names of its own
// where the machine is shared, each planned, verified and taken down as if it were alone.
#include <set>

#include "engine_fixture.h"
#include "kernel/instance_kernel.h"
#include "model/instance.h"
#include "model/names.h"
#include "parse/load.h"

namespace netlab {
namespace {

using testing::lines;

// Host side: a bridge and the veths' host ends; no host address (the same on two bridges of
// one host would break its routing).
const char* kLab = R"(name: web
namespaces:
  n1:
    routes: [{to: default, via: 10.0.0.1}]
  n2: {}
bridges:
  br0: {}
veths:
  - {name: v1, bridge: br0, peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}}
  - {name: v2, bridge: br0, peer: {name: eth0, namespace: n2, addresses: [10.0.0.3/24]}}
host:
  sysctl: {net.ipv4.conf.br0.forwarding: 1}
)";

std::set<std::string> names(const NsLive& n) {
  std::set<std::string> out;
  for (const auto& l : n.links) out.insert(l.name);
  return out;
}

class InstanceTest : public testing::EngineFixture {
 protected:
  Engine engine_for(InstanceKernel& k) { return Engine(k, store_); }
  InstanceKernel one_{kernel_, "web", "1"};
  InstanceKernel two_{kernel_, "web", "2"};
};

TEST(InstanceName, PlainWhenItFitsHashedElse) {
  EXPECT_EQ(instance_name("br0", "web", "1", 15), "br0_web_1");
  EXPECT_EQ(instance_name("veth-to-the-router", "web", "1", 15).size(), 15u);
  EXPECT_EQ(instance_name("veth-to-the-router", "web", "1", 15).substr(0, 6), "veth-t");
  EXPECT_EQ(instance_name("veth-to-the-router", "web", "1", 15).back(), '_');
  // Stable: the same name every time, so `down` finds what `up` made.
  EXPECT_EQ(instance_name("veth-to-the-router", "web", "1", 15),
            instance_name("veth-to-the-router", "web", "1", 15));
}

TEST(InstanceName, NoTwoCopiesShareANameNearTheLimits) {
  const std::string lab(32, 'l');
  std::set<std::string> seen;
  for (const std::string name : {"abcdefghijklmno", "abcdefghijklmnp", "a", "a_b"})
    for (const std::string id :
         {"1", "2", "b", "ci-job-0000000000000000000000001", "ci-job-0000000000000000000000002"}) {
      std::string n = instance_name(name, lab, id, 15);
      EXPECT_LE(n.size(), 15u) << n;
      EXPECT_FALSE(interface_name_problem(n)) << n;
      EXPECT_TRUE(seen.insert(n).second) << name << " " << id << " -> " << n;
    }
  // The separators: ("a_b", "c") and ("a", "b_c") cannot meet, as no ID holds '_'.
  EXPECT_NE(instance_name("a_b", "x", "c", 64), instance_name("a", "x", "b_c", 64));
}

TEST(InstanceName, IdsFollowTheLabNameRule) {
  EXPECT_FALSE(instance_problem("ci-42"));
  EXPECT_EQ(*instance_problem("A"),
            "instance \"A\" must match [a-z0-9][a-z0-9-]{0,31} (lowercase letters, digits and "
            "'-', at most 32)");
  EXPECT_TRUE(instance_problem("a_b"));
  EXPECT_TRUE(instance_problem(std::string(33, 'a')));
  EXPECT_EQ(lab_key("web", "7"), "web@7");
  EXPECT_EQ(parse_lab_key("web@7")->instance, "7");
  EXPECT_FALSE(parse_lab_key("web@"));
  EXPECT_FALSE(parse_lab_key("web@7@8"));
}

TEST_F(InstanceTest, TwoCopiesOfOneFileLiveSideBySide) {
  engine_for(one_).up(testing::desired(kLab, "1"));
  engine_for(two_).up(testing::desired(kLab, "2"));

  EXPECT_TRUE(kernel_.state.ns.count("n1_web_1"));
  EXPECT_TRUE(kernel_.state.ns.count("n2_web_2"));
  EXPECT_EQ(names(ns("host")), (std::set<std::string>{"br0_web_1", "br0_web_2", "v1_web_1",
                                                      "v1_web_2", "v2_web_1", "v2_web_2"}));
  // Inside its namespaces a copy has the file's names.
  EXPECT_EQ(names(ns("n1_web_2")), (std::set<std::string>{"eth0", "lo"}));
  EXPECT_EQ(link("host", "v1_web_2")->master, "br0_web_2");
  EXPECT_EQ(kernel_.state.ns.at("host").sysctl.count("net.ipv4.conf.br0_web_2.forwarding"), 1u);

  // Each sees itself in the file's names, converged.
  EXPECT_EQ(lines(engine_for(one_).plan(testing::desired(kLab, "1"))), std::vector<std::string>{});
  EXPECT_EQ(lines(engine_for(two_).plan(testing::desired(kLab, "2"))), std::vector<std::string>{});
}

// The wait for links to carry traffic names the copy's links: the fake kernel knows no other.
TEST_F(InstanceTest, ACopyWaitsForItsOwnLinks) {
  kernel_.links_start_late = true;
  engine_for(one_).up(testing::desired(kLab, "1"));
  EXPECT_EQ(kernel_.calls.back(), "wait_ready 5");
  auto live = kernel_.read({.host = true, .namespaces = {"n1_web_1", "n2_web_1"}});
  for (const auto& [ns, name] : std::vector<std::pair<std::string, std::string>>{
           {"host", "br0_web_1"}, {"host", "v1_web_1"}, {"n1_web_1", "eth0"}})
    EXPECT_TRUE(live.ns.at(ns).link(name)->ready) << ns << "/" << name;
}

TEST_F(InstanceTest, DownOfOneCopyLeavesTheOther) {
  LiveState before = kernel_.state;
  engine_for(one_).up(testing::desired(kLab, "1"));
  engine_for(two_).up(testing::desired(kLab, "2"));
  engine_for(one_).down("web@1");

  EXPECT_FALSE(kernel_.state.ns.count("n1_web_1"));
  EXPECT_EQ(names(ns("host")), (std::set<std::string>{"br0_web_2", "v1_web_2", "v2_web_2"}));
  EXPECT_EQ(lines(engine_for(two_).plan(testing::desired(kLab, "2"))), std::vector<std::string>{});

  // From the record alone, as after a crash: the same object that up used is not needed.
  InstanceKernel fresh(kernel_, "web", "2");
  engine_for(fresh).down("web@2");
  EXPECT_EQ(names(ns("host")), names(before.ns.at("host")));
  EXPECT_EQ(kernel_.state.ns.size(), before.ns.size());
}

TEST_F(InstanceTest, TheFilesNameInTheHostIsNotTheInstances) {
  // The lab itself, without an instance, holds "br0" in the host: the copy leaves it alone.
  engine().up(testing::desired(kLab));
  engine_for(one_).up(testing::desired(kLab, "1"));
  EXPECT_EQ(lines(engine().plan(testing::desired(kLab))), std::vector<std::string>{});
  engine_for(one_).down("web@1");
  EXPECT_TRUE(link("host", "br0"));
  EXPECT_TRUE(kernel_.state.ns.count("n1"));
  EXPECT_EQ(lines(engine().plan(testing::desired(kLab))), std::vector<std::string>{});
}

TEST_F(InstanceTest, AHostAddressCannotBeEveryCopysAndIsRefusedBeforeAnythingChanges) {
  const std::string yaml = testing::edited(kLab, "  br0: {}", "  br0: {addresses: [10.0.0.1/24]}");
  LiveState before = kernel_.state;
  try {
    engine_for(one_).up(testing::desired(yaml, "1"));
    ADD_FAILURE() << "no conflict";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.conflicts.at(0).str(),
              "address 10.0.0.1/24 on br0 in host: instance 1 is a copy of lab web on this "
              "machine's network, and every copy would put this address on the host; give the "
              "host no address in the file (a copy holds addresses in its own namespaces only), "
              "or make the lab isolated (`host: {isolated: true}` or `netlab up --isolated`)");
  }
  EXPECT_TRUE(kernel_.calls.empty());
  // The lab itself may.
  engine().up(testing::desired(yaml));
}

}  // namespace
}  // namespace netlab
