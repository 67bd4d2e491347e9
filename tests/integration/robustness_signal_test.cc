// Ctrl-C (SIGINT) and SIGTERM during `up`: netlab finishes the kernel call at hand, takes back
// what this run did, says so, and exits non-zero; the sandbox is as it was before.
#include <signal.h>

#include <chrono>
#include <thread>

#include "robustness_util.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

class Interrupt : public Sandbox, public ::testing::WithParamInterface<int> {};

TEST_P(Interrupt, DuringUpRollsBackThatRun) {
  ASSERT_EQ(sh("echo 0 > /proc/sys/net/ipv4/ip_forward").status, 0);
  Star star;
  star.count = 150;
  auto file = star.write();
  std::string before = dump_state();

  Running up({"up", file});
  // Signal once the run is well under way: the journal grows by a line per object owned.
  const std::string journal = "/run/netlab/" + star.name + ".journal";
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (count_lines(journal) < 60 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_GE(count_lines(journal), 60u) << "up made no progress";
  up.signal(GetParam());
  auto o = up.wait();

  EXPECT_NE(o.status, 0) << o.out << o.err;
  EXPECT_LT(o.status, 128) << "it must stop by itself, not die of the signal\n" << o.err;
  EXPECT_NE(o.err.find("interrupted"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("rolled back"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("rollback incomplete"), std::string::npos) << o.err;
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(host_sysctl("net.ipv4.ip_forward"), "0");
  // Nothing is owned any more: no record, no journal.
  EXPECT_EQ(sh("ls /run/netlab/*.json /run/netlab/*.journal 2>/dev/null").out, "");
  // And `down` has nothing to do.
  auto down = netlab("down " + star.name);
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_NE(down.out.find("nothing to remove"), std::string::npos) << down.out;
  EXPECT_EQ(dump_state(), before);
}

INSTANTIATE_TEST_SUITE_P(Signals, Interrupt, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

}  // namespace
}  // namespace netlab::testing
