// Instances on a real kernel: copies of one lab file brought up, checked and taken down by
// processes running at once, each under names of its own, and the machine as before after.
#include <chrono>
#include <cstdio>
#include <functional>

#include "copies.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

// Links in the host, no host address: copies of it can share the host.
const char* kLab = R"(name: web
namespaces:
  n1:
    routes: [{to: default, via: 10.0.0.1}]
  n2: {}
bridges:
  br0: {}
veths:
  - {name: v1, bridge: br0, peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}}
  - {name: veth-to-second, bridge: br0, peer: {name: eth0, namespace: n2, addresses: [10.0.0.3/24]}}
host:
  sysctl: {net.ipv4.conf.br0.forwarding: 1}
tests:
  - {from: n1, ping: 10.0.0.3}
  - {from: n2, ping: 10.0.0.2}
)";

// Per-interface settings besides dump_state: conntrack counts move with the copies' traffic.
std::string machine() {
  return machine_state("^net\\.ipv[46]\\.conf\\.");
}

double seconds(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

class Instances : public Sandbox {};

TEST_F(Instances, EightCopiesUpTestedAndDownAtOnceLeaveTheMachineAsItWas) {
  const std::string file = write_temp("lab.yaml", kLab);
  const std::string dir = file.substr(0, file.rfind('/'));
  const std::string before = machine();

  double one = seconds([&] { EXPECT_EQ(netlab("up -i 0 " + file).status, 0); });
  EXPECT_EQ(netlab("down -i 0 web").status, 0);
  std::string ups;
  double eight = seconds([&] { ups = all_at_once(8, "up " + file, dir); });
  ASSERT_EQ(ups, all_ok(8)) << sh("cat " + dir + "/log.*").out;
  std::printf("one up %.3f s, eight concurrent ups %.3f s\n", one, eight);

  EXPECT_EQ(sh("ls /run/netns | wc -l").out, "16\n");
  // Each copy's bridge holds its own two ports, the long name hashed to fit.
  EXPECT_EQ(
      sh("ip -o link show master br0_web_8 | grep -cE ' (v1_web_8|veth-t_[a-z0-9]{7}_)@'").out,
      "2\n");
  EXPECT_EQ(all_at_once(8, "test " + file, dir), all_ok(8)) << sh("cat " + dir + "/log.*").out;
  EXPECT_EQ(all_at_once(8, "plan " + file, dir), all_ok(8)) << sh("cat " + dir + "/log.*").out;
  EXPECT_EQ(all_at_once(8, "down web", dir), all_ok(8)) << sh("cat " + dir + "/log.*").out;
  EXPECT_EQ(machine(), before);
}

TEST_F(Instances, ExecAndStatusSpeakTheFilesNames) {
  const std::string file = write_temp("lab.yaml", kLab);
  ASSERT_EQ(netlab("up -i 7 " + file).status, 0);
  auto addr = netlab("exec -i 7 n1 -- ip -br -4 addr show eth0");
  EXPECT_EQ(addr.status, 0) << addr.err;
  EXPECT_NE(addr.out.find("10.0.0.2/24"), std::string::npos) << addr.out;
  auto st = netlab("status -i 7 web");
  EXPECT_EQ(st.status, 0) << st.err;
  EXPECT_NE(st.out.find("bridge br0 in host"), std::string::npos) << st.out;
  auto js = netlab("status --json -i 7 web");
  EXPECT_NE(js.out.find("\"lab\": \"web@7\""), std::string::npos) << js.out;
  EXPECT_NE(js.out.find("\"instance\": \"7\""), std::string::npos) << js.out;
  auto missing = netlab("exec -i 8 n1 -- true");
  EXPECT_EQ(missing.status, 125);
  EXPECT_EQ(missing.err, "netlab: error: no lab up as instance 8 has a namespace n1\n");
  EXPECT_EQ(netlab("down web@7").status, 0);
}

// A copy's up killed half-way: the other copies are as they were, and down of that copy from
// its name alone removes what it had made.
TEST_F(Instances, AKilledUpOfOneCopyLeavesTheOthersAndItsDownCleans) {
  std::string yaml = "name: big\nnamespaces:\n";
  for (int i = 0; i < 40; ++i) yaml += "  n" + std::to_string(i) + ": {}\n";
  yaml += "bridges:\n  br0: {}\nveths:\n";
  for (int i = 0; i < 40; ++i)
    yaml += "  - {name: v" + std::to_string(i) + ", bridge: br0, peer: {name: eth0, namespace: n" +
            std::to_string(i) + "}}\n";
  const std::string file = write_temp("lab.yaml", yaml);
  const std::string before = machine();
  ASSERT_EQ(netlab("up -i 1 " + file).status, 0);
  ASSERT_EQ(netlab("up -i 2 " + file).status, 0);
  // Killed once its journal holds something: it has begun to change the kernel.
  auto killed =
      sh(std::string(NETLAB_BINARY) + " up -i 3 " + file +
         " >/dev/null 2>&1 & pid=$!; "
         "until [ -s /run/netlab/big@3.journal ] || ! kill -0 $pid 2>/dev/null; do :; done; "
         "kill -9 $pid; wait $pid; echo $?");
  EXPECT_TRUE(killed.out == "137\n" || killed.out == "0\n") << killed.out;
  EXPECT_EQ(netlab("plan -i 1 " + file).status, 0);
  EXPECT_EQ(netlab("plan -i 2 " + file).status, 0);
  auto down = netlab("down big@3");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(sh("ls /run/netns | grep -c '_big_3$' || true").out, "0\n");
  EXPECT_EQ(netlab("plan -i 1 " + file).status, 0);
  EXPECT_EQ(netlab("down -i 1 big").status, 0);
  EXPECT_EQ(netlab("down -i 2 big").status, 0);
  EXPECT_EQ(machine(), before);
}

TEST_F(Instances, NamesAtTheLimitsStayUniqueAndValid) {
  const std::string lab(32, 'l');
  const std::string id = "ci-job-" + std::string(25, '9');
  std::string yaml = std::string(kLab);
  yaml.replace(yaml.find("web"), 3, lab);
  yaml.replace(yaml.find("veth-to-second"), 14, "abcdefghijklmno");
  const std::string file = write_temp("lab.yaml", yaml);
  for (const char* i : {"1", "2"}) {
    auto up = netlab("up -i " + id.substr(0, id.size() - 1) + i + " " + file);
    ASSERT_EQ(up.status, 0) << up.err;
  }
  EXPECT_EQ(sh("ip -br link | grep -c '^abcdef'").out, "2\n");
  EXPECT_EQ(netlab("test -i " + id.substr(0, id.size() - 1) + "2 " + file).status, 0);
  for (const char* i : {"1", "2"})
    EXPECT_EQ(netlab("down -i " + id.substr(0, id.size() - 1) + i + " " + lab).status, 0);
  EXPECT_EQ(sh("ls /run/netns | wc -l").out, "0\n");
}

}  // namespace
}  // namespace netlab::testing
