// The fake kernel's own rules, where a random case once found it kinder than the kernel.
#include <gtest/gtest.h>

#include "fake_kernel.h"

namespace netlab::testing {
namespace {

LinkObj link(const std::string& ns, const std::string& name, const std::string& kind) {
  LinkObj l;
  l.ns = ns;
  l.name = name;
  l.kind = kind;
  return l;
}

// NETLAB_RANDOM_SEED=2849476459854045: a bridge's MTU set by hand, its namespace deleted, the
// bridge made again there. The kernel's new bridge follows its ports; the fake remembered the
// old one's MTU as set.
TEST(FakeKernel, ABridgeMadeAgainInANewNamespaceFollowsItsPorts) {
  FakeKernel k;
  k.create_namespace("n1");
  k.create_link(link("n1", "br0", "bridge"), nullptr);
  k.user_set_mtu("n1", "br0", 1450);
  k.delete_namespace("n1");
  k.create_namespace("n1");
  k.create_link(link("n1", "br0", "bridge"), nullptr);
  LinkObj port = link("n1", "p0", "veth");
  port.mtu = 1300;
  LinkObj peer = link("n1", "p1", "veth");
  k.create_link(port, &peer);
  k.change_link("n1", "p0", {.master = std::string("br0")});
  EXPECT_EQ(k.state.ns.at("n1").link("br0")->mtu, 1300u);
}

}  // namespace
}  // namespace netlab::testing
