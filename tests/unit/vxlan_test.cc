// VXLAN links: an Ethernet link tunnelled in UDP over an underlay of its own namespace. Its
// keys are checked with their place in the file; an underlay that is not there, or an MTU above
// what a live one leaves, is refused at plan time; any change of its VXLAN keys re-makes it.
#include "engine_fixture.h"
#include "parse_test_util.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;
using testing::Lines;
using testing::messages;

// Two machines: m1 and m2 on one underlay veth, a tunnel between them over it.
const char* kLab = R"(name: vx
namespaces:
  m1: {}
  m2: {}
veths:
  - {name: eth1, namespace: m1, addresses: [192.168.0.1/24],
     peer: {name: eth1, namespace: m2, addresses: [192.168.0.2/24]}}
vxlans:
  - name: vx0
    namespace: m1
    vni: 42
    remote: 192.168.0.2
    dev: eth1
    addresses: [10.0.0.1/24]
  - {name: vx0, namespace: m2, vni: 42, remote: 192.168.0.1, dev: eth1, addresses: [10.0.0.2/24]}
)";

TEST(VxlanSyntax, RefusesWhatTheKernelWouldWithTheirPlace) {
  EXPECT_EQ(messages(edited(kLab, "vni: 42\n", "vni: 16777216\n")),
            Lines{"t.yaml:11:10: error: vni 16777216 is out of range (1..16777215)"});
  EXPECT_EQ(messages(edited(kLab, "    vni: 42\n", "")),
            Lines{"t.yaml:9:5: error: missing required key \"vni\""});
  EXPECT_EQ(messages(edited(kLab, "    dev: eth1\n", "    dev: eth1\n    learning: maybe\n")),
            Lines{"t.yaml:14:15: error: \"learning\" must be true or false, not \"maybe\""});
  EXPECT_EQ(messages(edited(kLab, "    dev: eth1\n", "    dev: eth1\n    port: 0\n")),
            Lines{"t.yaml:14:11: error: port 0 is out of range (1..65535)"});
  // Read as every number and boolean of the file is.
  EXPECT_TRUE(
      messages(edited(kLab, "    dev: eth1\n", "    dev: eth1\n    learning: False\n")).empty());
}

TEST(VxlanSyntax, RemoteOrGroupNotBoth) {
  EXPECT_EQ(messages(edited(kLab, "    dev: eth1\n", "    dev: eth1\n    group: 239.1.1.1\n")),
            Lines{"t.yaml:14:12: error: a vxlan has `remote` or `group`, not both"});
  EXPECT_EQ(messages(edited(kLab, "    remote: 192.168.0.2\n", "")),
            Lines{"t.yaml:9:5: error: a vxlan needs `remote` (the other end) or `group` "
                  "(multicast)"});
  EXPECT_EQ(messages(edited(kLab, "remote: 192.168.0.2\n    dev: eth1\n", "group: 239.1.1.1\n")),
            Lines{"t.yaml:12:12: error: a vxlan with a multicast group needs `dev`"});
  EXPECT_EQ(messages(edited(kLab, "remote: 192.168.0.2\n", "remote: 239.1.1.1\n")),
            Lines{"t.yaml:12:13: error: vxlan remote 239.1.1.1 is multicast: use `group`"});
}

// "A VXLAN device with the specified VNI already exists" (EEXIST), checked with `ip`: another
// port, another family or another namespace is another vxlan to the kernel.
TEST(VxlanSyntax, OneVxlanPerVniPortAndFamilyInANamespace) {
  std::string two =
      std::string(kLab) + "  - {name: vx1, namespace: m1, vni: 42, remote: 10.9.0.3}\n";
  EXPECT_EQ(messages(two),
            Lines{"t.yaml:16:37: error: vxlans \"vx1\" and \"vx0\" (at 9:11) both have vni 42 on "
                  "port 4789 in namespace \"m1\": the kernel takes one vxlan per VNI, port and IP "
                  "family in a namespace (EEXIST)"});
  EXPECT_TRUE(messages(edited(two, "remote: 10.9.0.3}", "remote: 10.9.0.3, port: 4790}")).empty());
  EXPECT_TRUE(messages(edited(two, "remote: 10.9.0.3}", "remote: \"fd00::3\"}")).empty());
  EXPECT_TRUE(messages(edited(two, "vx1, namespace: m1", "vx1, namespace: m2, vni: 43")).size() ==
              1u);  // only "vni" given twice: another namespace is no clash
}

class VxlanTest : public testing::EngineFixture {};

// The kernel links a vxlan above its underlay: that underlay cannot also be above it (a
// bridge it is a port of: EBUSY), and two links on each other cannot be made at all.
TEST(VxlanSyntax, AnUnderlayItStandsOnInALoopIsRefused) {
  EXPECT_EQ(messages("name: x\nnamespaces: {n1: {}}\nbridges: {br0: {namespace: n1}}\nvxlans:\n"
                     "  - {name: vx0, namespace: n1, vni: 42, remote: 192.168.0.2, dev: br0, "
                     "bridge: br0}\n"),
            Lines{"t.yaml:5:12: error: vxlan \"vx0\" stands on itself: vx0 -> br0 -> vx0 (a link "
                  "cannot be the underlay or parent of a link it is under, nor of the bridge it is "
                  "a port of)"});
  EXPECT_EQ(messages("name: x\nnamespaces: {n1: {}}\nvxlans:\n"
                     "  - {name: vx0, namespace: n1, vni: 42, remote: 192.168.0.2, dev: vx1}\n"
                     "  - {name: vx1, namespace: n1, vni: 43, remote: 192.168.0.3, dev: vx0}\n"),
            Lines{"t.yaml:4:12: error: vxlan \"vx0\" stands on itself: vx0 -> vx1 -> vx0 (a link "
                  "cannot be the underlay or parent of a link it is under, nor of the bridge it is "
                  "a port of)"});
}

TEST_F(VxlanTest, MadeOnItsUnderlayWithWhatItsHeadersLeaveOfItsMtu) {
  auto plan = lines(engine().plan(desired(kLab)));
  EXPECT_NE(std::find(plan.begin(), plan.end(),
                      "+ vxlan vx0 (vni 42 to 192.168.0.2 on eth1, mtu eth1's less 50 bytes of "
                      "VXLAN) in m1  (missing)"),
            plan.end())
      << ::testing::PrintToString(plan);
  engine().up(desired(kLab));
  ASSERT_NE(link("m1", "vx0"), nullptr);
  EXPECT_LT(pos("create_link m1/eth1"), pos("create_link m1/vx0"));
  EXPECT_EQ(link("m1", "vx0")->lower_ifindex, link("m1", "eth1")->ifindex);
  EXPECT_EQ(link("m1", "vx0")->mtu, 1450u);
  EXPECT_TRUE(engine().plan(desired(kLab)).actions.empty())
      << ::testing::PrintToString(lines(engine().plan(desired(kLab))));
}

TEST_F(VxlanTest, AVniEditRemakesOnlyThatLink) {
  engine().up(desired(kLab));
  auto other = edited(kLab, "vni: 42\n", "vni: 43\n");
  EXPECT_EQ(lines(engine().plan(desired(other))),
            (std::vector<std::string>{
                "- vxlan vx0 (vni 42 to 192.168.0.2) in m1  (vni 42 -> 43)",
                "~ vxlan vx0 (vni 43 to 192.168.0.2 on eth1, mtu eth1's less 50 bytes of VXLAN) "
                "in m1  (vni 42 -> 43)",
                "+ address 10.0.0.1/24 on vx0 in m1  (missing)"}));
  engine().up(desired(other));
  EXPECT_EQ(link("m1", "vx0")->attrs.at("vni"), "43");
  EXPECT_TRUE(engine().plan(desired(other)).actions.empty());
}

TEST_F(VxlanTest, AnUnderlayThatIsNotThereIsRefusedBeforeAnythingChanges) {
  std::string lab = R"(name: vx
vxlans:
  - {name: vx0, vni: 42, remote: 192.168.0.2, dev: eth9}
)";
  auto plan = engine().plan(desired(lab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].str(),
            "vxlan vx0 (vni 42 to 192.168.0.2 on eth9, mtu eth9's less 50 bytes of VXLAN) in host: "
            "its underlay eth9 is not in the host; make it, or change `dev` in the file");
  EXPECT_THROW(engine().up(desired(lab)), std::exception);
  EXPECT_TRUE(kernel_.calls.empty());
}

TEST_F(VxlanTest, AnMtuAboveWhatALiveUnderlayLeavesIsRefused) {
  engine().up(desired(kLab));
  auto big = edited(kLab, "    dev: eth1\n", "    dev: eth1\n    mtu: 1460\n");
  auto plan = engine().plan(desired(big));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_NE(plan.conflicts[0].str().find("mtu 1460 is more than its underlay eth1 leaves (1500 "
                                         "less 50 bytes of VXLAN)"),
            std::string::npos)
      << plan.conflicts[0].str();
}

// Below MTU 1280 a link has no IPv6, and the kernel accepts a vxlan whose underlay leaves it
// less: an IPv6 address on it would fail half-way through `up`. It is refused at plan time,
// saying what leaves the MTU so small; an IPv4 address there is fine.
TEST_F(VxlanTest, AnIpv6AddressWhereTheUnderlayLeavesNoIpv6IsRefusedAtPlanTime) {
  auto small =
      edited(kLab, "addresses: [192.168.0.1/24],", "addresses: [192.168.0.1/24], mtu: 1300,");
  EXPECT_TRUE(engine().plan(desired(small)).conflicts.empty());
  auto v6 = edited(small, "addresses: [10.0.0.1/24]", "addresses: [10.0.0.1/24, fd00::1/64]");
  auto plan = engine().plan(desired(v6));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].str(),
            "address fd00::1/64 on vx0 in m1: IPv6 needs an mtu of at least 1280, and vx0 will "
            "have 1250 (vxlan vx0 (vni 42 to 192.168.0.2 on eth1, mtu eth1's less 50 bytes of "
            "VXLAN)); give the link it stands on a larger mtu, or keep IPv6 off it");
  EXPECT_THROW(engine().up(desired(v6)), std::exception);
  EXPECT_TRUE(kernel_.calls.empty());
}

// The file's own underlay: its MTU is the one it will have, live or not yet.
TEST_F(VxlanTest, AnMtuAboveWhatTheFilesUnderlayLeavesIsRefusedBeforeAnythingChanges) {
  auto small =
      edited(kLab, "addresses: [192.168.0.1/24],", "addresses: [192.168.0.1/24], mtu: 1400,");
  auto big = edited(small, "    dev: eth1\n", "    dev: eth1\n    mtu: 1400\n");
  auto plan = engine().plan(desired(big));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_NE(plan.conflicts[0].str().find("mtu 1400 is more than its underlay eth1 leaves (1400 "
                                         "less 50 bytes of VXLAN)"),
            std::string::npos)
      << plan.conflicts[0].str();
  EXPECT_THROW(engine().up(desired(big)), std::exception);
  EXPECT_TRUE(kernel_.calls.empty());
}

// The kernel sets a vxlan's MTU from its underlay's when it makes it, and never again: an
// underlay whose MTU the file changes takes the vxlan's along, down or up, in the same run.
TEST_F(VxlanTest, ItsMtuFollowsItsUnderlaysEditedMtu) {
  engine().up(desired(kLab));
  auto small =
      edited(kLab, "addresses: [192.168.0.1/24],", "addresses: [192.168.0.1/24], mtu: 1400,");
  ASSERT_NO_THROW(engine().up(desired(small)));
  EXPECT_EQ(link("m1", "vx0")->mtu, 1350u);
  EXPECT_TRUE(engine().plan(desired(small)).actions.empty());
  ASSERT_NO_THROW(engine().up(desired(kLab)));
  EXPECT_EQ(link("m1", "vx0")->mtu, 1450u);
  EXPECT_TRUE(engine().plan(desired(kLab)).actions.empty());
}

// One vxlan per VNI, port and family in a namespace: one that takes over another's VNI in
// the same run is made once that one is gone.
TEST_F(VxlanTest, AVniPassedOnInOneRun) {
  engine().up(desired(kLab));
  auto moved = edited(kLab, "  - name: vx0\n", "  - name: vx1\n");
  ASSERT_NO_THROW(engine().up(desired(moved)));
  EXPECT_EQ(link("m1", "vx0"), nullptr);
  EXPECT_TRUE(engine().plan(desired(moved)).actions.empty());
  std::string two = R"(name: vx
vxlans:
  - {name: vx0, vni: 1, remote: 192.168.0.2}
  - {name: vx1, vni: 2, remote: 192.168.0.2}
)";
  engine().up(desired(two));
  auto swapped = edited(edited(two, "vni: 1", "vni: 3"), "vni: 2", "vni: 1");
  ASSERT_NO_THROW(engine().up(desired(swapped)));
  EXPECT_EQ(link("host", "vx1")->attrs.at("vni"), "1");
  EXPECT_TRUE(engine().plan(desired(swapped)).actions.empty());
}

TEST_F(VxlanTest, WithoutUnderlayTheKernelLeaves1500) {
  std::string lab = R"(name: vx
vxlans:
  - {name: vx0, vni: 7, remote: 192.168.0.2, learning: false}
)";
  engine().up(desired(lab));
  ASSERT_NE(link("host", "vx0"), nullptr);
  EXPECT_EQ(link("host", "vx0")->mtu, 1500u);
  EXPECT_TRUE(engine().plan(desired(lab)).actions.empty());
  auto learning = edited(lab, "learning: false", "learning: true");
  EXPECT_EQ(lines(engine().plan(desired(learning))).front(),
            "- vxlan vx0 (vni 7 to 192.168.0.2) in host  (learning false -> true)");
}

}  // namespace
}  // namespace netlab
