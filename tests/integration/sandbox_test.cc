#include "sandbox.h"

namespace netlab::testing {
namespace {

class SandboxSelfTest : public Sandbox {};

// The sandbox must be a fresh network: only a loopback, no routes, an empty /run/netns.
TEST_F(SandboxSelfTest, StartsEmptyAndIsolated) {
  auto links = sh("ip -o link show");
  EXPECT_EQ(links.status, 0);
  EXPECT_NE(links.out.find("lo:"), std::string::npos);
  EXPECT_EQ(links.out.find("eth"), std::string::npos) << links.out;
  EXPECT_EQ(sh("ls /run/netns").out, "");
  EXPECT_EQ(sh("ip netns add probe && ip netns list").out.substr(0, 5), "probe");
}

}  // namespace
}  // namespace netlab::testing
