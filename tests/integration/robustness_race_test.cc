// Races: runs on one lab are serialised by its lock file; runs on different labs go at once
// without losing each other's NAT rules (the xtables lock, shared with the iptables tools) or
// host settings.
#include <chrono>
#include <thread>

#include "api/engine.h"
#include "kernel/netlink_kernel.h"
#include "parse/load.h"
#include "robustness_util.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

// Waits until `path` exists: a run's journal appears once it holds the lab's lock.
bool appears(const std::string& path, std::chrono::milliseconds within = 20s) {
  auto end = std::chrono::steady_clock::now() + within;
  while (access(path.c_str(), F_OK) != 0) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

class Race : public Sandbox {};

TEST_F(Race, TwoRunsOnOneLabAreSerialised) {
  Star star;
  star.count = 100;
  auto file = star.write();
  std::string before = dump_state();
  const std::string journal = "/run/netlab/" + star.name + ".journal";
  {
    Running first({"up", file});
    ASSERT_TRUE(appears(journal));
    Running second({"up", file});
    auto o1 = first.wait(), o2 = second.wait();
    EXPECT_EQ(o1.status, 0) << o1.err;
    EXPECT_EQ(o2.status, 0) << o2.err;
    // The second waited for the first, then found nothing left to do.
    EXPECT_NE(o2.out.find("nothing to change"), std::string::npos) << o2.out << o2.err;
  }
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;
  ASSERT_EQ(netlab("down " + star.name).status, 0);
  ASSERT_EQ(dump_state(), before);
  {
    // A `down` started while `up` runs waits for it, then removes all of it.
    Running up({"up", file});
    ASSERT_TRUE(appears(journal));
    Running down({"down", star.name});
    auto ou = up.wait(), od = down.wait();
    EXPECT_EQ(ou.status, 0) << ou.err;
    EXPECT_EQ(od.status, 0) << od.err;
  }
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(netlab_run_files(), "");
}

TEST_F(Race, ALabLockedByAnotherRunWaitsOrTimesOutNamingTheLock) {
  Star star;
  star.count = 10;
  auto file = star.write();
  std::string before = dump_state();
  {
    // Held here: the command waits as long as it is held, then does its work.
    RecordStore holder;
    auto held = holder.lock(star.name, 1s);
    Running up({"up", file});
    EXPECT_TRUE(up.still_running_after(1500ms)) << up.wait().err;
    EXPECT_EQ(dump_state(), before) << "it must not work without the lock";
    held = FileLock();
    auto o = up.wait();
    EXPECT_EQ(o.status, 0) << o.err;
  }
  {
    // With a short timeout the engine gives up with a message that names the lock file.
    RecordStore holder;
    auto held = holder.lock(star.name, 1s);
    auto loaded = load_topology_file(file);
    ASSERT_TRUE(loaded.topology);
    auto desired = build_desired(*loaded.topology);
    NetlinkKernel kernel;
    RecordStore store;
    Engine engine(kernel, store, Options{.lock_timeout = 300ms});
    auto t0 = std::chrono::steady_clock::now();
    try {
      engine.down(star.name);
      ADD_FAILURE() << "down ran without the lock";
    } catch (const RecordError& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("/run/netlab/" + star.name + ".lock"), std::string::npos) << msg;
      EXPECT_NE(msg.find("another netlab"), std::string::npos) << msg;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  }
  EXPECT_EQ(netlab("plan " + file).status, 0) << "the lab is untouched";
  ASSERT_EQ(netlab("down " + star.name).status, 0);
  EXPECT_EQ(dump_state(), before);
}

TEST_F(Race, LabsAndIptablesAtOnceLoseNoNatRule) {
  constexpr int kLabs = 4, kRules = 8, kForeign = 30;
  std::vector<Star> labs(kLabs);
  std::vector<std::string> files;
  for (int i = 0; i < kLabs; ++i) {
    labs[i].name = "nat" + std::to_string(i);
    labs[i].prefix = "n" + std::to_string(i) + "-";
    labs[i].octet = 100 + i;
    labs[i].count = 2;
    labs[i].nat_rules = kRules;
    labs[i].host_sysctls.clear();
    files.push_back(labs[i].write());
  }
  std::string before = dump_state();
  // Someone else's rules, added with the iptables tool (which takes the xtables lock, -w).
  auto foreign = [](int from) {
    return std::thread([from] {
      for (int k = from; k < from + kForeign; ++k)
        sh("iptables-legacy -w -t nat -A POSTROUTING -s 192.0.2." + std::to_string(k) +
           " -j MASQUERADE");
    });
  };
  {
    std::vector<Running> ups;
    auto t = foreign(1);
    for (const auto& f : files) ups.emplace_back(std::vector<std::string>{"up", f});
    for (auto& u : ups) {
      auto o = u.wait();
      EXPECT_EQ(o.status, 0) << o.err;
    }
    t.join();
  }
  auto save = sh("iptables-legacy-save -t nat").out;
  for (const auto& l : labs)
    EXPECT_EQ(occurrences(save, "\"netlab:" + l.name + "\""), size_t(kRules)) << save;
  EXPECT_EQ(occurrences(save, "-s 192.0.2."), size_t(kForeign)) << save;
  {
    std::vector<Running> downs;
    auto t = foreign(101);
    for (const auto& l : labs) downs.emplace_back(std::vector<std::string>{"down", l.name});
    for (auto& d : downs) {
      auto o = d.wait();
      EXPECT_EQ(o.status, 0) << o.err;
    }
    t.join();
  }
  save = sh("iptables-legacy-save -t nat").out;
  EXPECT_EQ(occurrences(save, "netlab:"), 0u) << save;
  EXPECT_EQ(occurrences(save, "-s 192.0.2."), size_t(2 * kForeign)) << save;
  ASSERT_EQ(sh("iptables-legacy -t nat -F POSTROUTING").status, 0);
  EXPECT_EQ(dump_state(), before);
}

TEST_F(Race, HostSysctlsOfTwoLabsAreRestoredWhateverTheOrder) {
  Star a, b;
  a.name = "sys-a", a.prefix = "a", a.octet = 61, a.count = 2;
  b.name = "sys-b", b.prefix = "b", b.octet = 62, b.count = 2;
  a.host_sysctls = {"net.ipv4.ip_default_ttl: 33"};
  b.host_sysctls = {"net.ipv4.icmp_echo_ignore_all: 1"};
  auto fa = a.write(), fb = b.write();
  const std::string ttl = host_sysctl("net.ipv4.ip_default_ttl");
  const std::string echo = host_sysctl("net.ipv4.icmp_echo_ignore_all");
  ASSERT_NE(ttl, "33");
  ASSERT_NE(echo, "1");
  std::string before = dump_state();
  auto run = [](std::vector<std::vector<std::string>> cmds) {
    std::vector<Running> rs;
    for (auto& c : cmds) rs.emplace_back(c);
    for (auto& r : rs) {
      auto o = r.wait();
      EXPECT_EQ(o.status, 0) << o.err;
    }
  };
  auto both_set = [&](const char* when) {
    EXPECT_EQ(host_sysctl("net.ipv4.ip_default_ttl"), "33") << when;
    EXPECT_EQ(host_sysctl("net.ipv4.icmp_echo_ignore_all"), "1") << when;
  };
  auto restored = [&](const char* when) {
    EXPECT_EQ(host_sysctl("net.ipv4.ip_default_ttl"), ttl) << when;
    EXPECT_EQ(host_sysctl("net.ipv4.icmp_echo_ignore_all"), echo) << when;
    EXPECT_EQ(dump_state(), before) << when;
  };
  // Overlapping: a up, b up, a down, b down.
  run({{"up", fa}});
  run({{"up", fb}});
  both_set("a, b up");
  run({{"down", a.name}});
  EXPECT_EQ(host_sysctl("net.ipv4.ip_default_ttl"), ttl);
  EXPECT_EQ(host_sysctl("net.ipv4.icmp_echo_ignore_all"), "1");
  run({{"down", b.name}});
  restored("a up, b up, a down, b down");
  // Nested: a up, b up, b down, a down.
  run({{"up", fa}});
  run({{"up", fb}});
  run({{"down", b.name}});
  EXPECT_EQ(host_sysctl("net.ipv4.ip_default_ttl"), "33");
  run({{"down", a.name}});
  restored("a up, b up, b down, a down");
  // At once, three times.
  for (int i = 0; i < 3; ++i) {
    run({{"up", fa}, {"up", fb}});
    both_set("both up at once");
    run({{"down", a.name}, {"down", b.name}});
    restored("both down at once");
  }
}

}  // namespace
}  // namespace netlab::testing
