// Every seed lab in topologies/: `netlab up` must build exactly what the seed post's own
// commands (tests/seeds/*.sh) build, its pings must cross the lab, a second `up` must change
// nothing, and `down` must leave the sandbox as it found it, twice in a row.
#include <dirent.h>

#include <algorithm>

#include "parse/load.h"
#include "sandbox.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

std::vector<std::string> seed_labs() {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(source_path("tests/seeds").c_str()), closedir);
  while (d && (errno = 0, true)) {
    auto* e = readdir(d.get());
    if (!e) break;
    std::string n = e->d_name;
    if (n.size() > 3 && n.substr(n.size() - 3) == ".sh") out.push_back(n.substr(0, n.size() - 3));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SeedLab : public Sandbox, public ::testing::WithParamInterface<std::string> {
 protected:
  std::string yaml() const { return source_path("topologies/" + GetParam() + ".yaml"); }
  std::string script() const { return source_path("tests/seeds/" + GetParam() + ".sh"); }
};

TEST_P(SeedLab, UpBuildsWhatTheSeedsCommandsBuild) {
  std::string expected = dump_after_script_in_new_sandbox(script());
  ASSERT_EQ(expected.find("failed"), std::string::npos) << expected;
  auto up = netlab("up " + yaml());
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(dump_state(), expected);
}

TEST_P(SeedLab, PingsCrossTheLab) {
  auto loaded = load_topology_file(yaml());
  ASSERT_TRUE(loaded.topology);
  auto up = netlab("up " + yaml());
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  for (const auto& t : loaded.topology->tests) {
    std::string where = t.from.value == "host" ? "" : "ip netns exec " + t.from.value + " ";
    ASSERT_EQ(t.kind, CheckKind::Ping);
    auto ping = sh(where + "ping -c1 -W2 " + t.to.value.str());
    EXPECT_EQ(ping.status == 0, t.expect.value == Expect::Reachable)
        << "from " << t.from.value << " to " << t.to.value.str() << "\n"
        << ping.out;
  }
}

TEST_P(SeedLab, SecondUpChangesNothingAndDownRestoresTheSandbox) {
  std::string before = dump_state();
  ASSERT_EQ(netlab("up " + yaml()).status, 0);
  auto built = dump_state();
  auto again = netlab("up " + yaml());
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to change"), std::string::npos) << again.out;
  auto plan = netlab("plan " + yaml());
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;
  EXPECT_EQ(dump_state(), built);

  auto lab = load_topology_file(yaml()).topology->name.value;
  auto down = netlab("down " + lab);
  EXPECT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_EQ(dump_state(), before);
  auto down2 = netlab("down " + lab);
  EXPECT_EQ(down2.status, 0) << down2.out << down2.err;
  EXPECT_NE(down2.out.find("nothing to remove"), std::string::npos) << down2.out;
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(sh("ls /run/netlab").out, "") << "the record must be gone";
}

INSTANTIATE_TEST_SUITE_P(Seeds, SeedLab, ::testing::ValuesIn(seed_labs()), [](const auto& info) {
  std::string n = info.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

}  // namespace
}  // namespace netlab::testing
