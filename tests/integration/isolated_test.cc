// Isolated labs on a real kernel: copies of a lab that gives its host a bridge, an address, a
// route, a setting and NAT, up and down at once, each in a host namespace of its own; the
// machine's network sees not one change the whole time.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "copies.h"
#include "kernel/fd.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: iso
host:
  isolated: true
  sysctl: {net.ipv4.ip_forward: 1}
  routes: [{to: 10.9.0.0/16, via: 10.0.0.3}]
namespaces:
  n1:
    routes: [{to: default, via: 10.0.0.1}]
  n2: {}
bridges:
  br0: {addresses: [10.0.0.1/24]}
veths:
  - {name: v1, bridge: br0, peer: {name: eth0, namespace: n1, addresses: [10.0.0.2/24]}}
  - {name: v2, bridge: br0, peer: {name: eth0, namespace: n2, addresses: [10.0.0.3/24]}}
nat:
  - {type: masquerade, source: 10.0.0.0/24, out: "!br0"}
tests:
  - {from: n1, ping: 10.0.0.3}
  - {from: host, ping: 10.0.0.2}
  - {from: n2, ping: 10.0.0.1}
)";

// Every rtnetlink event of the namespace it is opened in: links, addresses, routes, rules,
// neighbours, settings (netconf) and namespace IDs. The kernel queues them until read.
class Monitor {
 public:
  Monitor() : fd_(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    int size = 4 << 20;
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    for (int group : {RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE,
                      RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_RULE,
                      RTNLGRP_IPV4_NETCONF, RTNLGRP_IPV6_NETCONF, RTNLGRP_NSID})
      EXPECT_EQ(setsockopt(fd_.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group),
                0);
  }
  // The events queued since the last call (an overflow counts as one more).
  int events() {
    int n = 0;
    char buf[65536];
    for (;;) {
      ssize_t len = recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (len < 0 && errno == ENOBUFS) {
        ++n;
        continue;
      }
      if (len <= 0) return n;
      for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
        ++n;
    }
  }

 private:
  kernel::Fd fd_;
};

// Every network setting: an isolated copy's traffic never reaches the machine's namespace.
std::string machine() {
  return machine_state("^net\\.");
}

class Isolated : public Sandbox {};

TEST_F(Isolated, EightCopiesWithAHostAddressAndNatNeverTouchTheMachinesNetwork) {
  const std::string file = write_temp("lab.yaml", kLab);
  const std::string dir = file.substr(0, file.rfind('/'));
  sh("ip link set lo up");
  const std::string before = machine();
  Monitor monitor;
  // The monitor sees what changes here: a link made and removed by hand.
  sh("ip link add probe0 type veth peer name probe1 && ip link del probe0");
  ASSERT_GT(monitor.events(), 0);

  const std::string log = "cat " + dir + "/log.*";
  ASSERT_EQ(all_at_once(8, "up " + file, dir), all_ok(8)) << sh(log).out;
  EXPECT_EQ(all_at_once(8, "test " + file, dir), all_ok(8)) << sh(log).out;
  EXPECT_EQ(all_at_once(8, "plan " + file, dir), all_ok(8)) << sh(log).out;
  // Each copy's host is its own: the same address on each bridge, its own NAT rule.
  auto addr = netlab("exec -i 5 --lab iso host -- ip -br -4 addr show br0_iso_5");
  EXPECT_NE(addr.out.find("10.0.0.1/24"), std::string::npos) << addr.out << addr.err;
  auto nat = sh("ip netns exec iso.5.host iptables-legacy -t nat -S POSTROUTING");
  EXPECT_NE(nat.out.find("netlab:iso@5"), std::string::npos) << nat.out << nat.err;
  EXPECT_EQ(all_at_once(8, "down iso", dir), all_ok(8)) << sh(log).out;

  EXPECT_EQ(monitor.events(), 0);
  EXPECT_EQ(machine(), before);
  EXPECT_EQ(sh("ls /run/netns 2>/dev/null | wc -l").out, "0\n");
}

TEST_F(Isolated, ChosenOnTheCommandLineAndKeptByTheRecord) {
  std::string yaml = kLab;
  yaml.replace(yaml.find("  isolated: true\n"), 17, "");
  const std::string file = write_temp("lab.yaml", yaml);
  const std::string before = machine();
  auto up = netlab("up --isolated " + file);
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(sh("ip -br addr show br0 2>&1 | grep -c 10.0.0.1 || true").out, "0\n");
  // plan, test and status read the lab's own host without being told again.
  EXPECT_EQ(netlab("plan --isolated " + file).status, 0);
  EXPECT_EQ(netlab("test " + file).status, 0);
  auto st = netlab("status iso");
  EXPECT_EQ(st.status, 0) << st.out << st.err;
  auto list = netlab("list");
  EXPECT_NE(list.out.find("\niso                              own "), std::string::npos)
      << list.out;
  // Up isolated, it stays so: up and plan without --isolated follow the record.
  auto again = netlab("up " + file);
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, "lab iso is up to date: nothing to change\n");
  EXPECT_EQ(netlab("plan " + file).status, 0);
  EXPECT_EQ(netlab("down iso").status, 0);
  EXPECT_EQ(machine(), before);
}

// A kill -9 of an isolated up at any moment: down from the name alone removes the lab's host.
// Killed once the journal has 1, 2, 3, ... lines: the first is the host's, before it is made.
TEST_F(Isolated, AKilledUpLeavesNothingDownCannotRemove) {
  const std::string file = write_temp("lab.yaml", kLab);
  const std::string before = machine();
  for (int lines : {1, 2, 3, 4, 6, 8}) {
    SCOPED_TRACE("killed at journal line " + std::to_string(lines));
    auto killed = sh(std::string(NETLAB_BINARY) + " up " + file +
                     " >/dev/null 2>&1 & pid=$!; "
                     "until [ \"$(wc -l </run/netlab/iso.journal 2>/dev/null || echo 0)\" -ge " +
                     std::to_string(lines) +
                     " ] || ! kill -0 $pid 2>/dev/null; do :; done; "
                     "kill -9 $pid; wait $pid; echo $?");
    EXPECT_TRUE(killed.out == "137\n" || killed.out == "0\n") << killed.out;
    auto down = netlab("down iso");
    EXPECT_EQ(down.status, 0) << down.err;
    EXPECT_EQ(sh("ls /run/netns 2>/dev/null | wc -l").out, "0\n");
    EXPECT_EQ(machine(), before);
  }
}

}  // namespace
}  // namespace netlab::testing
