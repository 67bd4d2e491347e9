// Isolated labs: the lab's host is a namespace of its own. Everything the file puts in the host
// goes there; the machine's host is never changed, and copies never meet.
#include <filesystem>

#include "engine_fixture.h"
#include "kernel/instance_kernel.h"
#include "model/instance.h"
#include "parse/load.h"

namespace netlab {
namespace {

using testing::lines;

// All that a host can be given: a bridge with an address, a route, a sysctl and NAT.
const char* kLab = R"(name: web
host:
  isolated: true
  sysctl: {net.ipv4.ip_forward: 1}
  routes: [{to: 10.9.0.0/16, via: 10.0.0.2}]
namespaces:
  n1:
    routes: [{to: default, via: 10.0.0.1}]
bridges:
  br0: {addresses: [10.0.0.1/24]}
veths:
  - {name: v1, bridge: br0, peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}}
nat:
  - {type: masquerade, source: 10.0.0.0/24}
)";

// The record store's directory is gone, or empty: a lab down leaves no file.
bool nothing_in(const std::string& dir) {
  return !std::filesystem::exists(dir) || std::filesystem::is_empty(dir);
}

std::string listing(const std::string& dir) {
  std::string out;
  if (std::filesystem::exists(dir))
    for (const auto& e : std::filesystem::directory_iterator(dir)) out += e.path().string() + "\n";
  return out;
}

class IsolatedTest : public testing::EngineFixture {
 protected:
  Engine engine_for(Kernel& k) { return Engine(k, store_); }
  InstanceKernel lab_{kernel_, "web", "", private_host_namespace("web", "")};
  InstanceKernel one_{kernel_, "web", "1", private_host_namespace("web", "1")};
  InstanceKernel two_{kernel_, "web", "2", private_host_namespace("web", "2")};
};

TEST(PrivateHostName, ReadableWhenItFitsHashedElse) {
  EXPECT_EQ(private_host_namespace("web", ""), "web.host");
  EXPECT_EQ(private_host_namespace("web", "ci-7"), "web.ci-7.host");
  const std::string lab(32, 'l'), id(32, 'i');
  std::string n = private_host_namespace(lab, id);
  EXPECT_LE(n.size(), 64u);
  EXPECT_NE(n, private_host_namespace(lab, std::string(31, 'i') + "j"));
  EXPECT_EQ(lab_namespace("host", "web", "", true), "web.host");
  EXPECT_EQ(lab_namespace("host", "web", "", false), "host");
  EXPECT_EQ(lab_namespace("n1", "web", "3", true), "n1_web_3");
}

TEST_F(IsolatedTest, EverythingOfTheHostGoesIntoTheLabsOwnAndDownRemovesIt) {
  const LiveState machine = kernel_.state;
  engine_for(lab_).up(testing::desired(kLab, ""));

  EXPECT_EQ(kernel_.state.ns.at("host").links.size(), machine.ns.at("host").links.size());
  EXPECT_TRUE(kernel_.state.ns.at("host").addrs.empty());
  EXPECT_TRUE(kernel_.state.ns.at("host").nat.empty());
  EXPECT_FALSE(kernel_.state.ns.at("host").sysctl.count("net.ipv4.ip_forward"));
  const NsLive& own = ns("web.host");
  EXPECT_TRUE(link("web.host", "br0"));
  EXPECT_TRUE(link("web.host", "lo")->up);
  EXPECT_EQ(own.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(own.nat.size(), 1u);
  EXPECT_EQ(own.routes.size(), 1u);
  // Shared with no lab: nothing of it in the machine's host settings.
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/host_settings.json"));
  EXPECT_EQ(lines(engine_for(lab_).plan(testing::desired(kLab, ""))), std::vector<std::string>{});

  // Down from the record alone, as after a crash.
  InstanceKernel fresh(kernel_, "web", "", private_host_namespace("web", ""));
  engine_for(fresh).down("web");
  EXPECT_FALSE(kernel_.state.ns.count("web.host"));
  EXPECT_FALSE(kernel_.state.ns.count("n1"));
  EXPECT_TRUE(store_.labs().empty());
  EXPECT_TRUE(nothing_in(dir_)) << listing(dir_);
}

TEST_F(IsolatedTest, CopiesWithTheSameHostAddressDoNotMeet) {
  const LiveState machine = kernel_.state;
  engine_for(one_).up(testing::desired(kLab, "1"));
  engine_for(two_).up(testing::desired(kLab, "2"));
  EXPECT_TRUE(link("web.1.host", "br0_web_1"));
  EXPECT_TRUE(link("web.2.host", "br0_web_2"));
  EXPECT_EQ(ns("web.2.host").sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(lines(engine_for(one_).plan(testing::desired(kLab, "1"))), std::vector<std::string>{});
  engine_for(one_).down("web@1");
  engine_for(two_).down("web@2");
  EXPECT_EQ(kernel_.state.ns.size(), machine.ns.size());
  EXPECT_EQ(kernel_.state.ns.at("host").links.size(), machine.ns.at("host").links.size());
}

TEST_F(IsolatedTest, ANamespaceOfTheHostsNameThatIsNotTheLabsIsAConflict) {
  kernel_.create_namespace("web.host");  // somebody else's
  const auto calls = kernel_.calls.size();
  try {
    engine_for(lab_).up(testing::desired(kLab, ""));
    FAIL() << "up went ahead";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.conflicts.at(0).str(),
              "namespace web.host: exists and was not made by lab web (for its isolated host); "
              "remove it or choose another instance");
  }
  EXPECT_EQ(kernel_.calls.size(), calls);
  EXPECT_TRUE(store_.labs().empty());
}

TEST_F(IsolatedTest, ALabUpOnTheMachinesNetworkIsNotTurnedIsolatedInPlace) {
  DesiredState shared = testing::desired(kLab, "");
  shared.isolated = false;
  engine().up(shared);
  try {
    engine_for(lab_).up(testing::desired(kLab, ""));
    FAIL() << "up went ahead";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.conflicts.at(0).str(),
              "lab web: is up on this machine's network; `netlab down web` first to bring it up "
              "isolated");
  }
  EXPECT_FALSE(kernel_.state.ns.count("web.host"));
}

TEST_F(IsolatedTest, AFailedFirstUpTakesItsHostAway) {
  kernel_.fail_on = "create_link web.host/br0";
  const LiveState machine = kernel_.state;
  EXPECT_ANY_THROW(engine_for(lab_).up(testing::desired(kLab, "")));
  EXPECT_FALSE(kernel_.state.ns.count("web.host"));
  EXPECT_EQ(kernel_.state.ns.size(), machine.ns.size());
  EXPECT_TRUE(nothing_in(dir_)) << listing(dir_);
}

// A run killed after it journalled the host and before it recorded the namespace's identity:
// what is at the path is the lab's only as such a run leaves it.
TEST_F(IsolatedTest, AHostWithNoIdentityRecordedIsAdoptedOnlyUntouched) {
  {
    Record r = store_.load("web");
    store_.journal(r).own(OwnedEntry{OwnedEntry::Kind::Host, kHost, kHost});
  }
  kernel_.create_namespace("web.host");
  kernel_.user_add_veth("web.host", "a", "b");  // somebody's since
  EXPECT_THROW(engine_for(lab_).up(testing::desired(kLab, "")), ConflictError);
  EXPECT_TRUE(link("web.host", "a"));

  kernel_.delete_namespace("web.host");
  const uint64_t cookie = kernel_.create_namespace("web.host");  // as the killed run left it
  engine_for(lab_).up(testing::desired(kLab, ""));
  EXPECT_EQ(store_.load("web").host_cookie, cookie);
  engine_for(lab_).down("web");
  EXPECT_FALSE(kernel_.state.ns.count("web.host"));
}

TEST(PrivateHostRecord, AHostBeingMadeAgainHasNoIdentityUntilItIsMade) {
  Record r;
  OwnedEntry e{OwnedEntry::Kind::Host, kHost, kHost};
  e.cookie = 7;
  r.own(e);
  r.own(OwnedEntry{OwnedEntry::Kind::Host, kHost, kHost});
  EXPECT_TRUE(r.private_host);
  EXPECT_EQ(r.host_cookie, 0u);  // not 7: the namespace of identity 7 is gone
}

// The kernel view is chosen before the lab's lock: a run that finds the lab changed under the
// lock stops before it reads or changes anything.
TEST_F(IsolatedTest, ARunThatFindsTheLabChangedWhileItWaitedStops) {
  engine_for(lab_).up(testing::desired(kLab, ""));
  Engine shared_view(kernel_, store_);
  shared_view.set_host_view(false);
  const auto calls = kernel_.calls.size();
  try {
    shared_view.down("web");
    FAIL() << "down went ahead";
  } catch (const RecordError& e) {
    EXPECT_STREQ(e.what(),
                 "lab web was brought up isolated by another run while this one waited for it; "
                 "run this again");
  }
  EXPECT_EQ(kernel_.calls.size(), calls);
  EXPECT_TRUE(kernel_.state.ns.count("web.host"));
}

}  // namespace
}  // namespace netlab
