// Crash safety (docs/architecture.md, The journal and crash recovery: "a kill -9 at any instant
// leaves a record from which `down` removes everything"): `netlab up` of a 200-namespace star is
// killed with SIGKILL at random instants spread over its run; afterwards `down` must leave the
// sandbox exactly as before, and a new `up` must converge. The seed is printed so a failure can be
// replayed (NETLAB_CRASH_SEED=<seed>).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "robustness_util.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class CrashSafety : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    // A new namespace copies ip_forward from the machine: pin it, so the lab changes it.
    ASSERT_EQ(sh("echo 0 > /proc/sys/net/ipv4/ip_forward").status, 0);
    file_ = star_.write();
    before_ = dump_state();
    // How long a whole `up` takes here, so the kills spread over all of it (the shorter of
    // two: the first run of a test pays for cold caches).
    for (int i = 0; i < 2; ++i) {
      auto t0 = Clock::now();
      auto up = netlab("up " + file_);
      ASSERT_EQ(up.status, 0) << up.out << up.err;
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
      full_ = i == 0 ? took : std::min(full_, took);
      auto down = netlab("down " + star_.name);
      ASSERT_EQ(down.status, 0) << down.out << down.err;
      ASSERT_EQ(dump_state(), before_);
    }
  }

  unsigned seed() const {
    if (const char* s = std::getenv("NETLAB_CRASH_SEED")) return std::strtoul(s, nullptr, 10);
    return std::random_device{}();
  }

  // Starts `up` and kills it with SIGKILL after `delay`; returns whether it was still running.
  // What a failure message says about the trial, with the seed that replays it.
  std::string kill_text(std::chrono::milliseconds d, unsigned seed) const {
    return "kill -9 after " + std::to_string(d.count()) + " ms of an up that takes " +
           std::to_string(full_.count()) + " ms (NETLAB_CRASH_SEED=" + std::to_string(seed) + ")";
  }

  // When it had finished, the up is quicker than measured (the machine got less busy): the
  // estimate follows, so that later kills spread over the real run.
  bool kill_up_after(std::chrono::milliseconds delay) {
    auto t0 = Clock::now();
    Running up({"up", file_});
    bool killed = up.still_running_after(delay);
    if (!killed)
      full_ = std::max(std::chrono::milliseconds(20),
                       std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0));
    up.signal(SIGKILL);
    auto o = up.wait();
    if (!killed) {
      EXPECT_EQ(o.status, 0) << o.out << o.err;
    }
    return killed;
  }

  // `down` must remove all of it: the dump, the record and the host setting as before.
  void expect_down_restores(const std::string& when) {
    auto down = netlab("down " + star_.name);
    EXPECT_EQ(down.status, 0) << when << "\n" << down.out << down.err;
    EXPECT_EQ(dump_state(), before_) << when;
    EXPECT_EQ(netlab_run_files(), "") << when;
    EXPECT_EQ(host_sysctl("net.ipv4.ip_forward"), "0") << when;
  }

  // Kill instants spread evenly over [0, 1.1 * full) with a random offset in each slot:
  // early kills (while planning), middle ones (while creating) and late ones (verify, record).
  std::chrono::milliseconds delay(int trial, int trials, std::mt19937& rng) const {
    double slot = 1.1 * full_.count() / trials;
    return std::chrono::milliseconds(
        static_cast<long>(slot * (trial + std::uniform_real_distribution<>(0, 1)(rng))));
  }

  Star star_;
  std::string file_;
  std::string before_;
  std::chrono::milliseconds full_{};
};

TEST_F(CrashSafety, DownAfterKillDashNineLeavesNoTrace) {
  unsigned s = seed();
  RecordProperty("seed", std::to_string(s));
  std::mt19937 rng(s);
  constexpr int kKills = 6;
  int killed = 0;
  for (int attempt = 0; killed < kKills && attempt < 2 * kKills; ++attempt) {
    auto d = delay(killed, kKills, rng);
    std::string when = kill_text(d, s);
    bool k = kill_up_after(d);
    killed += k;
    std::printf("%s: %s\n", when.c_str(), k ? "killed" : "had finished");
    expect_down_restores(when);
    if (HasFailure()) return;
  }
  EXPECT_EQ(killed, kKills) << "the kills must land while up runs";
}

TEST_F(CrashSafety, UpAfterKillDashNineConvergesAndDownIsClean) {
  unsigned s = seed() ^ 0x5a5a5a5a;
  RecordProperty("seed", std::to_string(s));
  std::mt19937 rng(s);
  constexpr int kKills = 5;
  int killed = 0;
  for (int attempt = 0; killed < kKills && attempt < 2 * kKills; ++attempt) {
    auto d = delay(killed, kKills, rng);
    std::string when = kill_text(d, s);
    killed += kill_up_after(d);
    auto up = netlab("up " + file_);
    EXPECT_EQ(up.status, 0) << when << "\n" << up.out << up.err;
    auto plan = netlab("plan " + file_);
    EXPECT_EQ(plan.status, 0) << when << "\n" << plan.out << plan.err;
    EXPECT_EQ(host_sysctl("net.ipv4.ip_forward"), "1") << when;
    expect_down_restores(when);
    if (HasFailure()) return;
  }
  EXPECT_EQ(killed, kKills) << "the kills must land while up runs";
}

// A `down` killed half-way is finished by the next `down`.
TEST_F(CrashSafety, DownAfterKilledDownLeavesNoTrace) {
  unsigned s = seed() ^ 0x3c3c3c3c;
  RecordProperty("seed", std::to_string(s));
  std::mt19937 rng(s);
  for (int i = 0; i < 3; ++i) {
    auto up = netlab("up " + file_);
    ASSERT_EQ(up.status, 0) << up.out << up.err;
    // down takes about half as long as up.
    std::chrono::milliseconds d(std::uniform_int_distribution<long>(0, full_.count() / 2)(rng));
    Running down({"down", star_.name});
    down.still_running_after(d);
    down.signal(SIGKILL);
    down.wait();
    expect_down_restores("down killed after " + std::to_string(d.count()) +
                         " ms (NETLAB_CRASH_SEED=" + std::to_string(s) + ")");
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace netlab::testing
