// Port forwards (dnat): which rules a forward becomes, and how a lab made with an older rule
// shape converges. The host's own connections go through OUTPUT: that copy must leave the
// host's loopback services alone, and exists only when the forward is not tied to an
// interface the host's traffic never arrives on.
#include <gtest/gtest.h>

#include "api/engine.h"
#include "fake_kernel.h"
#include "parse/load.h"
#include "temp_dir.h"

namespace netlab {
namespace {

using Lines = std::vector<std::string>;

DesiredState desired(const std::string& nat) {
  std::string yaml = R"(name: fwd
namespaces:
  srv: {routes: [{to: default, via: 10.70.0.1}]}
veths:
  - name: nsrv
    addresses: [10.70.0.1/24]
    peer: {name: eth0, namespace: srv, addresses: [10.70.0.10/24]}
nat:
  - )" + nat + "\n";
  auto r = load_topology_text(yaml, "lab.yaml");
  std::string diags;
  for (const auto& d : r.diagnostics.sorted()) diags += d.str() + "\n";
  if (!r.topology) throw std::runtime_error(diags);
  r.topology->file = "lab.yaml";
  return build_desired(*r.topology);
}

Lines rules(const DesiredState& d) {
  Lines out;
  for (const auto& r : d.nat) out.push_back(r.str());
  return out;
}

const char* kForward = "{type: dnat, protocol: tcp, port: 8080, to: \"10.70.0.10:8000\"}";
const char* kForwardOnNsrv =
    "{type: dnat, in: nsrv, protocol: tcp, port: 8080, to: \"10.70.0.10:8000\"}";

TEST(PortForward, HostCopyLeavesLoopbackDestinationsAlone) {
  EXPECT_EQ(rules(desired(kForward)),
            (Lines{"-A PREROUTING -p tcp --dport 8080 -m addrtype --dst-type LOCAL -j DNAT "
                   "--to-destination 10.70.0.10:8000",
                   "-A OUTPUT ! -d 127.0.0.0/8 -p tcp --dport 8080 -m addrtype --dst-type LOCAL "
                   "-j DNAT --to-destination 10.70.0.10:8000"}));
}

TEST(PortForward, AnInterfaceLimitsItToTrafficArrivingThere) {
  EXPECT_EQ(rules(desired(kForwardOnNsrv)),
            (Lines{"-A PREROUTING -i nsrv -p tcp --dport 8080 -m addrtype --dst-type LOCAL -j "
                   "DNAT --to-destination 10.70.0.10:8000"}));
}

// The host's own connections arrive on no interface, so "every interface but X" takes them.
TEST(PortForward, AnExcludedInterfaceStillTakesTheHostsOwnConnections) {
  EXPECT_EQ(rules(desired("{type: dnat, in: \"!nsrv\", protocol: udp, port: 53, to: "
                          "10.70.0.10}")),
            (Lines{"-A PREROUTING ! -i nsrv -p udp --dport 53 -m addrtype --dst-type LOCAL -j "
                   "DNAT --to-destination 10.70.0.10",
                   "-A OUTPUT ! -d 127.0.0.0/8 -p udp --dport 53 -m addrtype --dst-type LOCAL "
                   "-j DNAT --to-destination 10.70.0.10"}));
}

// A declared destination is what the user chose to forward: both chains match it as given.
TEST(PortForward, ADeclaredDestinationIsMatchedAsGiven) {
  EXPECT_EQ(rules(desired("{type: dnat, destination: 192.0.2.1/32, protocol: tcp, port: 80, "
                          "to: 10.70.0.10}")),
            (Lines{"-A PREROUTING -d 192.0.2.1/32 -p tcp --dport 80 -j DNAT --to-destination "
                   "10.70.0.10",
                   "-A OUTPUT -d 192.0.2.1/32 -p tcp --dport 80 -j DNAT --to-destination "
                   "10.70.0.10"}));
}

TEST(PortForward, NegatedDestinationIsPartOfTheRulesIdentity) {
  auto d = desired(kForward);
  ASSERT_EQ(d.nat.size(), 2u);
  NatRule plain = d.nat[1];
  plain.destination_negated = false;
  EXPECT_FALSE(plain.same_rule(d.nat[1]));
  EXPECT_EQ(plain.str(),
            "-A OUTPUT -d 127.0.0.0/8 -p tcp --dport 8080 -m addrtype --dst-type LOCAL -j DNAT "
            "--to-destination 10.70.0.10:8000");
}

// A lab brought up with the earlier OUTPUT rule (no loopback exclusion, and one even with
// `in:`) converges on the next up: that tagged rule goes, the new shape (if any) comes.
class PortForwardUpgrade : public ::testing::Test {
 protected:
  Engine engine() { return Engine(kernel_, store_); }
  // Replaces the lab's OUTPUT rule in the kernel (or adds one) by the earlier shape.
  void make_it_old(const DesiredState& d) {
    auto& nat = kernel_.state.ns["host"].nat;
    std::erase_if(nat, [](const NatRule& r) { return r.chain == "OUTPUT"; });
    NatRule old = d.nat[0];
    old.chain = "OUTPUT";
    old.in.clear();
    nat.push_back(old);
  }
  Lines nat_calls() const {
    Lines out;
    for (const auto& c : kernel_.calls)
      if (c.find("_nat ") != std::string::npos) out.push_back(c);
    return out;
  }

  testing::TempDir tmp_;
  testing::FakeKernel kernel_;
  RecordStore store_{tmp_.path()};
};

TEST_F(PortForwardUpgrade, OldOutputRuleIsReplaced) {
  auto d = desired(kForward);
  engine().up(d);
  make_it_old(d);
  kernel_.calls.clear();
  engine().up(d);
  // The new rule first: what the lab no longer declares goes last.
  EXPECT_EQ(nat_calls(),
            (Lines{"add_nat host -A OUTPUT ! -d 127.0.0.0/8 -p tcp --dport 8080 -m addrtype "
                   "--dst-type LOCAL -j DNAT --to-destination 10.70.0.10:8000",
                   "delete_nat host -A OUTPUT -p tcp --dport 8080 -m addrtype --dst-type LOCAL -j "
                   "DNAT --to-destination 10.70.0.10:8000"}));
  kernel_.calls.clear();
  EXPECT_TRUE(engine().up(d).plan.actions.empty());
  EXPECT_EQ(kernel_.calls, Lines{});
}

TEST_F(PortForwardUpgrade, OldOutputRuleOfAForwardWithAnInterfaceIsRemoved) {
  auto d = desired(kForwardOnNsrv);
  engine().up(d);
  make_it_old(d);
  kernel_.calls.clear();
  engine().up(d);
  EXPECT_EQ(nat_calls(),
            (Lines{"delete_nat host -A OUTPUT -p tcp --dport 8080 -m addrtype --dst-type LOCAL -j "
                   "DNAT --to-destination 10.70.0.10:8000"}));
}

}  // namespace
}  // namespace netlab
