// Sysctl values the kernel stores in another spelling than the file's: up converges on them
// (its own verify passes) and a plan afterwards has nothing to do.
#include "sandbox.h"

namespace netlab::testing {
namespace {

class SysctlSpelling : public Sandbox {};

TEST_F(SysctlSpelling, UpAndPlanConvergeOnValuesTheKernelRespells) {
  auto lab = write_temp("lab.yaml", R"(name: sy
namespaces:
  n1:
    sysctl:
      net.ipv4.ip_local_reserved_ports: "9000,8081,8080"
      net.ipv4.ip_forward: 01
      net.ipv4.ip_local_port_range: "0x8000\t 61000"
      net.ipv4.tcp_rmem: "4096 0x4000 010"
)");
  auto up = netlab("up " + lab);
  EXPECT_EQ(up.status, 0) << up.out << up.err;
  auto read =
      sh("ip netns exec n1 sysctl -n net.ipv4.ip_local_reserved_ports net.ipv4.ip_forward "
         "net.ipv4.ip_local_port_range net.ipv4.tcp_rmem");
  EXPECT_EQ(read.out, "8080-8081,9000\n1\n32768\t61000\n4096\t16384\t8\n");
  auto plan = netlab("plan " + lab);
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;
  auto again = netlab("up " + lab);
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_EQ(netlab("status sy").status, 0);
  EXPECT_EQ(netlab("down sy").status, 0);
}

// The kernel takes an empty write as no write at all: down must still put back an empty
// value the host had before the lab.
TEST_F(SysctlSpelling, DownRestoresAnEmptyPortList) {
  const std::string key = "net.ipv4.ip_local_reserved_ports";
  ASSERT_EQ(sh("sysctl -n " + key).out, "\n");
  auto lab = write_temp("lab.yaml", "name: sy\nhost:\n  sysctl: {" + key + ": \"8080\"}\n");
  ASSERT_EQ(netlab("up " + lab).status, 0);
  EXPECT_EQ(sh("sysctl -n " + key).out, "8080\n");
  auto down = netlab("down sy");
  EXPECT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_EQ(sh("sysctl -n " + key).out, "\n");
}

// A namespace's setting removed from the file returns to the value it had before the lab.
TEST_F(SysctlSpelling, NamespaceSettingRemovedFromTheFileReturnsToItsFormerValue) {
  auto with = write_temp("lab.yaml", R"(name: sy
namespaces:
  n1:
    sysctl: {net.ipv4.ip_local_reserved_ports: "8080", net.ipv4.conf.all.forwarding: 1}
)");
  auto without = write_temp("lab.yaml", "name: sy\nnamespaces:\n  n1: {}\n");
  const std::string read =
      "ip netns exec n1 sysctl -n net.ipv4.ip_local_reserved_ports net.ipv4.conf.all.forwarding";
  ASSERT_EQ(netlab("up " + without).status, 0);
  const std::string before = sh(read).out;
  ASSERT_EQ(netlab("up " + with).status, 0);
  EXPECT_EQ(sh(read).out, "8080\n1\n");
  auto up = netlab("up " + without);
  EXPECT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(sh(read).out, before);
  EXPECT_EQ(netlab("plan " + without).status, 0);
  EXPECT_EQ(netlab("down sy").status, 0);
  EXPECT_EQ(sh("ls -A /run/netlab 2>/dev/null").out, "");
}

// A host value the admin changed after up is theirs: down leaves it, and says so.
TEST_F(SysctlSpelling, DownLeavesAHostValueTheAdminChanged) {
  ASSERT_EQ(sh("sysctl -qw net.ipv4.conf.all.rp_filter=0").status, 0);
  auto lab =
      write_temp("lab.yaml", "name: rp\nhost:\n  sysctl: {net.ipv4.conf.all.rp_filter: 2}\n");
  ASSERT_EQ(netlab("up " + lab).status, 0);
  ASSERT_EQ(sh("sysctl -qw net.ipv4.conf.all.rp_filter=1").status, 0);
  auto down = netlab("down rp");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_NE(down.out.find("left at 1: changed since the lab set 2; it was 0"), std::string::npos)
      << down.out;
  EXPECT_EQ(sh("sysctl -n net.ipv4.conf.all.rp_filter").out, "1\n");
  EXPECT_EQ(sh("ls -A /run/netlab 2>/dev/null").out, "");
}

}  // namespace
}  // namespace netlab::testing
