// MACVLAN links: a lab namespace on a parent link's network. The parent is referred to, never
// changed or deleted unless it is the lab's own; one that is not there, or a kernel without
// macvlan, is refused at plan time, before anything changes.
#include "engine_fixture.h"
#include "parse_test_util.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;
using testing::Lines;
using testing::messages;

const char* kLab = R"(name: mv
namespaces:
  n1: {}
macvlans:
  - name: mv0
    namespace: n1
    parent: eth0
    addresses: [192.168.7.2/24]
)";

TEST(MacvlanSyntax, RefusesWhatTheKernelWouldWithTheirPlace) {
  EXPECT_EQ(messages(edited(kLab, "    parent: eth0\n", "    parent: eth0\n    mode: shared\n")),
            Lines{"t.yaml:8:11: error: macvlan mode must be bridge, private, vepa or passthru, "
                  "not \"shared\""});
  EXPECT_EQ(messages(edited(kLab, "    parent: eth0\n", "")),
            Lines{"t.yaml:5:5: error: missing required key \"parent\""});
  EXPECT_EQ(
      messages(edited(kLab, "    parent: eth0\n", "    parent: eth0\n    bridge: br0\n")).front(),
      "t.yaml:8:13: error: a macvlan cannot be a bridge port: it is its parent's");
  EXPECT_EQ(messages(edited(kLab, "parent: eth0", "parent: an-interface-name-too-long")).size(),
            1u);
}

// `ip link add ... type macvlan mode passthru` beside another macvlan on the parent, either
// way round: EINVAL. Refused with both names before anything changes.
TEST(MacvlanSyntax, APassthruMacvlanIsAloneOnItsParent) {
  std::string two =
      std::string(kLab) + "  - {name: mv1, namespace: n1, parent: eth0, mode: passthru}\n";
  EXPECT_EQ(messages(two),
            Lines{"t.yaml:9:12: error: macvlans \"mv1\" and \"mv0\" (at 5:11) are both on "
                  "\"eth0\", and \"mv1\" is passthru: the kernel puts a passthru macvlan only on a "
                  "parent with no other macvlan (EINVAL)"});
  EXPECT_EQ(messages(edited(edited(two, "mode: passthru", "mode: vepa"), "    parent: eth0\n",
                            "    parent: eth0\n    mode: passthru\n"))
                .size(),
            1u);
  EXPECT_TRUE(messages(edited(two, "mode: passthru", "mode: vepa")).empty());
  EXPECT_TRUE(
      messages(edited(two, "parent: eth0, mode", "parent: eth0, parent_namespace: n1, mode"))
          .empty());
}

class MacvlanTest : public testing::EngineFixture {
 protected:
  // A NIC of the host, which no lab made.
  void nic(const std::string& name, int ifindex) {
    LinkObj l;
    l.ns = "host";
    l.name = name;
    l.ifindex = ifindex;
    ns("host").links.push_back(l);
  }
};

TEST_F(MacvlanTest, MadeOnAHostNicWhichItNeverTouches) {
  nic("eth0", 900);
  EXPECT_EQ(lines(engine().plan(desired(kLab))),
            (std::vector<std::string>{"+ namespace n1  (missing)",
                                      "+ macvlan mv0 (on eth0 in host) in n1  (missing)",
                                      "+ address 192.168.7.2/24 on mv0 in n1  (missing)"}));
  engine().up(desired(kLab));
  ASSERT_NE(link("n1", "mv0"), nullptr);
  EXPECT_EQ(link("n1", "mv0")->lower_ifindex, 900);
  EXPECT_TRUE(engine().plan(desired(kLab)).actions.empty());
  engine().down("mv");
  EXPECT_EQ(ns("host").links.size(), 1u);
  EXPECT_EQ(ns("host").links[0].name, "eth0");
  EXPECT_EQ(ns("host").links[0].alias, "");
  EXPECT_EQ(std::count_if(kernel_.calls.begin(), kernel_.calls.end(),
                          [](const std::string& c) { return c.find("eth0") != std::string::npos; }),
            0);
}

TEST_F(MacvlanTest, AParentThatIsNotThereIsRefusedBeforeAnythingChanges) {
  auto plan = engine().plan(desired(kLab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].str(),
            "macvlan mv0 (on eth0 in host) in n1: its parent eth0 is not in the host; make it, "
            "or change `parent` in the file");
  EXPECT_THROW(engine().up(desired(kLab)), std::exception);
  EXPECT_TRUE(kernel_.calls.empty());
}

TEST_F(MacvlanTest, AKernelWithoutMacvlanIsRefusedNamingTheOption) {
  nic("eth0", 900);
  kernel_.missing_kinds.insert("macvlan");
  auto plan = engine().plan(desired(kLab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_NE(plan.conflicts[0].reason.find("this kernel has no macvlan links (CONFIG_MACVLAN)"),
            std::string::npos)
      << plan.conflicts[0].reason;
  EXPECT_THROW(engine().up(desired(kLab)), std::exception);
  EXPECT_TRUE(kernel_.calls.empty());
}

TEST_F(MacvlanTest, ChangingTheModeRemakesOnlyThatLink) {
  nic("eth0", 900);
  engine().up(desired(kLab));
  auto priv = edited(kLab, "    parent: eth0\n", "    parent: eth0\n    mode: private\n");
  EXPECT_EQ(
      lines(engine().plan(desired(priv))),
      (std::vector<std::string>{"- macvlan mv0 in n1  (mode bridge -> private)",
                                "~ macvlan mv0 (on eth0 in host) in n1  (mode bridge -> private)",
                                "+ address 192.168.7.2/24 on mv0 in n1  (missing)"}));
  engine().up(desired(priv));
  EXPECT_EQ(link("n1", "mv0")->attrs.at("mode"), "private");
  EXPECT_TRUE(engine().plan(desired(priv)).actions.empty());
}

// A lab link as the parent: made first; and when the kernel takes the macvlan with it (the
// parent remade), the plan makes it again.
TEST_F(MacvlanTest, OnALabVethInAnotherNamespace) {
  std::string lab = R"(name: mv
namespaces:
  n1: {}
  n2: {}
veths:
  - {name: up0, namespace: n1, peer: {name: up1, namespace: n2}}
macvlans:
  - {name: mv0, namespace: n2, parent: up0, parent_namespace: n1, mode: vepa}
)";
  auto first = lines(engine().plan(desired(lab)));
  EXPECT_NE(std::find(first.begin(), first.end(), "+ macvlan mv0 (on up0 in n1) in n2  (missing)"),
            first.end())
      << ::testing::PrintToString(first);
  engine().up(desired(lab));
  EXPECT_LT(pos("create_link n1/up0"), pos("create_link n2/mv0"));
  EXPECT_EQ(link("n2", "mv0")->lower_ifindex, link("n1", "up0")->ifindex);
  EXPECT_TRUE(engine().plan(desired(lab)).actions.empty());
  auto renamed = edited(lab, "up1", "up2");
  engine().up(desired(renamed));
  ASSERT_NE(link("n2", "mv0"), nullptr);
  EXPECT_EQ(link("n2", "mv0")->lower_ifindex, link("n1", "up0")->ifindex);
  EXPECT_TRUE(engine().plan(desired(renamed)).actions.empty());
}

// A macvlan is born with its parent's MTU and never has more (EINVAL): one the file does not
// state is its parent's, through the parent's edits, up or down.
TEST_F(MacvlanTest, TakesItsParentsMtuThroughItsEdits) {
  std::string lab = R"(name: mv
namespaces:
  n1: {}
veths:
  - {name: up0, mtu: 1300, peer: {name: up1, namespace: n1}}
macvlans:
  - {name: mv0, namespace: n1, parent: up0}
)";
  engine().up(desired(lab));
  EXPECT_EQ(link("n1", "mv0")->mtu, 1300u);
  EXPECT_TRUE(engine().plan(desired(lab)).actions.empty());
  auto big = edited(lab, "mtu: 1300", "mtu: 9000");
  ASSERT_NO_THROW(engine().up(desired(big)));
  EXPECT_EQ(link("n1", "mv0")->mtu, 9000u);
  EXPECT_TRUE(engine().plan(desired(big)).actions.empty());
  ASSERT_NO_THROW(engine().up(desired(lab)));
  EXPECT_EQ(link("n1", "mv0")->mtu, 1300u);
  auto own = edited(big, "parent: up0}", "parent: up0, mtu: 1400}");
  ASSERT_NO_THROW(engine().up(desired(own)));  // the parent grows first
  EXPECT_EQ(link("n1", "mv0")->mtu, 1400u);
  EXPECT_TRUE(engine().plan(desired(own)).actions.empty());
  auto above = edited(lab, "parent: up0}", "parent: up0, mtu: 1400}");
  auto plan = engine().plan(desired(above));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].reason,
            "mtu 1400 is more than its parent up0's (1300), which the kernel refuses (EINVAL)");
}

// A bridge follows its ports' MTU: down for a moment while a smaller port joins (until its
// own mtu is set again), up only once a smaller port is gone at the end of the run. Its
// macvlan follows it down, never up: its MTU is set once the bridge's is final.
TEST_F(MacvlanTest, OnABridgeWhosePortsChange) {
  std::string lab = R"(name: mv
namespaces:
  n1: {}
bridges:
  br0: {mtu: 1500}
veths:
  - {name: p1, bridge: br0, peer: {name: q1, namespace: n1}}
macvlans:
  - {name: mv0, namespace: n1, parent: br0}
)";
  engine().up(desired(lab));
  auto joins = lab + "  - {name: p2, bridge: br0, mtu: 1400, peer: {name: q2, namespace: n1}}\n";
  joins = edited(joins, "macvlans:\n  - {name: mv0, namespace: n1, parent: br0}\n", "");
  joins += "macvlans:\n  - {name: mv0, namespace: n1, parent: br0}\n";
  ASSERT_NO_THROW(engine().up(desired(joins)));
  EXPECT_EQ(link("n1", "mv0")->mtu, 1500u);
  EXPECT_TRUE(engine().plan(desired(joins)).actions.empty());
  auto follows = edited(joins, "br0: {mtu: 1500}", "br0: {}");
  ASSERT_NO_THROW(engine().up(desired(follows)));
  EXPECT_EQ(link("n1", "mv0")->mtu, 1400u);
  ASSERT_NO_THROW(engine().up(desired(edited(lab, "br0: {mtu: 1500}", "br0: {}"))));
  EXPECT_EQ(link("n1", "mv0")->mtu, 1500u);
  EXPECT_TRUE(engine().plan(desired(edited(lab, "br0: {mtu: 1500}", "br0: {}"))).actions.empty());
}

// A parent under a new name is another link: the macvlan moves to it (the old parent goes
// only at the end of the run, and would take the macvlan with it).
TEST_F(MacvlanTest, FollowsItsParentToANewName) {
  std::string lab = R"(name: mv
namespaces:
  n1: {}
veths:
  - {name: up0, namespace: n1, peer: {name: up1, namespace: n1}}
macvlans:
  - {name: mv0, parent: up1, parent_namespace: n1}
)";
  engine().up(desired(lab));
  auto renamed = edited(edited(lab, "name: up1,", "name: up2,"), "parent: up1", "parent: up2");
  renamed = edited(renamed, "name: up0,", "name: up9,");  // a new pair: the old one goes last
  ASSERT_NO_THROW(engine().up(desired(renamed)));
  ASSERT_NE(link("host", "mv0"), nullptr);
  EXPECT_EQ(link("host", "mv0")->lower_ifindex, link("n1", "up2")->ifindex);
  EXPECT_TRUE(engine().plan(desired(renamed)).actions.empty());
}

// The kernel takes a passthru macvlan only alone on its parent: one the file no longer
// declares, or one it re-makes in another mode, goes before the new one is made.
TEST_F(MacvlanTest, WhatIsInThePassthruMacvlansWayGoesFirst) {
  nic("eth0", 900);
  engine().up(desired(kLab));
  auto alone = edited(kLab, "  - name: mv0\n", "  - name: mv1\n");
  alone = edited(alone, "    parent: eth0\n", "    parent: eth0\n    mode: passthru\n");
  ASSERT_NO_THROW(engine().up(desired(alone)));
  EXPECT_EQ(link("n1", "mv0"), nullptr);
  EXPECT_TRUE(engine().plan(desired(alone)).actions.empty());
  // Back: mv1 leaves passthru for a new mv0 beside it, made first in the file.
  std::string both = std::string(kLab) + "  - {name: mv1, namespace: n1, parent: eth0}\n";
  ASSERT_NO_THROW(engine().up(desired(both)));
  EXPECT_TRUE(engine().plan(desired(both)).actions.empty());
}

// A parent that is no Ethernet link (a tun: EINVAL), or a macvlan (the kernel puts the new
// one on that one's parent, so it would never stand where the file says): refused at plan
// time, before anything changes.
TEST_F(MacvlanTest, AParentThatIsATunOrAMacvlanIsRefusedAtPlanTime) {
  std::string lab = R"(name: mv
taps:
  - {name: tun0, type: tun}
macvlans:
  - {name: mv0, parent: tun0}
)";
  auto plan = engine().plan(desired(lab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].reason,
            "its parent tun0 carries no Ethernet frames, and the kernel puts a macvlan only on a "
            "link that does (EINVAL)");
  nic("eth0", 900);
  std::string stacked = std::string(kLab) + "  - {name: mv1, namespace: n1, parent: mv0, " +
                        "parent_namespace: n1}\n";
  plan = engine().plan(desired(stacked));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].reason,
            "its parent mv0 is a macvlan, and the kernel puts a macvlan on a macvlan's parent: "
            "name eth0 in host as its parent");
  EXPECT_TRUE(kernel_.calls.empty());
}

// The kernel refuses a macvlan on a bridge port, and a bridge port with a macvlan (EBUSY):
// so does the plan, and so does the fake kernel.
TEST_F(MacvlanTest, AParentThatIsABridgePortIsRefusedAtPlanTime) {
  std::string lab = R"(name: mv
namespaces:
  n1: {}
bridges:
  br0: {}
veths:
  - {name: up0, bridge: br0, peer: {name: up1, namespace: n1}}
macvlans:
  - {name: mv0, namespace: n1, parent: up0}
)";
  auto plan = engine().plan(desired(lab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].reason,
            "its parent up0 is a port of bridge br0, and the kernel puts a macvlan only on a link "
            "that is no bridge port (EBUSY)");
  nic("eth0", 900);
  engine().up(desired(kLab));
  LinkObj br;
  br.ns = "host";
  br.name = "br9";
  br.kind = "bridge";
  kernel_.create_link(br, nullptr);
  try {
    kernel_.change_link("host", "eth0", {.master = std::string("br9")});
    ADD_FAILURE() << "a parent with a macvlan joined a bridge";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.errno_value, EBUSY);
  }
}

// Somebody else's macvlan on the NIC: a passthru one of the lab's cannot go beside it, nor can
// any of the lab's go beside somebody else's passthru one (EINVAL from the kernel at apply
// before this was seen at plan time). Refused before anything changes; theirs is untouched.
TEST_F(MacvlanTest, SomebodyElsesMacvlanInAPassthrusWayIsRefusedAtPlanTime) {
  nic("eth0", 900);
  LinkObj theirs;
  theirs.ns = "host";
  theirs.name = "their-mv";
  theirs.kind = "macvlan";
  theirs.attrs["parent"] = "eth0";
  theirs.attrs["mode"] = "bridge";
  kernel_.create_link(theirs, nullptr);
  kernel_.calls.clear();
  std::string passthru =
      edited(kLab, "    parent: eth0\n", "    parent: eth0\n    mode: passthru\n");
  auto plan = engine().plan(desired(passthru));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].str(),
            "macvlan mv0 (on eth0 in host) in n1: its parent eth0 already has macvlan their-mv, "
            "which is not the lab's, and the kernel puts a passthru macvlan only alone on its "
            "parent (EINVAL)");
  EXPECT_THROW(engine().up(desired(passthru)), ConflictError);
  EXPECT_TRUE(kernel_.calls.empty());
  // A bridge-mode one of the lab's beside theirs is fine.
  EXPECT_TRUE(engine().plan(desired(kLab)).conflicts.empty());
}

}  // namespace
}  // namespace netlab
