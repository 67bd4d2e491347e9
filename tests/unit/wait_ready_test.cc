// An up returns once the links it started carry traffic (api/ready_links.h,
// Kernel::wait_ready): the kernel starts them after the requests that brought them up.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/ready_links.h"
#include "apply/executor.h"
#include "engine_fixture.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: ready
namespaces: {n0: {}, n1: {}}
bridges:
  br0: {}
  lone: {addresses: [10.7.0.1/24]}
veths:
  - {name: v0, bridge: br0, peer: {name: eth0, namespace: n0, addresses: [10.8.0.10/24]}}
  - {name: v1, bridge: br0, peer: {name: eth0, namespace: n1, addresses: [10.8.0.11/24]}}
)";

std::vector<LinkRef> all_started() {
  return {{"host", "br0"}, {"host", "v0"}, {"host", "v1"}, {"n0", "eth0"}, {"n1", "eth0"}};
}

size_t waits(const std::vector<std::string>& calls) {
  return std::count_if(calls.begin(), calls.end(),
                       [](const std::string& c) { return c.starts_with("wait_ready"); });
}

class WaitReady : public EngineFixture {};
using ReadyLinks = WaitReady;

TEST_F(ReadyLinks, TheLinksAnUpStartsThatWillCarryTraffic) {
  // A bridge without ports never gets a carrier: waiting for it would time out.
  auto d = desired(kLab);
  EXPECT_EQ(links_to_start(d, engine().plan(d)), all_started());
}

TEST_F(ReadyLinks, NotLinksMeantDownNorWhatTheyHold) {
  // eth0 of n1 down: its pair has no carrier, and br0 still has v0.
  auto d = desired(edited(kLab, "namespace: n1,", "namespace: n1, up: false,"));
  std::vector<LinkRef> want{{"host", "br0"}, {"host", "v0"}, {"n0", "eth0"}};
  EXPECT_EQ(links_to_start(d, engine().plan(d)), want);
  // br0 down: no port of it ever forwards; the namespaces' ends still get their carrier.
  auto down = desired(edited(kLab, "br0: {}", "br0: {up: false}"));
  std::vector<LinkRef> ends{{"n0", "eth0"}, {"n1", "eth0"}};
  EXPECT_EQ(links_to_start(down, engine().plan(down)), ends);
}

TEST_F(ReadyLinks, OnlyWhatTheReadDoesNotShowReady) {
  LiveState live;
  live.ns["host"].links.push_back({.ns = "host", .name = "br0", .ready = true});
  live.ns["host"].links.push_back({.ns = "host", .name = "v0"});
  std::vector<LinkRef> want{{"host", "v0"}, {"n0", "eth0"}};
  EXPECT_EQ(not_ready({{"host", "br0"}, {"host", "v0"}, {"n0", "eth0"}}, live), want);
}

TEST_F(WaitReady, UpWaitsForTheLinksTheKernelStartsLate) {
  kernel_.links_start_late = true;
  auto d = desired(kLab);
  engine().up(d);
  EXPECT_EQ(waits(kernel_.calls), 1u);
  EXPECT_EQ(kernel_.calls.back(), "wait_ready 5");  // after every change: the run's last word
  auto live = engine().read(&d, store_.load("ready"));
  EXPECT_TRUE(not_ready(all_started(), live).empty());
}

TEST_F(WaitReady, NoWaitForLinksTheReadShowsReady) {
  auto d = desired(kLab);
  engine().up(d);
  EXPECT_EQ(waits(kernel_.calls), 0u);
}

TEST_F(WaitReady, AnEditWaitsOnlyForWhatItStarted) {
  kernel_.links_start_late = true;
  engine().up(desired(kLab));
  kernel_.calls.clear();
  // A third port: its pair; br0 carries traffic already.
  std::string more = edited(kLab, "n1: {}}", "n1: {}, n2: {}}");
  engine().up(desired(edited(more, "veths:\n",
                             "veths:\n  - {name: v2, bridge: br0, peer: {name: eth0, namespace: "
                             "n2, addresses: [10.8.0.12/24]}}\n")));
  EXPECT_EQ(kernel_.calls.back(), "wait_ready 2");
}

TEST_F(WaitReady, LinksThatNeverCarryTrafficRollTheUpBack) {
  kernel_.links_start_late = true;
  kernel_.fail_on = "wait_ready 5";
  kernel_.fail_errno = ETIMEDOUT;
  EXPECT_THROW(engine().up(desired(kLab)), ApplyError);
  EXPECT_EQ(kernel_.state.ns.size(), 1u);  // the host, as before
  EXPECT_EQ(kernel_.state.ns["host"].links.size(), 0u);
  EXPECT_TRUE(store_.load("ready").empty());
}

TEST_F(WaitReady, TheFakeKernelRefusesToWaitForALinkThatCannotGetThere) {
  engine().up(desired(kLab));
  try {
    kernel_.wait_ready({{"host", "lone"}});
    ADD_FAILURE() << "waited for a bridge without ports";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.errno_value, ETIMEDOUT) << e.what();
  }
}

}  // namespace
}  // namespace netlab::testing
