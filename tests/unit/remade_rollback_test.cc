// A failed `up` that had remade a link (its kind, its peer or its IPv6 link-local changed)
// leaves the lab as it was: the old link comes back as it was read, with its peer, addresses,
// bridge ports and the routes the kernel flushed with it, and the record names it again.
#include "engine_fixture.h"
#include "live_lines.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;
using testing::live_lines;

// A veth with addresses of both families, a MAC and an MTU, and routes through it on both
// sides; the edit moves its peer to n2, which remakes the pair.
const char* kVeth = R"(name: rr
host:
  routes: [{to: 10.60.0.0/24, via: 10.81.0.2}]
namespaces:
  n1:
    routes: [{to: 10.50.0.0/24, via: 10.81.0.1}, {to: "fd00:50::/64", via: "fd00:81::1"}]
  n2: {}
veths:
  - name: f1
    mtu: 1400
    mac: 02:00:00:00:00:01
    addresses: [10.81.0.1/24, 10.81.0.9/24, 10.82.0.1/24, "fd00:81::1/64", "fd00:81::9/64"]
    peer: {name: eth0, namespace: n1, addresses: [10.81.0.2/24, "fd00:81::2/64"]}
)";

// The same, with the peer and n1's routes moved to n2.
const std::string kVethMoved =
    edited(edited(edited(kVeth, "  n2: {}\n", ""), "  n1:\n", "  n1: {}\n  n2:\n"),
           "namespace: n1, addresses", "namespace: n2, addresses");

// A bridge with ports, one of them smaller than the bridge's own MTU; turning its IPv6
// link-local on remakes it.
const char* kBridge = R"(name: rb
namespaces:
  n1:
    routes: [{to: 10.50.0.0/24, via: 10.90.0.1}]
  n2: {}
bridges:
  br0: {addresses: [10.90.0.1/24, 10.91.0.1/24], mtu: 1450, ipv6_link_local: false}
veths:
  - {name: p1, bridge: br0, mtu: 1400, peer: {name: eth0, namespace: n1, addresses: [10.90.0.2/24]}}
  - {name: p2, bridge: br0, peer: {name: eth0, namespace: n2, addresses: [10.90.0.3/24]}}
host:
  routes: [{to: 10.70.0.0/24, via: 10.90.0.2}]
)";

class RemadeRollbackTest : public testing::EngineFixture {
 protected:
  // Up `lab`, then a failed up of `edit` (failing at `call`): the error it gave.
  std::string fail_edit(const std::string& lab, const std::string& edit, const std::string& call) {
    engine().up(desired(lab));
    before_ = kernel_.state;
    kernel_.fail_on = call;
    kernel_.fail_once = true;  // the rollback makes the same call to put the old link back
    kernel_.fail_errno = EINVAL;
    std::string error = failed_up(edit);
    kernel_.fail_on.clear();
    return error;
  }

  // The error of an up of `yaml` that fails and is rolled back whole.
  std::string failed_up(const std::string& yaml) {
    try {
      engine().up(desired(yaml));
      ADD_FAILURE() << "no failure";
    } catch (const ApplyError& e) {
      EXPECT_TRUE(e.rollback_failures.empty()) << e.what() << "\n"
                                               << ::testing::PrintToString(e.rollback_failures);
      return e.what();
    }
    return "";
  }

  // The kernel is as it was before the failed run, and the lab's file plans nothing.
  void expect_as_before(const std::string& lab) {
    EXPECT_EQ(live_lines(before_), live_lines(kernel_.state));
    for (const auto& [name, n] : before_.ns)
      for (const auto& l : n.links) {
        const LinkObj* now = kernel_.state.ns.at(name).link(l.name);
        ASSERT_TRUE(now) << name << "/" << l.name;
        EXPECT_EQ(now->ipv6_link_local, l.ipv6_link_local) << name << "/" << l.name;
      }
    Plan p = engine().plan(desired(lab));
    EXPECT_TRUE(p.empty()) << ::testing::PrintToString(lines(p, true));
  }

  LiveState before_;
};

TEST_F(RemadeRollbackTest, AVethRemadeForItsPeerComesBackWithAddressesAndRoutes) {
  std::string error = fail_edit(kVeth, kVethMoved, "add_address n2/eth0/10.81.0.2/24");
  EXPECT_NE(error.find("rolled back"), std::string::npos) << error;
  EXPECT_EQ(error.find("stand"), std::string::npos) << error;
  expect_as_before(kVeth);
  Record r = store_.load("rr");
  ASSERT_TRUE(r.links.count({"host", "f1"}));
  EXPECT_EQ(r.links.at({"host", "f1"}).peer_ns, "n1");
  EXPECT_TRUE(r.links.count({"n1", "eth0"}));
  EXPECT_FALSE(r.links.count({"n2", "eth0"}));
}

// An address the edit drops goes first, then its link is remade: put back with the link, the
// address is there when the rollback comes to its own delete.
TEST_F(RemadeRollbackTest, AnAddressDroppedFromALinkRemadeComesBackOnce) {
  std::string edit = edited(kVethMoved, " 10.82.0.1/24,", "");
  fail_edit(kVeth, edit, "add_address n2/eth0/10.81.0.2/24");
  expect_as_before(kVeth);
}

// The new pair's own creation fails: nothing of it to take back, the old one comes back.
TEST_F(RemadeRollbackTest, AVethWhoseRemakeFailsComesBack) {
  std::string error = fail_edit(kVeth, kVethMoved, "create_link host/f1");
  EXPECT_EQ(error.find("stand"), std::string::npos) << error;
  expect_as_before(kVeth);
}

// The delete of the old pair is refused: nothing to put back, nothing said to stand.
TEST_F(RemadeRollbackTest, AVethWhoseDeleteFailsIsLeftAsItWas) {
  engine().up(desired(kVeth));
  before_ = kernel_.state;
  kernel_.fail_on = "delete_link host/f1";
  kernel_.fail_errno = EBUSY;
  std::string error = failed_up(kVethMoved);
  EXPECT_EQ(error.find("stand"), std::string::npos) << error;
  kernel_.fail_on.clear();
  expect_as_before(kVeth);
}

// The run got as far as deleting the namespace of the old pair's other end (no longer
// declared) before it failed: the pair went with it for good, and the error says so.
TEST_F(RemadeRollbackTest, AVethWhosePeersNamespaceWentStandsDeleted) {
  engine().up(desired(kVeth));
  std::string edit = edited(kVethMoved, "  n1: {}\n", "");
  kernel_.ignore_on = "add_address host/f1/10.81.0.9/24";  // found missing at the end
  std::string error = failed_up(edit);
  EXPECT_NE(error.find("deletion(s) stand"), std::string::npos) << error;
  EXPECT_FALSE(kernel_.state.ns.count("n1"));
  EXPECT_FALSE(link("host", "f1"));
}

// One end renamed: the other, remade, takes the host's route through the pair with it; that
// route, added again at the end of the run, fails. Its undo waits for the pair to be back.
TEST_F(RemadeRollbackTest, ARouteThroughAPairPutBackComesBackAfterIt) {
  const char* lab = R"(name: rn
host:
  routes: [{to: 172.16.2.0/24, via: 10.0.0.2}]
namespaces:
  n1: {}
veths:
  - {name: va0, addresses: [10.0.0.1/24], peer: {name: vb0, namespace: n1, addresses: [10.0.0.2/24]}}
)";
  std::string error =
      fail_edit(lab, edited(lab, "name: va0,", "name: va0x,"), "replace_route host/172.16.2.0/24");
  EXPECT_EQ(error.find("stand"), std::string::npos) << error;
  expect_as_before(lab);
}

// The kernel lets a bridge's ports go with it: the new one takes them.
TEST_F(RemadeRollbackTest, ABridgeRemadeKeepsItsPorts) {
  engine().up(desired(kBridge));
  std::string edit = edited(kBridge, "ipv6_link_local: false", "ipv6_link_local: true");
  engine().up(desired(edit));
  EXPECT_EQ(link("host", "p1")->master, "br0");
  EXPECT_EQ(link("host", "p2")->master, "br0");
  Plan p = engine().plan(desired(edit));
  EXPECT_TRUE(p.empty()) << ::testing::PrintToString(lines(p, true));
}

TEST_F(RemadeRollbackTest, ABridgeRemadeComesBackWithItsPorts) {
  std::string edit = edited(kBridge, "ipv6_link_local: false", "ipv6_link_local: true");
  ASSERT_NE(lines(engine().plan(desired(edit))).size(), 0u);
  std::string error = fail_edit(kBridge, edit, "add_address host/br0/10.91.0.1/24");
  EXPECT_EQ(error.find("stand"), std::string::npos) << error;
  EXPECT_EQ(link("host", "p1")->master, "br0");
  EXPECT_EQ(link("host", "p2")->master, "br0");
  expect_as_before(kBridge);
  EXPECT_TRUE(store_.load("rb").links.count({"host", "br0"}));
}

}  // namespace
}  // namespace netlab
