// The planner and executor together on an in-memory kernel: golden plans for create, no-op,
// change, delete and conflict; idempotence; reconciliation equal to a fresh up; rollback.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine_fixture.h"

namespace netlab {
namespace {

using testing::desired;
using testing::FakeKernel;
using testing::lines;

const char* kBridgeLab = R"(name: demo
namespaces:
  net0: {}
  net1: {loopback: down}
bridges:
  br0:
    addresses: [10.0.0.1/16]
veths:
  - name: veth0
    bridge: br0
    peer: {name: eth0, namespace: net0, addresses: [10.0.0.2/16]}
  - name: veth1
    bridge: br0
    peer: {name: eth0, namespace: net1, addresses: [10.0.0.3/16]}
)";

class EngineTest : public testing::EngineFixture {};

TEST_F(EngineTest, FreshLabPlansEveryObjectInDependencyOrder) {
  auto plan = engine().plan(desired(kBridgeLab));
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "+ namespace net0  (missing)",
                             "+ namespace net1  (missing)",
                             "+ bridge br0 in host  (missing)",
                             "+ veth veth0 (peer eth0 in net0) in host  (missing)",
                             "+ veth veth1 (peer eth0 in net1) in host  (missing)",
                             "+ address 10.0.0.2/16 on eth0 in net0  (missing)",
                             "+ address 10.0.0.3/16 on eth0 in net1  (missing)",
                             "+ address 10.0.0.1/16 on br0 in host  (missing)",
                         }));
  EXPECT_TRUE(kernel_.calls.empty()) << "plan must change nothing";
}

// The cheap order for the kernel: ports join, and they and their peers come up, while the
// bridge is still down (a port whose carrier comes up under a bridge that is up costs a pass
// over all ports).
// Its ports and their peers first (a port gets its carrier from its peer), and everything
// that does not need the bridge: the bridge coming up lets the lab's IPv6 start-up traffic
// flood, which would slow every request after it.
TEST_F(EngineTest, BridgeComesUpAfterEverythingThatDoesNotNeedIt) {
  auto out = engine().up(desired(kBridgeLab));
  auto br_up = pos("change_link host/br0");
  for (const char* before :
       {"change_link host/veth0", "change_link host/veth1", "change_link net0/eth0",
        "change_link net1/eth0", "change_link net0/lo", "add_address net0/eth0/10.0.0.2/16",
        "add_address net1/eth0/10.0.0.3/16"})
    EXPECT_LT(pos(before), br_up) << before;
  EXPECT_LT(br_up, pos("add_address host/br0/10.0.0.1/16"));
}

// Of each veth pair the end in the busier namespace (here the host) comes up first, all of
// them before any other end: the second end gives the pair its carrier, and with it the
// kernel's IPv6 start-up work, which slows the requests sent alongside it.
TEST_F(EngineTest, VethPairsGetTheirCarrierAfterEveryFirstEndIsUp) {
  engine().up(desired(kBridgeLab));
  for (const char* first : {"change_link host/veth0", "change_link host/veth1"})
    for (const char* second : {"change_link net0/eth0", "change_link net1/eth0"})
      EXPECT_LT(pos(first), pos(second)) << first << " before " << second;
}

// Which end goes first does not depend on which one the file declares: a pair declared from
// inside a namespace still brings its host end up first; between namespaces of as many
// links, the declared end goes first.
TEST_F(EngineTest, TheBusierNamespacesEndOfAPairComesUpFirst) {
  std::string lab = std::string(kBridgeLab) + R"(  - name: x0
    namespace: net0
    peer: {name: hx0}
  - name: p2
    namespace: net2
    peer: {name: p3, namespace: net3}
)";
  lab.insert(lab.find("bridges:"), "  net2: {}\n  net3: {}\n");
  engine().up(desired(lab));
  EXPECT_LT(pos("change_link host/hx0"), pos("change_link net0/x0"));
  EXPECT_LT(pos("change_link net2/p2"), pos("change_link net3/p3"));
}

// A gateway that is a neighbour only through a device route (a point-to-point link with /32
// addresses) is added after that route, whatever the file's order: the kernel refuses it
// before ("Network is unreachable").
TEST_F(EngineTest, AGatewayRouteWaitsForTheDeviceRouteThatReachesIt) {
  engine().up(desired(R"(name: p2p
namespaces:
  a:
    routes:
      - {to: default, via: 10.255.0.1}
      - {to: 10.255.0.1/32, dev: p2p}
veths:
  - {name: p2p, namespace: a, addresses: [10.255.0.0/32], peer: {name: p2p}}
)"));
  EXPECT_LT(pos("add_route a/10.255.0.1/32"), pos("add_route a/0.0.0.0/0"));
}

// The namespaces an up makes are read back for its verification once the plan is done with
// them, before the bridge comes up (whose traffic slows every read after it); the host after.
TEST_F(EngineTest, NewNamespacesAreVerifiedBeforeTheBridgeComesUp) {
  engine().up(desired(kBridgeLab));
  auto& c = kernel_.calls;
  auto br_up =
      static_cast<size_t>(std::find(c.begin(), c.end(), "change_link host/br0") - c.begin());
  ASSERT_LT(br_up, c.size());
  ASSERT_FALSE(kernel_.read_log.empty());
  std::vector<std::string> early;
  for (const auto& r : kernel_.read_log)
    if (r.after_calls > 0 && r.after_calls <= br_up) {
      EXPECT_FALSE(r.host);
      early.insert(early.end(), r.namespaces.begin(), r.namespaces.end());
    }
  std::sort(early.begin(), early.end());
  EXPECT_EQ(early, (std::vector<std::string>{"net0", "net1"}));
  const auto& last = kernel_.read_log.back();
  EXPECT_EQ(last.after_calls, c.size());
  EXPECT_TRUE(last.host);
  EXPECT_TRUE(last.namespaces.empty());
}

// A kernel that acknowledges a change it did not make: up says so, whether the object is in
// a namespace read back early or in the host, read at the end.
TEST_F(EngineTest, UpReportsWhatTheKernelDidNotDo) {
  for (const char* lost :
       {"add_address net1/eth0/10.0.0.3/16", "add_address host/br0/10.0.0.1/16"}) {
    FakeKernel kernel;
    kernel.ignore_on = lost;
    Engine e(kernel, store_);
    try {
      e.up(desired(kBridgeLab));
      ADD_FAILURE() << "no error for " << lost;
    } catch (const ApplyError& err) {
      // A run whose kernel does not end as planned failed: it is taken back like any other.
      std::string want = std::string(lost) == "add_address host/br0/10.0.0.1/16"
                             ? "+ address 10.0.0.1/16 on br0 in host  (missing)"
                             : "+ address 10.0.0.3/16 on eth0 in net1  (missing)";
      EXPECT_EQ(std::string(err.what()), "after up, the kernel still differs from lab.yaml:\n  " +
                                             want + "; rolled back 5 change(s)");
      EXPECT_TRUE(err.rollback_failures.empty());
    }
    EXPECT_EQ(kernel.state.ns.size(), 1u) << lost;
    EXPECT_TRUE(kernel.state.ns["host"].links.empty()) << lost;
    EXPECT_TRUE(store_.load("demo").empty()) << lost;
  }
}

TEST_F(EngineTest, SecondUpChangesNothingAndWritesNothing) {
  auto d = desired(kBridgeLab);
  engine().up(d);
  kernel_.calls.clear();
  auto record_before = std::filesystem::last_write_time(dir_ + "/demo.json");
  auto out = engine().up(d);
  EXPECT_TRUE(out.plan.actions.empty());
  EXPECT_EQ(kernel_.calls, std::vector<std::string>{});
  EXPECT_EQ(std::filesystem::last_write_time(dir_ + "/demo.json"), record_before);
}

TEST_F(EngineTest, UpSetsTheLabsTagAndBringsLinksUp) {
  engine().up(desired(kBridgeLab));
  const auto* br = kernel_.state.ns["host"].link("br0");
  ASSERT_TRUE(br);
  EXPECT_TRUE(br->up);
  EXPECT_EQ(br->alias, "netlab:demo");
  EXPECT_EQ(kernel_.state.ns["net0"].link("eth0")->up, true);
  EXPECT_EQ(kernel_.state.ns["host"].link("veth0")->master, "br0");
  EXPECT_TRUE(kernel_.state.ns["net0"].link("lo")->up);
  EXPECT_FALSE(kernel_.state.ns["net1"].link("lo")->up);
}

TEST_F(EngineTest, EditedFileIsReconciledToWhatAFreshUpMakes) {
  engine().up(desired(kBridgeLab));
  std::string edited = kBridgeLab;
  edited.replace(edited.find("10.0.0.3/16"), 11, "10.0.0.4/16");
  edited.replace(edited.find("  - name: veth1"), std::string::npos,
                 "  - name: veth1\n    bridge: br0\n    mtu: 1400\n"
                 "    peer: {name: eth0, namespace: net1, addresses: [10.0.0.4/16]}\n");
  auto d2 = desired(edited);
  auto plan = engine().plan(d2);
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "- address 10.0.0.3/16 on eth0 in net1  (not declared)",
                             "~ veth veth1 (peer eth0 in net1) in host  (mtu 1500 -> 1400)",
                             "+ address 10.0.0.4/16 on eth0 in net1  (missing)",
                             // Its port's MTU goes down: so does the bridge's, said and set.
                             "~ bridge br0 in host  (mtu 1500 -> 1400 (the default))",
                         }));
  engine().up(d2);
  FakeKernel fresh;
  testing::TempDir other;
  RecordStore other_store(other.path());
  Engine(fresh, other_store).up(d2);
  auto normal = [](LiveState s) {
    for (auto& [n, ns] : s.ns) {
      for (auto& l : ns.links) l.ifindex = l.peer_ifindex = 0;
      std::sort(ns.links.begin(), ns.links.end(),
                [](const auto& a, const auto& b) { return a.name < b.name; });
      std::sort(ns.addrs.begin(), ns.addrs.end());
    }
    std::string out;
    for (auto& [n, ns] : s.ns) {
      out += n + ":";
      for (auto& l : ns.links)
        out += " " + l.name + "/" + l.kind + "/" + (l.up ? "up" : "down") + "/" + l.master + "/" +
               std::to_string(l.mtu.value_or(0)) + "/" + l.alias;
      for (auto& a : ns.addrs) out += " " + a.dev + "=" + a.cidr.str();
      out += "\n";
    }
    return out;
  };
  EXPECT_EQ(normal(kernel_.state), normal(fresh.state));
}

TEST_F(EngineTest, RemovedVethIsDeletedOnce) {
  engine().up(desired(kBridgeLab));
  std::string edited = kBridgeLab;
  edited.erase(edited.find("  - name: veth1"));
  kernel_.calls.clear();
  auto plan = engine().plan(desired(edited));
  EXPECT_EQ(lines(plan), (std::vector<std::string>{
                             "- veth veth1 (peer eth0 in net1) in host  (no longer declared)",
                         }));
}

TEST_F(EngineTest, RefusesALinkItDidNotMake) {
  LinkObj foreign;
  foreign.ns = "host";
  foreign.name = "veth0";
  foreign.kind = "veth";
  kernel_.state.ns["host"].links.push_back(foreign);
  try {
    engine().up(desired(kBridgeLab));
    FAIL() << "expected a conflict";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.conflicts.at(0).str(),
              "link veth0 in host: exists and was not made by lab demo (it has no netlab tag); "
              "rename the interface in the file");
  }
  EXPECT_TRUE(kernel_.calls.empty());
}

TEST_F(EngineTest, RefusesANamespaceItDidNotMake) {
  kernel_.create_namespace("net1");
  kernel_.calls.clear();
  EXPECT_THROW(engine().up(desired(kBridgeLab)), ConflictError);
  EXPECT_TRUE(kernel_.calls.empty());
}

TEST_F(EngineTest, DownRemovesEverythingAndIsIdempotent) {
  engine().up(desired(kBridgeLab));
  kernel_.calls.clear();
  auto out = engine().down("demo");
  // The lab's links of the host go in one request by group, and the other ends of their
  // veths with them; then the namespaces, with nothing left in them to wait for.
  EXPECT_EQ(kernel_.calls, (std::vector<std::string>{
                               "delete_group host",
                               "delete_namespace net0",
                               "delete_namespace net1",
                           }));
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(kernel_.state.ns["host"].links.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/demo.json"));
  kernel_.calls.clear();
  EXPECT_TRUE(engine().down("demo").plan.actions.empty());
  EXPECT_TRUE(kernel_.calls.empty());
}

// Links made before labs had a group (or sharing the namespace with a kept link of the lab)
// are deleted one by one, and the host ends of veths into deleted namespaces waited for.
TEST_F(EngineTest, LinksOutsideTheGroupAreDeletedOneByOne) {
  engine().up(desired(kBridgeLab));
  for (auto& l : kernel_.state.ns["host"].links) l.group = 0;
  kernel_.calls.clear();
  engine().down("demo");
  EXPECT_EQ(kernel_.calls, (std::vector<std::string>{
                               "delete_namespace net0",
                               "delete_namespace net1",
                               "delete_link host/br0",
                               "wait_gone 2",
                           }));
  EXPECT_TRUE(kernel_.state.ns["host"].links.empty());
}

// A link of someone else that happens to be in the lab's group is never taken along.
TEST_F(EngineTest, AForeignLinkInTheGroupStopsTheBulkDelete) {
  engine().up(desired(kBridgeLab));
  LinkObj foreign;
  foreign.ns = "host";
  foreign.name = "theirs";
  foreign.kind = "bridge";
  foreign.group = lab_group("demo");
  kernel_.state.ns["host"].links.push_back(foreign);
  engine().down("demo");
  ASSERT_EQ(kernel_.state.ns["host"].links.size(), 1u);
  EXPECT_EQ(kernel_.state.ns["host"].links[0].name, "theirs");
}

TEST_F(EngineTest, HostSysctlIsRestoredByDown) {
  kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"] = "0";
  auto d = desired(std::string(kBridgeLab) + "host:\n  sysctl: {net.ipv4.ip_forward: 1}\n");
  engine().up(d);
  EXPECT_EQ(kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"], "1");
  engine().up(d);  // a second up must not record the lab's own value as the host's
  engine().down("demo");
  EXPECT_EQ(kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"], "0");
}

// Two labs on one host that both need ip_forward: the first down must not pull it from under
// the second; the last one down restores the host's own value.
TEST_F(EngineTest, HostSysctlSharedByTwoLabsIsRestoredByTheLastOneDown) {
  kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"] = "0";
  std::string forward = "host:\n  sysctl: {net.ipv4.ip_forward: 1}\n";
  auto a = desired("name: lab-a\n" + forward);
  auto b = desired("name: lab-b\n" + forward);
  engine().up(a);
  auto plan_b = engine().plan(b);
  EXPECT_EQ(lines(plan_b),
            (std::vector<std::string>{
                "~ sysctl net.ipv4.ip_forward in host  (already 1; held by this lab too)",
            }));
  engine().up(b);
  EXPECT_TRUE(engine().plan(b).actions.empty());
  EXPECT_EQ(store_.labs(), (std::vector<std::string>{"lab-a", "lab-b"}))
      << "the shared settings are not a lab";
  engine().down("lab-a");
  EXPECT_EQ(kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"], "1");
  engine().down("lab-b");
  EXPECT_EQ(kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"], "0");
  EXPECT_FALSE(std::filesystem::exists(dir_)) << "the last down leaves no run dir";
}

TEST_F(EngineTest, FailureHalfWayRollsBackEverythingThisRunDid) {
  kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"] = "0";
  auto d = desired(std::string(kBridgeLab) + "host:\n  sysctl: {net.ipv4.ip_forward: 1}\n");
  kernel_.fail_at = 9;  // somewhere among the links' configuration
  try {
    engine().up(d);
    FAIL() << "expected the injected failure";
  } catch (const ApplyError& e) {
    EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rolled back"), std::string::npos) << e.what();
    EXPECT_TRUE(e.rollback_failures.empty());
  }
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(kernel_.state.ns["host"].links.empty());
  EXPECT_EQ(kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"], "0");
  EXPECT_TRUE(store_.load("demo").empty());
}

TEST_F(EngineTest, EveryFailurePointRollsBackToTheStartingState) {
  auto d = desired(std::string(kBridgeLab) + "host:\n  sysctl: {net.ipv4.ip_forward: 1}\n");
  size_t total = 0;
  {
    FakeKernel probe;
    testing::TempDir other;
    RecordStore s(other.path());
    Engine(probe, s).up(d);
    total = probe.calls.size();
  }
  for (size_t k = 0; k < total; ++k) {
    FakeKernel fk;
    fk.state.ns["host"].sysctl["net.ipv4.ip_forward"] = "0";
    fk.fail_at = static_cast<int>(k);
    Engine e(fk, store_);
    EXPECT_THROW(e.up(d), ApplyError) << k;
    EXPECT_EQ(fk.state.ns.size(), 1u) << k;
    EXPECT_TRUE(fk.state.ns["host"].links.empty()) << k;
    EXPECT_EQ(fk.state.ns["host"].sysctl["net.ipv4.ip_forward"], "0") << k;
    EXPECT_TRUE(store_.load("demo").empty()) << k;
  }
}

// Namespaces are made on a helper thread while the links are: a step in a namespace that is
// not made yet waits for it (the fake kernel refuses a call into a missing namespace).
TEST_F(EngineTest, StepsWaitForTheirNamespaceToBeMade) {
  kernel_.namespace_delay = std::chrono::milliseconds(30);
  auto d = desired(kBridgeLab);
  auto out = engine().up(d);
  EXPECT_EQ(out.counts.created, lines(out.plan).size());
  EXPECT_TRUE(engine().plan(d).actions.empty());
  EXPECT_TRUE(kernel_.state.ns["net1"].link("eth0"));
}

TEST_F(EngineTest, ANamespaceThatCannotBeMadeRollsBackTheWholeRun) {
  kernel_.namespace_delay = std::chrono::milliseconds(10);
  kernel_.fail_on = "create_namespace net1";
  try {
    engine().up(desired(kBridgeLab));
    FAIL() << "expected the injected failure";
  } catch (const ApplyError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot create namespace net1: create_namespace net1: injected failure; "
              "rolled back 3 change(s)");
    EXPECT_TRUE(e.rollback_failures.empty());
  }
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(kernel_.state.ns["host"].links.empty());
  EXPECT_TRUE(store_.load("demo").empty());
}

TEST_F(EngineTest, AnInterruptWhileNamespacesAreMadeRollsBackTheWholeRun) {
  std::atomic<bool> stop{false};
  Options o;
  o.stop = &stop;
  o.progress = [&](const Action&, size_t done, size_t) { stop = done >= 2; };
  kernel_.namespace_delay = std::chrono::milliseconds(10);
  try {
    Engine(kernel_, store_, o).up(desired(kBridgeLab));
    FAIL() << "expected the interrupt";
  } catch (const ApplyError& e) {
    EXPECT_NE(std::string(e.what()).find("interrupted; rolled back"), std::string::npos)
        << e.what();
    EXPECT_TRUE(e.rollback_failures.empty());
  }
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(kernel_.state.ns["host"].links.empty());
  EXPECT_TRUE(store_.load("demo").empty());
}

TEST_F(EngineTest, ARecordLeftByACrashLetsDownRemoveEverything) {
  auto d = desired(kBridgeLab);
  auto plan = engine().plan(d);
  // Replay half the plan the way the executor does, then "die" without saving the record.
  {
    Record rec = store_.load("demo");
    auto journal = store_.journal(rec);
    for (size_t i = 0; i < plan.actions.size() / 2; ++i) {
      for (const auto& e : plan.actions[i].own) journal.own(e);
      std::visit(
          [&](const auto& s) {
            using S = std::decay_t<decltype(s)>;
            // The executor journals a namespace's identity before it works inside it.
            if constexpr (std::is_same_v<S, step::CreateNamespace>) {
              OwnedEntry made{OwnedEntry::Kind::Namespace, kHost, s.name};
              made.cookie = kernel_.create_namespace(s.name);
              journal.own(made);
            }
            if constexpr (std::is_same_v<S, step::CreateLink>)
              kernel_.create_link(s.link, s.peer.get());
          },
          plan.actions[i].step);
    }
  }
  ASSERT_FALSE(kernel_.state.ns["host"].links.empty());
  engine().down("demo");
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(kernel_.state.ns["host"].links.empty());
  // And a new up after the crash converges.
  engine().up(d);
  EXPECT_TRUE(engine().plan(d).actions.empty());
}

TEST_F(EngineTest, OrphanLinksTaggedWithTheLabAreRemovedWithoutARecord) {
  LinkObj orphan;
  orphan.ns = "host";
  orphan.name = "br9";
  orphan.kind = "bridge";
  orphan.alias = "netlab:demo";
  kernel_.state.ns["host"].links.push_back(orphan);
  LinkObj other = orphan;
  other.name = "br8";
  other.alias = "netlab:other";
  kernel_.state.ns["host"].links.push_back(other);
  engine().down("demo");
  EXPECT_EQ(kernel_.calls, std::vector<std::string>{"delete_link host/br9"});
}

}  // namespace
}  // namespace netlab
