// A link copies its namespace's conf.default settings when it is made, so a `default` sysctl
// of the file is set before the lab makes any link in that namespace (either end of a veth);
// other sysctls keep their place after the links.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/engine.h"
#include "fake_kernel.h"
#include "parse/load.h"
#include "temp_dir.h"

namespace netlab {
namespace {

const char* kLab = R"(name: dflt
namespaces:
  a:
    sysctl: {net.ipv6.conf.default.accept_dad: 1, net.ipv6.conf.all.forwarding: 1}
  b: {}
veths:
  - name: x
    namespace: b
    peer: {name: y, namespace: a}
  - name: h
    peer: {name: z, namespace: a}
)";

class SysctlDefaultOrder : public ::testing::Test {
 protected:
  std::ptrdiff_t pos(const std::string& call) const {
    const auto& c = kernel_.calls;
    auto it = std::find(c.begin(), c.end(), call);
    EXPECT_NE(it, c.end()) << call;
    return it - c.begin();
  }

  testing::TempDir tmp_;
  testing::FakeKernel kernel_;
  RecordStore store_{tmp_.path()};
};

TEST_F(SysctlDefaultOrder, DefaultComesBeforeTheNamespacesLinks) {
  auto r = load_topology_text(kLab, "lab.yaml");
  ASSERT_TRUE(r.topology);
  r.topology->file = "lab.yaml";
  Engine(kernel_, store_).up(build_desired(*r.topology));
  auto dflt = pos("set_sysctl a/net.ipv6.conf.default.accept_dad=1");
  EXPECT_LT(dflt, pos("create_link b/x"));  // its peer y is made in a
  EXPECT_LT(dflt, pos("create_link host/h"));
  EXPECT_GT(pos("set_sysctl a/net.ipv6.conf.all.forwarding=1"), pos("create_link host/h"));
}

}  // namespace
}  // namespace netlab
