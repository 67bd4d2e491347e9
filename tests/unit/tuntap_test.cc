// TUN/TAP links: made persistent through /dev/net/tun in their namespace, for a VM or a
// program to attach to by name. The kernel reports both as kind "tun" with their type.
#include "engine_fixture.h"
#include "parse_test_util.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;
using testing::Lines;
using testing::messages;

const char* kLab = R"(name: tt
namespaces:
  vm: {}
taps:
  - name: tap0
    namespace: vm
    owner: "1000"
    addresses: [10.0.9.1/24]
)";

TEST(TapSyntax, RefusesAnUnknownUserOrTypeWithTheirPlace) {
  EXPECT_EQ(messages(edited(kLab, "owner: \"1000\"", "owner: no-such-user-here")),
            Lines{"t.yaml:7:12: error: no user \"no-such-user-here\" on this machine: a name the "
                  "system knows, or a number"});
  EXPECT_EQ(messages(edited(kLab, "owner: \"1000\"", "group: no-such-group-here")),
            Lines{"t.yaml:7:12: error: no group \"no-such-group-here\" on this machine: a name "
                  "the system knows, or a number"});
  EXPECT_EQ(messages(edited(kLab, "owner: \"1000\"", "type: tan")),
            Lines{"t.yaml:7:11: error: type must be tap or tun, not \"tan\""});
  EXPECT_EQ(messages(edited(kLab, "owner: \"1000\"", "type: tun\n    mac: 02:00:00:00:00:01")),
            Lines{"t.yaml:8:10: error: a tun has no MAC address"});
  EXPECT_TRUE(messages(edited(kLab, "owner: \"1000\"", "owner: root\n    group: root")).empty());
}

using TapTest = testing::EngineFixture;

TEST_F(TapTest, MadeInItsNamespaceThenNothingToDo) {
  EXPECT_EQ(lines(engine().plan(desired(kLab))),
            (std::vector<std::string>{"+ namespace vm  (missing)",
                                      "+ tap tap0 (owner 1000) in vm  (missing)",
                                      "+ address 10.0.9.1/24 on tap0 in vm  (missing)"}));
  engine().up(desired(kLab));
  ASSERT_NE(link("vm", "tap0"), nullptr);
  EXPECT_EQ(link("vm", "tap0")->kind, "tun");
  EXPECT_EQ(link("vm", "tap0")->attrs.at("owner"), "1000");
  EXPECT_TRUE(engine().plan(desired(kLab)).actions.empty());
  engine().down("tt");
  EXPECT_FALSE(kernel_.state.ns.count("vm"));
}

// The root user by name is the uid the kernel reports: nothing to do.
TEST_F(TapTest, AnOwnerByNameIsItsUid) {
  auto lab = edited(kLab, "owner: \"1000\"", "owner: root\n    group: root");
  engine().up(desired(lab));
  auto& attrs = link("vm", "tap0")->attrs;
  attrs["owner"] = "0";  // as the kernel reports it
  attrs["group"] = "0";
  EXPECT_TRUE(engine().plan(desired(lab)).actions.empty());
}

TEST_F(TapTest, ChangingTheOwnerOrTheTypeRemakesIt) {
  engine().up(desired(kLab));
  auto other = edited(kLab, "\"1000\"", "\"1001\"");
  EXPECT_EQ(lines(engine().plan(desired(other))),
            (std::vector<std::string>{"- tap tap0 (owner 1000) in vm  (owner 1000 -> 1001)",
                                      "~ tap tap0 (owner 1001) in vm  (owner 1000 -> 1001)",
                                      "+ address 10.0.9.1/24 on tap0 in vm  (missing)"}));
  engine().up(desired(other));
  EXPECT_EQ(link("vm", "tap0")->attrs.at("owner"), "1001");
  EXPECT_TRUE(engine().plan(desired(other)).actions.empty());
  auto tun = edited(other, "owner:", "type: tun\n    owner:");
  engine().up(desired(tun));
  EXPECT_EQ(link("vm", "tap0")->attrs.at("type"), "tun");
  EXPECT_TRUE(engine().plan(desired(tun)).actions.empty());
}

TEST_F(TapTest, AKernelWithoutTunIsRefusedNamingTheOption) {
  kernel_.missing_kinds.insert("tun");
  auto plan = engine().plan(desired(kLab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_NE(plan.conflicts[0].reason.find("(CONFIG_TUN)"), std::string::npos)
      << plan.conflicts[0].reason;
  EXPECT_THROW(engine().up(desired(kLab)), std::exception);
  EXPECT_TRUE(kernel_.calls.empty());
}

}  // namespace
}  // namespace netlab
