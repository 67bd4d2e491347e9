// NAT end to end through `netlab up`: a namespace behind a masquerading host reaches an
// "outside" namespace (standing for the Internet, with no route back to the lab) and the
// outside sees the host's address; a port forward on the host reaches a server in the lab;
// rules that are not the lab's are byte for byte the same after up and after down.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <sstream>

#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: natlab
host:
  sysctl: {net.ipv4.ip_forward: 1}
namespaces:
  outside: {}   # the Internet: it has no route back to 10.10.0.0/24
  net0:
    routes: [{to: default, via: 10.10.0.1}]
bridges:
  br0: {addresses: [10.10.0.1/24]}
veths:
  - name: uplink
    addresses: [203.0.113.1/24]
    peer: {name: eth0, namespace: outside, addresses: [203.0.113.2/24]}
  - name: veth0
    bridge: br0
    peer: {name: eth0, namespace: net0, addresses: [10.10.0.2/24]}
nat:
  - type: masquerade
    source: 10.10.0.0/24
    out: uplink
  - type: dnat
    in: uplink
    protocol: tcp
    port: 8080
    to: 10.10.0.2:80
)";

void enter(const std::string& ns) {
  if (ns == "host") return;
  int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(90);
  close(fd);
}

sockaddr_in address(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// A one-connection TCP server in `server_ns` on `port` answers with the address it saw the
// client come from; a client in `client_ns` connects to dest:dest_port and returns that
// answer ("" when it could not connect within 3 s).
std::string seen_source(const std::string& server_ns, uint16_t port, const std::string& client_ns,
                        const char* dest, uint16_t dest_port) {
  int ready[2], result[2];
  if (pipe(ready) != 0 || pipe(result) != 0) return "pipe";
  pid_t server = fork();
  if (server == 0) {
    enter(server_ns);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto any = address("0.0.0.0", port);
    if (bind(s, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 || listen(s, 1) != 0) _exit(91);
    (void)!write(ready[1], "r", 1);
    pollfd p{s, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) _exit(92);
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int c = accept(s, reinterpret_cast<sockaddr*>(&peer), &len);
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    (void)!write(c, text, strlen(text));
    close(c);
    _exit(0);
  }
  char r;
  (void)!read(ready[0], &r, 1);
  pid_t client = fork();
  if (client == 0) {
    enter(client_ns);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{3, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto to = address(dest, dest_port);
    if (connect(s, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) _exit(93);
    char buf[64] = {};
    ssize_t n = read(s, buf, sizeof buf - 1);
    if (n > 0) (void)!write(result[1], buf, n);
    _exit(0);
  }
  close(result[1]);
  int st;
  waitpid(client, &st, 0);
  if (WIFEXITED(st) && WEXITSTATUS(st) != 0) kill(server, SIGKILL);
  waitpid(server, &st, 0);
  std::string out;
  char buf[64];
  ssize_t n;
  while ((n = read(result[0], buf, sizeof buf)) > 0) out.append(buf, n);
  close(ready[0]);
  close(ready[1]);
  close(result[0]);
  return out;
}

// Every table's rules as iptables-legacy-save prints them, without comments and counters.
std::string all_rules(const std::string& ns = "host") {
  std::string exec = ns == "host" ? "" : "ip netns exec " + ns + " ";
  return sh(exec + "iptables-legacy-save | grep -v '^#' | sed 's/\\[[0-9]*:[0-9]*\\]//'").out;
}

class NatLab : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    file_ = write_temp("natlab.yaml", kLab);
  }
  std::string file_;
};

TEST_F(NatLab, MasqueradedNamespaceReachesTheOutsideAsTheHost) {
  auto up = netlab("up " + file_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(seen_source("outside", 7000, "net0", "203.0.113.2", 7000), "203.0.113.1");
  ASSERT_EQ(netlab("down natlab").status, 0);
  EXPECT_EQ(sh("cat /proc/sys/net/ipv4/ip_forward").out, "0\n");
}

TEST_F(NatLab, PortForwardOnTheHostReachesAServerInTheLab) {
  auto up = netlab("up " + file_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  // From the outside, through PREROUTING: no source NAT, the server sees the client.
  EXPECT_EQ(seen_source("net0", 80, "outside", "203.0.113.1", 8080), "203.0.113.2");
  // Not the host's own connections: they do not arrive on `in: uplink`, so the host's own
  // service on that port answers them.
  EXPECT_EQ(seen_source("host", 8080, "host", "203.0.113.1", 8080), "203.0.113.1");
  // Traffic that only passes through the host is not taken: the lab's own connection to
  // port 8080 of the outside reaches the outside.
  EXPECT_EQ(seen_source("outside", 8080, "net0", "203.0.113.2", 8080), "203.0.113.1");
}

// A forward on no particular interface serves the host's own connections too, through
// OUTPUT, but not those to loopback: a host service on 127.0.0.1 and the forwarded port keep
// working while the lab is up.
class HostForward : public Sandbox {
 protected:
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    std::string lab = kLab;
    lab.replace(lab.find("    in: uplink\n"), 15, "");
    file_ = write_temp("natlab.yaml", lab);
  }
  std::string file_;
};

TEST_F(HostForward, HostLoopbackServiceOnTheSamePortStaysReachable) {
  auto up = netlab("up " + file_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(seen_source("host", 8080, "host", "127.0.0.1", 8080), "127.0.0.1");
  // The forward still works from a host address and from another namespace.
  EXPECT_EQ(seen_source("net0", 80, "host", "203.0.113.1", 8080), "203.0.113.1");
  EXPECT_EQ(seen_source("net0", 80, "outside", "203.0.113.1", 8080), "203.0.113.2");
  EXPECT_EQ(seen_source("net0", 80, "host", "10.10.0.1", 8080), "10.10.0.1");
  ASSERT_EQ(netlab("down natlab").status, 0);
  EXPECT_EQ(sh("iptables-legacy-save -t nat | grep '^-A'").out, "");
}

TEST_F(HostForward, RuleWithoutTheLoopbackExclusionIsReplacedByUp) {
  ASSERT_EQ(netlab("up " + file_).status, 0);
  // The OUTPUT rule as an earlier netlab made it.
  const std::string old =
      "-A OUTPUT -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment --comment "
      "\"netlab:natlab\" -j DNAT --to-destination 10.10.0.2:80";
  ASSERT_EQ(sh("iptables-legacy -w -t nat -F OUTPUT && iptables-legacy -w -t nat " + old).status,
            0);
  auto plan = netlab("plan " + file_);
  EXPECT_EQ(plan.status, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("- nat rule -A OUTPUT -p tcp --dport 8080 -m addrtype"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("+ nat rule -A OUTPUT ! -d 127.0.0.0/8 -p tcp --dport 8080"),
            std::string::npos)
      << plan.out;
  auto up = netlab("up " + file_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_EQ(sh("iptables-legacy-save -t nat | grep '^-A OUTPUT'").out,
            "-A OUTPUT ! -d 127.0.0.0/8 -p tcp -m tcp --dport 8080 -m addrtype --dst-type LOCAL "
            "-m comment --comment \"netlab:natlab\" -j DNAT --to-destination 10.10.0.2:80\n");
  EXPECT_EQ(netlab("plan " + file_).status, 0);
  EXPECT_EQ(seen_source("host", 8080, "host", "127.0.0.1", 8080), "127.0.0.1");
}

TEST_F(NatLab, RulesOfOthersAreByteForByteTheSameAfterUpAndDown) {
  for (const char* rule :
       {"-t nat -A POSTROUTING -s 192.168.99.0/24 -j MASQUERADE",
        "-t nat -A PREROUTING -p tcp --dport 9999 -j DNAT --to-destination 192.168.99.2",
        "-t nat -A POSTROUTING -m comment --comment netlab:otherlab -j MASQUERADE",
        "-t filter -A FORWARD -i br9 -j ACCEPT"})
    ASSERT_EQ(sh(std::string("iptables-legacy ") + rule).status, 0) << rule;
  std::string before = all_rules();
  auto up = netlab("up " + file_);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  std::string during = all_rules();
  // Everything that was there is still there, in the same order, unchanged.
  std::string without_ours;
  std::istringstream lines(during);
  for (std::string line; std::getline(lines, line);)
    if (line.find("netlab:natlab") == std::string::npos) without_ours += line + "\n";
  EXPECT_EQ(without_ours, before);
  EXPECT_NE(during.find("-A POSTROUTING -s 10.10.0.0/24 -o uplink -m comment --comment "
                        "\"netlab:natlab\" -j MASQUERADE"),
            std::string::npos)
      << during;
  ASSERT_EQ(netlab("down natlab").status, 0);
  EXPECT_EQ(all_rules(), before);
}

TEST_F(NatLab, NatRuleRemovedFromTheFileIsRemovedFromTheKernel) {
  ASSERT_EQ(netlab("up " + file_).status, 0);
  std::string edited = kLab;
  edited.erase(edited.find("  - type: dnat"));
  auto file2 = write_temp("natlab.yaml", edited);
  auto plan = netlab("plan " + file2);
  EXPECT_EQ(plan.status, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("- nat rule -A PREROUTING -i uplink -p tcp --dport 8080"),
            std::string::npos)
      << plan.out;
  ASSERT_EQ(netlab("up " + file2).status, 0);
  EXPECT_EQ(all_rules().find("DNAT"), std::string::npos) << all_rules();
  EXPECT_NE(all_rules().find("MASQUERADE"), std::string::npos);
  EXPECT_EQ(netlab("plan " + file2).status, 0);
}

}  // namespace
}  // namespace netlab::testing
