// Clashes: what the lab does not own is never changed or deleted. An `up` that would need to
// is refused, naming the object, with exit 1 and nothing changed; `down` of one lab leaves
// every other lab whole.
#include "robustness_util.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

class Clash : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    star_.count = 4;
    file_ = star_.write();
  }

  // Makes the foreign object with `setup`, then expects `up` to refuse naming `what`.
  void expect_refused(const std::string& setup, const std::string& what) {
    auto made = sh(setup);
    ASSERT_EQ(made.status, 0) << made.err;
    std::string before = dump_state();
    auto up = netlab("up " + file_);
    EXPECT_EQ(up.status, 1) << up.out << up.err;
    EXPECT_NE(up.err.find(what), std::string::npos) << "the error must name " << what << "\n"
                                                    << up.err;
    EXPECT_EQ(dump_state(), before);
    EXPECT_EQ(sh("ls /run/netlab/*.json /run/netlab/*.journal 2>/dev/null").out, "");
    // `down` of the lab must not take the foreign object either.
    auto down = netlab("down " + star_.name);
    EXPECT_EQ(down.status, 0) << down.err;
    EXPECT_EQ(dump_state(), before);
  }

  Star star_;
  std::string file_;
};

TEST_F(Clash, ForeignNamespaceIsRefusedAndKept) {
  expect_refused("ip netns add s2 && ip -n s2 link add keep0 type veth peer name keep1",
                 "namespace s2");
}

TEST_F(Clash, ForeignLinkIsRefusedAndKept) {
  expect_refused("ip link add sv1 type veth peer name other1 && ip addr add 192.0.2.1/24 dev sv1",
                 "sv1");
}

TEST_F(Clash, ForeignBridgeIsRefusedAndKept) {
  expect_refused("ip link add sbr type bridge && ip link set sbr up", "sbr");
}

// A NAT rule identical to the lab's but not made by it (no netlab tag) is someone else's: it
// never stops being there, through the lab's up and down. (Rules have no name to clash on:
// the lab adds its own tagged rule beside it, so nothing of the other one is touched.)
TEST_F(Clash, ForeignNatRuleIsNeverTouched) {
  const std::string rule = "-A POSTROUTING -s 10.77.0.0/16 -j MASQUERADE";
  ASSERT_EQ(sh("iptables-legacy -t nat " + rule).status, 0);
  std::string before = dump_state();
  auto up = netlab("up " + file_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto save = sh("iptables-legacy-save -t nat").out;
  EXPECT_NE(save.find(rule + "\n"), std::string::npos) << save;
  EXPECT_NE(save.find("netlab:" + star_.name), std::string::npos) << save;
  auto down = netlab("down " + star_.name);
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(dump_state(), before);
  EXPECT_NE(sh("iptables-legacy-save -t nat").out.find(rule + "\n"), std::string::npos);
}

Star lab(const std::string& name, const std::string& prefix, int octet, std::string sysctl) {
  Star s;
  s.name = name;
  s.prefix = prefix;
  s.octet = octet;
  s.count = 3;
  s.host_sysctls = {std::move(sysctl)};
  return s;
}

TEST_F(Clash, DownOfOneLabLeavesTheOtherWhole) {
  auto a = lab("lab-a", "a", 61, "net.ipv4.ip_default_ttl: 33");
  auto b = lab("lab-b", "b", 62, "net.ipv4.icmp_echo_ignore_all: 1");
  auto fa = a.write(), fb = b.write();
  std::string before = dump_state();
  std::string ttl = host_sysctl("net.ipv4.ip_default_ttl");
  ASSERT_EQ(netlab("up " + fb).status, 0);
  std::string only_b = dump_state();
  ASSERT_EQ(netlab("up " + fa).status, 0);
  EXPECT_EQ(host_sysctl("net.ipv4.ip_default_ttl"), "33");
  auto down = netlab("down lab-a");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(dump_state(), only_b);
  EXPECT_EQ(host_sysctl("net.ipv4.ip_default_ttl"), ttl);
  EXPECT_EQ(host_sysctl("net.ipv4.icmp_echo_ignore_all"), "1");
  auto plan = netlab("plan " + fb);
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;
  ASSERT_EQ(netlab("down lab-b").status, 0);
  EXPECT_EQ(dump_state(), before);
}

// A second lab that declares the first one's bridge is refused; the first stays whole.
TEST_F(Clash, SecondLabWithTheFirstsBridgeIsRefused) {
  auto a = lab("lab-a", "a", 61, "net.ipv4.ip_forward: 1");
  auto b = lab("lab-b", "b", 62, "net.ipv4.ip_forward: 1");
  auto fa = a.write();
  b.prefix = "b";
  auto yb = b.yaml();
  // Lab b's bridge is lab a's.
  for (size_t p; (p = yb.find("bbr")) != std::string::npos;) yb.replace(p, 3, "abr");
  auto fb = write_temp("lab-b.yaml", yb);
  ASSERT_EQ(netlab("up " + fa).status, 0);
  std::string with_a = dump_state();
  auto up = netlab("up " + fb);
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_NE(up.err.find("abr"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("lab-a"), std::string::npos) << "say whose it is\n" << up.err;
  EXPECT_EQ(dump_state(), with_a);
  EXPECT_EQ(netlab("plan " + fa).status, 0);
  auto down = netlab("down lab-b");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(dump_state(), with_a);
}

TEST_F(Clash, TwoLabsUpAndDownAtOnceEndUpWhole) {
  auto a = lab("lab-a", "a", 61, "net.ipv4.ip_default_ttl: 33");
  auto b = lab("lab-b", "b", 62, "net.ipv4.icmp_echo_ignore_all: 1");
  a.count = b.count = 40;
  auto fa = a.write(), fb = b.write();
  std::string before = dump_state();
  {
    Running ua({"up", fa}), ub({"up", fb});
    auto oa = ua.wait(), ob = ub.wait();
    EXPECT_EQ(oa.status, 0) << oa.err;
    EXPECT_EQ(ob.status, 0) << ob.err;
  }
  auto pa = netlab("plan " + fa), pb = netlab("plan " + fb);
  EXPECT_EQ(pa.status, 0) << pa.out << pa.err;
  EXPECT_EQ(pb.status, 0) << pb.out << pb.err;
  {
    Running da({"down", "lab-a"}), db({"down", "lab-b"});
    auto oa = da.wait(), ob = db.wait();
    EXPECT_EQ(oa.status, 0) << oa.err;
    EXPECT_EQ(ob.status, 0) << ob.err;
  }
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(netlab_run_files(), "");
}

}  // namespace
}  // namespace netlab::testing
