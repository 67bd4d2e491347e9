// Robustness at the edges: a real kernel failure mid-apply is rolled back and explained; the
// files root leaves in /run/netlab are private; path-like lab names never become paths; and
// hostile topology files end in an error, quickly, never in a crash or a hang.
// (Crashes, signals, clashes and races: robustness_{crash,signal,conflict,race}_test.cc.)
#include <sys/stat.h>

#include <chrono>
#include <sstream>

#include "robustness_util.h"
#include "state_dump.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

// A sysctl key that looks right but names no file in /proc/sys: only the kernel can say no,
// and it does so while `up` is applying. In the host it fails after the host's ip_forward was
// set; in the namespaces, after every namespace and veth has been made.
class KernelFailure : public Sandbox,
                      public ::testing::WithParamInterface<std::pair<const char*, bool>> {};

TEST_P(KernelFailure, RollsBackNamesTheObjectAndTheReason) {
  const auto [key, in_namespaces] = GetParam();
  ASSERT_EQ(sh("echo 0 > /proc/sys/net/ipv4/ip_forward").status, 0);
  Star star;
  star.count = 30;
  (in_namespaces ? star.ns_sysctls : star.host_sysctls).push_back(std::string(key) + ": 1");
  auto file = star.write();
  std::string before = dump_state();
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_NE(up.err.find(key), std::string::npos) << "name the object\n" << up.err;
  EXPECT_NE(up.err.find("No such file or directory"), std::string::npos)
      << "give the kernel's reason\n"
      << up.err;
  EXPECT_NE(up.err.find("rolled back"), std::string::npos) << up.err;
  EXPECT_EQ(dump_state(), before);
  EXPECT_EQ(host_sysctl("net.ipv4.ip_forward"), "0");
  EXPECT_EQ(sh("ls /run/netlab/*.json /run/netlab/*.journal 2>/dev/null").out, "")
      << "nothing is owned after a rollback";
  auto down = netlab("down " + star.name);
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_NE(down.out.find("nothing to remove"), std::string::npos) << down.out;
  EXPECT_EQ(dump_state(), before);
}

INSTANTIATE_TEST_SUITE_P(Sysctl, KernelFailure,
                         ::testing::Values(std::pair{"net.ipv4.no_such_key", false},
                                           std::pair{"net.ipv4.conf.eth0.no_such_key", true}),
                         [](const auto& info) {
                           return info.param.second ? "InNamespaces" : "InHost";
                         });

class RootFiles : public Sandbox {};

// Records say what a lab owns and what the host's settings were: root's business only, even
// when netlab runs with a careless umask.
TEST_F(RootFiles, RecordFilesArePrivate) {
  Star star;
  star.count = 3;
  auto file = star.write();
  auto up = sh("umask 000 && NO_COLOR=1 " NETLAB_BINARY " up " + file);
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(sh("stat -c '%a %U' /run/netlab").out, "700 root\n");
  auto files = sh("cd /run/netlab && stat -c '%a %U %n' *").out;
  EXPECT_NE(files.find("600 root star.json\n"), std::string::npos) << files;
  std::istringstream lines(files);
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(line.starts_with("600 root ") || line == "700 root star.etc") << line;
  // The lab's names are readable inside, as /etc/hosts is; the directory keeps others out.
  EXPECT_EQ(sh("stat -c '%a %U' /run/netlab/star.etc/hosts").out, "644 root\n");
  ASSERT_EQ(netlab("down " + star.name).status, 0);
}

TEST_F(RootFiles, PathLikeLabNamesAreRefusedBeforeAnyPathIsBuilt) {
  // From a directory where ../../etc is /etc, so the name also "exists" as a path.
  ASSERT_EQ(sh("mkdir -p /tmp/nl-cwd/a/b").status, 0);
  for (const std::string& name :
       std::vector<std::string>{"../../etc", "..", ".", "/etc", "/run/netlab/x", "a/b", "-", "Lab",
                                "lab\\n", "lab.json", std::string(33, 'a'), "x/../../y"}) {
    auto down = sh("cd /tmp/nl-cwd/a/b && NO_COLOR=1 " NETLAB_BINARY " down '" + name + "'");
    EXPECT_EQ(down.status, 1) << name << "\n" << down.out << down.err;
    EXPECT_NE(down.err.find("error"), std::string::npos) << name << "\n" << down.err;
    EXPECT_EQ(sh("ls -d /run/netlab 2>/dev/null").out, "") << name << ": nothing may be made";
  }
  // A topology may not name its lab like a path either.
  auto file = write_temp("evil.yaml", "name: ../../etc/x\n");
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_EQ(sh("ls -d /run/netlab 2>/dev/null").out, "");
}

// Hostile files at the command line: an error (exit 1) within seconds, for every verb that
// reads a file, and nothing made.
class HostileInput : public Sandbox,
                     public ::testing::WithParamInterface<std::pair<const char*, std::string>> {};

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string alias_bomb() {
  std::string y = "name: bomb\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 12; ++i) {
    const std::string n = std::to_string(i);
    const std::string prev = "*a" + std::to_string(i - 1);
    // Appended piece by piece: one long chain of operator+ trips a false -Wrestrict in g++ 12.
    y.append("x").append(n).append(": &a").append(n).append(" [");
    y.append(repeat(prev + ", ", 8)).append(prev).append("]\n");
  }
  return y + "namespaces: *a11\n";
}

TEST_P(HostileInput, FailsQuicklyWithAnError) {
  const auto& [name, content] = GetParam();
  std::string file = content.starts_with("/dev/") ? content : write_temp("hostile.yaml", content);
  const std::string out = write_temp("out", "");
  for (const char* verb : {"validate", "plan", "up"}) {
    auto t0 = std::chrono::steady_clock::now();
    auto status = sh(std::string("timeout -s KILL 20 " NETLAB_BINARY " ") + verb + " " + file +
                     " >" + out + " 2>&1; echo $?")
                      .out;
    auto took = std::chrono::steady_clock::now() - t0;
    auto printed = read_file(out).substr(0, 4000);
    EXPECT_EQ(status, "1\n") << name << ", " << verb << ":\n" << printed;
    EXPECT_LT(took, 5s) << name << ", " << verb;
    EXPECT_NE(printed.find("error"), std::string::npos) << name << ", " << verb << ":\n" << printed;
  }
  EXPECT_EQ(sh("ls -d /run/netlab 2>/dev/null").out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Files, HostileInput,
    ::testing::Values(
        std::pair{"Huge", "name: huge\n" + repeat("# padding padding padding padding\n", 100000)},
        std::pair{"Endless", std::string("/dev/zero")},
        std::pair{"DeepFlow", "name: deep\nnamespaces: " + repeat("[", 200000)},
        std::pair{"DeepBlock", "name: deep\n" +
                                   [] {
                                     std::string y;
                                     for (int i = 0; i < 5000; ++i)
                                       y += std::string(i, ' ') + "k:\n";
                                     return y;
                                   }()},
        std::pair{"AliasBomb", alias_bomb()},
        std::pair{"NotUtf8",
                  std::string("name: \xff\xfe\xc3\x28lab\nnamespaces: {\xe2\x82: {}}\n")},
        std::pair{"NulBytes", std::string("name: a\0b\nnamespaces: {}\n", 25)},
        std::pair{
            "NumbersOutOfRange",
            std::string("name: nums\nnamespaces:\n  n0:\n    routes:\n"
                        "      - {to: default, dev: e0, metric: 99999999999999999999999}\n"
                        "      - {to: 10.0.0.0/8, dev: e0, metric: -1}\n"
                        "bridges:\n  br0: {mtu: 4294967296}\n"
                        "veths:\n  - {name: e0, namespace: n0, mtu: -1500, peer: {name: e1}}\n"
                        "nat:\n  - {type: dnat, protocol: tcp, port: 70000, to: "
                        "10.0.0.1:99999}\n")},
        std::pair{
            "BadAddresses",
            std::string("name: addrs\nbridges:\n  br0: {addresses: [300.1.1.1/24, "
                        "10.0.0.1/33, ::1/129, 1.2.3.4/-1, 1.2.3.4/99999999999999999999]}\n")}),
    [](const auto& info) { return info.param.first; });

}  // namespace
}  // namespace netlab::testing
