// Link impairment on the real kernel: a rate measured from one namespace to another with
// sockets opened inside them (no iperf), changed in place and removed; netem where the kernel
// has it, and a clear refusal at plan time where it has not.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "kernel/fd.h"
#include "kernel/netns.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

using kernel::Fd;

const char* kLab = R"(name: imp
namespaces:
  net0: {}
  net1: {}
veths:
  - name: a0
    namespace: net0
    addresses: [10.9.0.1/24]
    impair: IMPAIR
    peer: {name: b0, namespace: net1, addresses: [10.9.0.2/24]}
)";

std::string lab(const std::string& impair) {
  std::string s = kLab;
  return s.replace(s.find("IMPAIR"), 6, impair);
}

// A TCP socket made inside namespace `ns`: it stays there wherever the thread goes.
Fd socket_in(const std::string& ns) {
  Fd fd;
  kernel::in_named_netns(ns, [&] { fd = Fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
  if (fd.get() < 0) throw std::runtime_error("socket in " + ns);
  return fd;
}

// Sends `bytes` over TCP from net0 to net1 and returns the rate the receiver saw, in bit/s:
// from its first byte to its last, so the tbf's initial bucket counts for little.
double measure(size_t bytes) {
  Fd listener = socket_in("net1");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(5001);
  inet_pton(AF_INET, "10.9.0.2", &addr.sin_addr);
  int one = 1;
  setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener.get(), 1) != 0)
    throw std::runtime_error("listen in net1");
  Fd client = socket_in("net0");
  if (connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect from net0");
  Fd conn(accept(listener.get(), nullptr, nullptr));
  auto sender = std::async(std::launch::async, [&] {
    std::vector<char> chunk(64 * 1024, 'x');
    for (size_t sent = 0; sent < bytes;) {
      ssize_t n = send(client.get(), chunk.data(), std::min(chunk.size(), bytes - sent), 0);
      if (n <= 0) return false;
      sent += n;
    }
    return shutdown(client.get(), SHUT_WR) == 0;
  });
  std::vector<char> buf(256 * 1024);
  size_t got = 0, first = 0;
  std::chrono::steady_clock::time_point start, end;
  for (;;) {
    ssize_t n = recv(conn.get(), buf.data(), buf.size(), 0);
    if (n <= 0) break;
    if (got == 0) {
      start = std::chrono::steady_clock::now();
      first = n;
    }
    got += n;
    end = std::chrono::steady_clock::now();
  }
  EXPECT_TRUE(sender.get());
  EXPECT_EQ(got, bytes);
  double seconds = std::chrono::duration<double>(end - start).count();
  return (got - first) * 8 / seconds;
}

std::string ifindex_of_a0() {
  std::string line = sh("ip -n net0 -o link show dev a0").out;
  return line.substr(0, line.find(':'));
}

class Impair : public Sandbox {};

TEST_F(Impair, ARateIsMetChangedInPlaceAndRemoved) {
  auto file = write_temp("imp.yaml", lab("{rate: 10mbit}"));
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  // Checked independently: a tbf of netlab's handle at the root of a0.
  std::string tc = sh("tc -n net0 qdisc show dev a0").out;
  EXPECT_NE(tc.find("qdisc tbf 4e4c: root"), std::string::npos) << tc;
  EXPECT_NE(tc.find("rate 10Mbit"), std::string::npos) << tc;
  const std::string ifindex = ifindex_of_a0();

  double r10 = measure(2'500'000);  // 2 s at 10 Mbit/s
  std::printf("rate 10mbit: measured %.2f Mbit/s\n", r10 / 1e6);
  EXPECT_NEAR(r10, 10e6, 1.5e6);

  std::ofstream(file) << lab("{rate: 20mbit}");
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 2);
  EXPECT_NE(plan.out.find("~ veth a0 (peer b0 in net1) in net0  (rate 10mbit -> 20mbit)"),
            std::string::npos)
      << plan.out;
  up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(ifindex_of_a0(), ifindex);
  double r20 = measure(2'500'000);  // 1 s at 20 Mbit/s
  std::printf("rate 20mbit: measured %.2f Mbit/s\n", r20 / 1e6);
  EXPECT_NEAR(r20, 20e6, 3e6);
  EXPECT_EQ(netlab("plan " + file).status, 0);

  ASSERT_EQ(sh("sed -i '/impair:/d' " + file).status, 0);
  up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(ifindex_of_a0(), ifindex);
  tc = sh("tc -n net0 qdisc show dev a0").out;
  EXPECT_EQ(tc.find("tbf"), std::string::npos) << tc;
  double free_rate = measure(25'000'000);
  std::printf("unimpaired: measured %.2f Mbit/s\n", free_rate / 1e6);
  EXPECT_GT(free_rate, 200e6);
  EXPECT_EQ(netlab("down imp").status, 0);
}

// Whether this kernel has sch_netem: asked with tc on the sandbox's loopback.
bool kernel_has_netem() {
  bool has = sh("tc qdisc add dev lo root handle 1: netem delay 1ms").status == 0;
  sh("tc qdisc del dev lo root 2>/dev/null");
  return has;
}

TEST_F(Impair, WithoutNetemPlanNamesTheModuleAndRateAloneWorks) {
  if (kernel_has_netem()) GTEST_SKIP() << "this kernel has sch_netem";
  auto file = write_temp("imp.yaml", lab("{rate: 10mbit, delay: 10ms, loss: 1%}"));
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 1);
  EXPECT_NE(plan.err.find("sch_netem (CONFIG_NET_SCH_NETEM)"), std::string::npos) << plan.err;
  EXPECT_NE(plan.err.find("delay, loss"), std::string::npos) << plan.err;
  EXPECT_EQ(netlab("up " + file).status, 1);
  EXPECT_EQ(sh("ip netns list").out, "");  // nothing was made
  auto rate = write_temp("rate.yaml", lab("{rate: 10mbit}"));
  EXPECT_EQ(netlab("up " + rate).status, 0);
  EXPECT_EQ(netlab("down imp").status, 0);
}

TEST_F(Impair, NetemDelaysChangesInPlaceAndGoes) {
  if (!kernel_has_netem())
    GTEST_SKIP() << "this kernel has no sch_netem (CONFIG_NET_SCH_NETEM is not set)";
  auto file = write_temp("imp.yaml", lab("{rate: 50mbit, delay: 20ms, loss: 0.5%, corrupt: 1%}"));
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  std::string tc = sh("tc -n net0 qdisc show dev a0").out;
  EXPECT_NE(tc.find("netem 4e4c: root"), std::string::npos) << tc;
  EXPECT_NE(tc.find("delay 20ms"), std::string::npos) << tc;
  EXPECT_NE(tc.find("tbf 4e4d: parent 4e4c:1"), std::string::npos) << tc;
  EXPECT_EQ(netlab("plan " + file).status, 0);
  const std::string ifindex = ifindex_of_a0();
  ASSERT_EQ(sh("sed -i 's/delay: 20ms, loss: 0.5%, corrupt: 1%/delay: 50ms/' " + file).status, 0);
  up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  tc = sh("tc -n net0 qdisc show dev a0").out;
  EXPECT_NE(tc.find("delay 50ms"), std::string::npos) << tc;
  EXPECT_EQ(tc.find("corrupt"), std::string::npos) << tc;
  EXPECT_EQ(tc.find("loss"), std::string::npos) << tc;
  EXPECT_EQ(ifindex_of_a0(), ifindex);
  EXPECT_EQ(netlab("plan " + file).status, 0);
  ASSERT_EQ(sh("sed -i '/impair:/d' " + file).status, 0);
  ASSERT_EQ(netlab("up " + file).status, 0);
  EXPECT_EQ(sh("tc -n net0 qdisc show dev a0").out.find("netem"), std::string::npos);
  EXPECT_EQ(netlab("down imp").status, 0);
}

// Somebody else's qdisc where the file impairs: a conflict, and nothing is changed.
TEST_F(Impair, ForeignQdiscIsAConflict) {
  auto plain = write_temp("imp.yaml", lab("{}"));
  ASSERT_EQ(netlab("up " + plain).status, 0);
  ASSERT_EQ(
      sh("tc -n net0 qdisc add dev a0 root handle 5: tbf rate 1mbit burst 5k limit 10k").status, 0);
  auto file = write_temp("imp.yaml", lab("{rate: 10mbit}"));
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("tbf qdisc (handle 5:)"), std::string::npos) << up.err;
  EXPECT_NE(sh("tc -n net0 qdisc show dev a0").out.find("tbf 5: root"), std::string::npos);
  EXPECT_EQ(netlab("down imp").status, 0);
}

}  // namespace
}  // namespace netlab::testing
