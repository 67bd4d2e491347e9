// Sysctl values compared as the kernel stores them: the spellings below were each written to
// the kernel (in a sandbox) and read back.
#include <gtest/gtest.h>

#include "state/sysctl_value.h"

namespace netlab {
namespace {

const std::string kForward = "net.ipv4.ip_forward";
const std::string kReserved = "net.ipv4.ip_local_reserved_ports";

TEST(SysctlValue, IntegersAreParsedAsTheKernelDoesWithBaseZero) {
  EXPECT_TRUE(same_sysctl_value(kForward, "01", "1"));
  EXPECT_TRUE(same_sysctl_value(kForward, "0x1", "1"));
  EXPECT_TRUE(same_sysctl_value("net.ipv4.conf.all.rp_filter", "010", "8"));
  EXPECT_TRUE(same_sysctl_value(kForward, "-0", "0"));
  EXPECT_TRUE(same_sysctl_value(kForward, " 1 ", "1"));
  EXPECT_FALSE(same_sysctl_value(kForward, "010", "10"));
  EXPECT_FALSE(same_sysctl_value(kForward, "1", "0"));
}

TEST(SysctlValue, VectorsAreComparedNumberByNumberWhateverTheBlanks) {
  EXPECT_TRUE(same_sysctl_value("net.ipv4.ip_local_port_range", "0x8000 \t 61000", "32768\t61000"));
  EXPECT_TRUE(same_sysctl_value("net.ipv4.tcp_rmem", "4096 0x4000 010", "4096\t16384\t8"));
  EXPECT_FALSE(same_sysctl_value("net.ipv4.tcp_rmem", "4096 16384", "4096\t16384\t8"));
  EXPECT_FALSE(same_sysctl_value("net.ipv4.ping_group_range", "1 0", "0\t1"));
}

TEST(SysctlValue, PortListsAreSetsOfRanges) {
  EXPECT_TRUE(same_sysctl_value(kReserved, "8080,8081,9000", "8080-8081,9000"));
  EXPECT_TRUE(same_sysctl_value(kReserved, "9000,8080", "8080,9000"));
  EXPECT_TRUE(same_sysctl_value(kReserved, "8080-8085,8081", "8080-8085"));
  EXPECT_TRUE(same_sysctl_value(kReserved, "0x10,010", "8,16"));
  EXPECT_TRUE(same_sysctl_value(kReserved, "", ""));
  EXPECT_FALSE(same_sysctl_value(kReserved, "8080,8082", "8080-8082"));
  EXPECT_FALSE(same_sysctl_value(kReserved, "", "0"));
}

TEST(SysctlValue, OtherStringsAreComparedWordByWord) {
  EXPECT_TRUE(same_sysctl_value("net.ipv4.tcp_congestion_control", "reno", "reno"));
  EXPECT_TRUE(
      same_sysctl_value("net.ipv4.tcp_allowed_congestion_control", "reno  cubic", "reno cubic"));
  EXPECT_FALSE(same_sysctl_value("net.ipv4.tcp_congestion_control", "reno", "cubic"));
  // Not a number to the kernel (it refuses "+1" and "08"): compared as written.
  EXPECT_FALSE(same_sysctl_value(kForward, "+1", "1"));
  EXPECT_FALSE(same_sysctl_value(kForward, "08", "8"));
}

TEST(SysctlValue, KernelSpellingIsWhatTheKernelPrints) {
  EXPECT_EQ(sysctl_kernel_spelling(kReserved, "9000,8081,8080"), "8080-8081,9000");
  EXPECT_EQ(sysctl_kernel_spelling("net.ipv4.tcp_rmem", "4096 0x4000 010"), "4096\t16384\t8");
  EXPECT_EQ(sysctl_kernel_spelling(kForward, "01"), "1");
  EXPECT_EQ(sysctl_kernel_spelling("net.ipv4.tcp_congestion_control", " reno "), "reno");
}

}  // namespace
}  // namespace netlab
