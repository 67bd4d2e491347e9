// LabGuard brings down only what its own up made: when up is refused (a conflict, the lab's
// lock held by another process), a lab of that name that somebody else brought up stays.
#include "netlab.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

class GuardTest : public Sandbox {};

TEST_F(GuardTest, ARefusedUpLeavesSomebodyElsesLabAlone) {
  Output up = netlab("up " + source_path("topologies/default.yaml"));
  ASSERT_EQ(up.status, 0) << up.err;
  ASSERT_EQ(sh("ip link add clash type bridge").status, 0);
  auto mine = netlab::load_text("name: default\nbridges: {clash: {}}\n", "mine.yaml");
  EXPECT_THROW(LabGuard guard(mine), ConflictError);
  EXPECT_EQ(sh("ip netns list | grep -c netns").out, "2\n");
  Output status = netlab("status default");
  EXPECT_EQ(status.status, 0) << status.out << status.err;
}

}  // namespace
}  // namespace netlab::testing
