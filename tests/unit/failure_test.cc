// Failures: a failed up leaves the machine as it was, deletions included, and takes back what
// it made as fast as down would; a down goes on past what fails and reports it all.
#include "engine_fixture.h"

namespace netlab {
namespace {

using testing::desired;
using testing::lines;

const char* kTwo = R"(name: fe
namespaces:
  n1: {}
  n2: {}
veths:
  - {name: f1, addresses: [10.81.0.1/24], peer: {name: eth0, namespace: n1, addresses: [10.81.0.2/24]}}
  - {name: f2, addresses: [10.82.0.1/24], peer: {name: eth0, namespace: n2, addresses: [10.82.0.2/24]}}
)";

class FailureTest : public testing::EngineFixture {};

// repro 15: an edit that drops a namespace and adds a link the kernel refuses fails without
// having deleted the namespace: what the lab no longer declares goes last.
TEST_F(FailureTest, AFailedEditKeepsWhatItWouldHaveDeleted) {
  engine().up(desired(kTwo));
  const char* edit = R"(name: fe
namespaces:
  n1: {}
veths:
  - {name: f1, addresses: [10.81.0.1/24], peer: {name: eth0, namespace: n1, addresses: [10.81.0.2/24]}}
  - {name: x9, peer: {name: x1, namespace: n1}}
)";
  kernel_.fail_on = "create_link host/x9";
  kernel_.fail_errno = EINVAL;
  EXPECT_THROW(engine().up(desired(edit)), ApplyError);
  kernel_.fail_on.clear();
  EXPECT_TRUE(kernel_.state.ns.count("n2"));
  EXPECT_TRUE(engine().plan(desired(kTwo)).actions.empty())
      << ::testing::PrintToString(lines(engine().plan(desired(kTwo))));
}

// repro 15, the other way: what an edit deleted before its failure (an address in the way of
// another) is put back.
TEST_F(FailureTest, AFailedEditPutsBackTheAddressesItDeleted) {
  engine().up(desired(kTwo));
  std::string edit = kTwo;
  edit.replace(edit.find("10.81.0.2/24"), 12, "10.81.0.3/24");
  edit.replace(edit.find("n2: {}"), 6, "n2: {}\n  n3: {}");
  kernel_.fail_on = "create_namespace n3";
  EXPECT_THROW(engine().up(desired(edit)), ApplyError);
  kernel_.fail_on.clear();
  EXPECT_TRUE(engine().plan(desired(kTwo)).actions.empty())
      << ::testing::PrintToString(lines(engine().plan(desired(kTwo))));
}

// repro 19: the rollback of a fresh lab deletes its namespaces whole and waits for their
// veths' other ends, as down does, instead of deleting every link on its own.
TEST_F(FailureTest, RollbackTakesNamespacesWholeLikeDown) {
  std::string lab = std::string(kTwo) + "nat:\n  - {type: masquerade, source: 10.81.0.0/16}\n";
  auto d = desired(lab);
  kernel_.fail_on = "add_nat host " + d.nat.at(0).str();
  try {
    engine().up(d);
    ADD_FAILURE() << "no failure";
  } catch (const ApplyError& e) {
    EXPECT_TRUE(e.rollback_failures.empty()) << e.what();
  }
  for (const auto& c : kernel_.calls) EXPECT_EQ(c.rfind("delete_link", 0), std::string::npos) << c;
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(ns("host").links.empty());
  EXPECT_TRUE(store_.load("fe").empty());
}

// repro 12: down does all it can, and says what it could not; the record keeps only that.
TEST_F(FailureTest, DownGoesOnPastAFailureAndReportsIt) {
  engine().up(desired(kTwo));
  kernel_.fail_on = "delete_namespace n1";
  kernel_.fail_errno = EBUSY;
  try {
    engine().down("fe");
    ADD_FAILURE() << "no error";
  } catch (const IncompleteError& e) {
    ASSERT_EQ(e.failures.size(), 1u);
    EXPECT_EQ(e.failures[0].rfind("- namespace n1  (lab down): ", 0), 0u) << e.failures[0];
  }
  EXPECT_FALSE(kernel_.state.ns.count("n2"));
  Record left = store_.load("fe");
  EXPECT_EQ(left.namespaces, std::set<std::string>{"n1"});
  kernel_.fail_on.clear();
  engine().down("fe");
  EXPECT_EQ(kernel_.state.ns.size(), 1u);
  EXPECT_TRUE(store_.load("fe").empty());
}

// A failed edit that took a link's only IPv4 address (the kernel flushing its routes) puts
// the address back, and the routes with it.
TEST_F(FailureTest, ARollbackPutsBackTheRoutesTheKernelFlushed) {
  std::string lab = kTwo;
  lab.replace(lab.find("  n1: {}"), 8, "  n1:\n    routes: [{to: 10.50.0.0/24, via: 10.81.0.1}]");
  engine().up(desired(lab));
  std::string edit = lab;
  edit.replace(edit.find("10.81.0.2/24"), 12, "10.81.0.3/24");
  edit.replace(edit.find("n2: {}"), 6, "n2: {}\n  n3: {}");
  kernel_.fail_on = "create_namespace n3";
  EXPECT_THROW(engine().up(desired(edit)), ApplyError);
  kernel_.fail_on.clear();
  EXPECT_TRUE(engine().plan(desired(lab)).actions.empty())
      << ::testing::PrintToString(lines(engine().plan(desired(lab))));
}

}  // namespace
}  // namespace netlab
