// Ownership is proved by the live object, never by a name in the record: a link by its tag, a
// namespace by the identity it had when the lab made it, a host route by netlab's protocol and
// the record. What cannot prove it is a conflict (up) or left alone and said (down).
#include <filesystem>

#include "engine_fixture.h"

namespace netlab {
namespace {

using testing::desired;
using testing::lines;

const char* kLab = R"(name: own
namespaces:
  n1: {}
  n2: {}
veths:
  - {name: v1, addresses: [10.1.0.1/24], peer: {name: eth0, namespace: n1, addresses: [10.1.0.2/24]}}
  - {name: v2, addresses: [10.2.0.1/24], peer: {name: eth0, namespace: n2, addresses: [10.2.0.2/24]}}
)";

class OwnershipTest : public testing::EngineFixture {
 protected:
  // What somebody else does by hand: removes a link (and its veth peer) ...
  void delete_by_hand(const std::string& n, const std::string& name) {
    kernel_.delete_link(n, name);
  }
  // ... and makes their own under the same name, untagged.
  void make_foreign_link(const std::string& n, const std::string& name) {
    kernel_.user_add_veth(n, name, "theirs");
    kernel_.add_address({n, name, *Cidr::parse("10.123.0.1/24")});
  }
  void remake_namespace_by_hand(const std::string& name) {
    kernel_.delete_namespace(name);
    make_foreign_namespace(name);
  }
  void make_foreign_namespace(const std::string& name) {
    kernel_.create_namespace(name);
    LinkObj keep;
    keep.ns = name;
    keep.name = "keepme";
    keep.kind = "bridge";
    kernel_.create_link(keep, nullptr);
  }
};

// repro 02: a foreign link that took a deleted lab link's name is refused, not deleted.
TEST_F(OwnershipTest, AForeignLinkReusingALabLinksNameIsAConflict) {
  engine().up(desired(kLab));
  delete_by_hand("host", "v1");
  make_foreign_link("host", "v1");
  try {
    engine().up(desired(kLab));
    ADD_FAILURE() << "no conflict";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.conflicts.at(0).str(),
              "link v1 in host: exists and was not made by lab own (it has no netlab tag); "
              "rename the interface in the file");
  }
  engine().down("own");
  ASSERT_NE(link("host", "v1"), nullptr);
  EXPECT_EQ(ns("host").addrs.size(), 1u);  // its address too
}

// repro 02: a namespace deleted and made again by somebody else under a lab namespace's name is
// not the lab's: up refuses it, down leaves it (with what is in it) and says so.
TEST_F(OwnershipTest, ANamespaceMadeAgainBySomebodyElseIsLeftAlone) {
  engine().up(desired(kLab));
  remake_namespace_by_hand("n2");
  auto plan = engine().plan(desired(kLab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].object, "namespace n2");
  auto out = engine().down("own");
  ASSERT_EQ(out.plan.left.size(), 1u);
  EXPECT_EQ(out.plan.left[0].object, "namespace n2");
  ASSERT_TRUE(kernel_.state.ns.count("n2"));
  EXPECT_NE(link("n2", "keepme"), nullptr);
  EXPECT_FALSE(kernel_.state.ns.count("n1"));
  EXPECT_TRUE(store_.load("own").empty());
}

// A namespace whose identity never reached the record (a run killed right after making it) is
// the lab's only while it is as the lab made it: empty.
TEST_F(OwnershipTest, ANamespaceRecordedWithoutItsIdentityMustBeEmpty) {
  {
    Record rec = store_.load("own");
    auto journal = store_.journal(rec);
    journal.own(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "n1"});
    journal.own(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "n2"});
  }
  kernel_.create_namespace("n1");  // what the killed run made
  make_foreign_namespace("n2");    // somebody else's, with a link in it
  engine().down("own");
  EXPECT_FALSE(kernel_.state.ns.count("n1"));
  EXPECT_TRUE(kernel_.state.ns.count("n2"));
}

// repro 11: two labs cannot share a host route: the second is refused before anything changes,
// and the first lab's down leaves nothing of the second.
TEST_F(OwnershipTest, AHostRouteOfAnotherLabIsAConflict) {
  const char* rx = "name: rx\nhost:\n  routes: [{to: 198.51.100.0/24, dev: lo}]\n";
  const char* ry = "name: ry\nhost:\n  routes: [{to: 198.51.100.0/24, dev: lo}]\n";
  LinkObj lo;
  lo.ns = kHost;
  lo.name = "lo";
  lo.kind = "loopback";
  lo.up = true;
  ns("host").links.push_back(lo);
  engine().up(desired(rx));
  kernel_.calls.clear();
  try {
    engine().up(desired(ry));
    ADD_FAILURE() << "no conflict";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.conflicts.at(0).str(),
              "route 198.51.100.0/24 dev lo in host: is the same route, added by another netlab "
              "lab (see `netlab list`), not by lab ry; change its metric in the file to add "
              "another");
  }
  EXPECT_TRUE(kernel_.calls.empty());
  EXPECT_TRUE(store_.load("ry").empty());
}

// A route somebody else added in the host, identical or in the way, is never taken over.
TEST_F(OwnershipTest, AHostRouteAddedByHandIsAConflict) {
  const char* lab = "name: hr\nhost:\n  routes: [{to: 198.51.100.0/24, via: 10.1.0.2}]\n";
  RouteObj theirs{kHost, *Cidr::parse("198.51.100.0/24"), IpAddr::parse("10.1.0.9"), "eth0", 0, 3};
  ns("host").routes.push_back(theirs);
  auto plan = engine().plan(desired(lab));
  ASSERT_EQ(plan.conflicts.size(), 1u);
  EXPECT_EQ(plan.conflicts[0].str(),
            "route 198.51.100.0/24 via 10.1.0.9 dev eth0 in host: is in the way of route "
            "198.51.100.0/24 via 10.1.0.2, not added by lab hr; change its metric in the file "
            "to add another");
}

// A veth end made by a run killed before it could tag it: the lab's group and the record
// prove it the lab's; the same name without the group does not.
TEST_F(OwnershipTest, AnUntaggedLinkIsTheLabsByItsGroupAndRecord) {
  auto d = desired(kLab);
  engine().up(d);
  link("host", "v1")->alias.clear();
  EXPECT_EQ(lines(engine().plan(d)),
            std::vector<std::string>{"~ veth v1 (peer eth0 in n1) in host  (tag)"});
  link("host", "v1")->group = 0;
  EXPECT_EQ(engine().plan(d).conflicts.size(), 1u);
}

// repro 10: a lab whose record is lost is still recognised by its tags: its links, its NAT
// rules in the host, and the host settings that name it as a holder.
TEST_F(OwnershipTest, DownWithoutARecordRemovesWhatIsTaggedAndGivesBackHostSettings) {
  std::string lab = std::string(kLab) +
                    "nat:\n  - {type: masquerade, source: 10.1.0.0/24}\n"
                    "host:\n  sysctl: {net.ipv4.ip_forward: 1}\n";
  ns("host").sysctl["net.ipv4.ip_forward"] = "0";
  engine().up(desired(lab));
  std::filesystem::remove(dir_ + "/own.json");
  std::filesystem::remove(dir_ + "/own.journal");
  engine().down("own");
  EXPECT_TRUE(ns("host").links.empty());
  EXPECT_TRUE(ns("host").nat.empty());
  EXPECT_EQ(ns("host").sysctl["net.ipv4.ip_forward"], "0");
}

// A host route of the lab that went (by hand, or with its device) and was then added by
// another lab is that lab's: protocol 151 is every lab's, the gateway in the record is not.
TEST_F(OwnershipTest, AHostRouteAnotherLabAddedInPlaceOfOursIsLeftAlone) {
  const char* a = "name: la\nhost:\n  routes: [{to: 10.99.0.0/24, via: 10.1.0.2}]\n";
  const char* b = "name: lb\nhost:\n  routes: [{to: 10.99.0.0/24, via: 10.1.0.3}]\n";
  kernel_.user_add_veth(kHost, "eth9", "eth9p");
  kernel_.change_link(kHost, "eth9", {.up = true});
  kernel_.add_address({kHost, "eth9", *Cidr::parse("10.1.0.1/24")});
  engine().up(desired(a));
  kernel_.delete_route(ns("host").routes.at(0));
  engine().up(desired(b));
  EXPECT_EQ(engine().plan(desired(a)).conflicts.size(), 1u);
  engine().down("la");
  ASSERT_EQ(ns("host").routes.size(), 1u);
  EXPECT_EQ(ns("host").routes[0].via->str(), "10.1.0.3");
  EXPECT_TRUE(engine().plan(desired(b)).actions.empty());
}

}  // namespace
}  // namespace netlab
