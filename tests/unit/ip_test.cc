#include "model/ip.h"

#include <gtest/gtest.h>

using netlab::Cidr;
using netlab::IpAddr;

TEST(Cidr, NetworkMasksHostBits) {
  EXPECT_EQ(Cidr::parse("172.18.0.10/12")->network().str(), "172.16.0.0/12");
  EXPECT_EQ(Cidr::parse("10.0.0.1/16")->network().str(), "10.0.0.0/16");
  EXPECT_EQ(Cidr::parse("2001:db8::1/64")->network().str(), "2001:db8::/64");
  EXPECT_EQ(Cidr::parse("1.2.3.4/0")->network().str(), "0.0.0.0/0");
}

TEST(Cidr, RejectsMalformed) {
  for (const char* bad : {"172.18.0.10", "172.18.0.10/33", "300.1.1.1/8", "1.2.3.4/", "1.2.3.4/-1",
                          "1.2.3.4/8x", "::1/129", "abc/8", "/8", "1.2.3/8"})
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

TEST(Cidr, ContainsAndOverlaps) {
  auto net = *Cidr::parse("172.16.0.0/12");
  EXPECT_TRUE(net.contains(*IpAddr::parse("172.18.0.1")));
  EXPECT_FALSE(net.contains(*IpAddr::parse("172.32.0.1")));
  EXPECT_FALSE(net.contains(*IpAddr::parse("::1")));
  EXPECT_TRUE(Cidr::parse("10.0.0.1/16")->overlaps(*Cidr::parse("10.0.5.1/24")));
  EXPECT_FALSE(Cidr::parse("10.0.0.1/24")->overlaps(*Cidr::parse("10.0.5.1/24")));
}

TEST(Mac, ParsesSixHexPairs) {
  EXPECT_EQ(netlab::format_mac(*netlab::parse_mac("02:00:00:AB:cd:01")), "02:00:00:ab:cd:01");
  EXPECT_FALSE(netlab::parse_mac("02:00:00:00:00"));
  EXPECT_FALSE(netlab::parse_mac("02-00-00-00-00-01"));
  EXPECT_FALSE(netlab::parse_mac("0g:00:00:00:00:01"));
}
