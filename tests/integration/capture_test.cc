// `netlab capture` and `netlab test --capture` on a real lab: pings captured on both ends of a
// veth and read back with libpcap, a filter honoured, SIGINT and SIGTERM ending with a whole
// file, names the lab does not have refused, and only a failing check's capture kept.
#include <pcap/pcap.h>
#include <signal.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "robustness_util.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

const char* const kLab = R"(name: cap
namespaces: {a: {}, b: {}}
veths:
  - name: eth0
    namespace: a
    addresses: [10.0.0.1/24]
    peer: {name: eth0, namespace: b, addresses: [10.0.0.2/24]}
tests:
  - {from: a, ping: 10.0.0.2}
)";

// The second check fails: b's ping is answered.
const char* const kFailingCheck = "  - {from: b, ping: 10.0.0.1, expect: unreachable}\n";

struct Counts {
  bool opened = false;
  std::string error;
  int packets = 0, requests = 0, replies = 0, arp = 0;
};

// A pcap file read back by libpcap: its Ethernet frames, the ICMP echoes and ARP among them.
Counts read_capture(const std::string& path) {
  Counts c;
  char err[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (!p) {
    c.error = err;
    return c;
  }
  c.opened = true;
  pcap_pkthdr* h;
  const u_char* d;
  while (pcap_next_ex(p, &h, &d) == 1) {
    ++c.packets;
    if (h->caplen < 14) continue;
    int type = (d[12] << 8) | d[13];
    c.arp += type == 0x0806;
    if (type != 0x0800 || h->caplen < 14 + 20) continue;
    size_t icmp = 14 + (d[14] & 0x0f) * 4u;
    if (d[14 + 9] != 1 || h->caplen <= icmp) continue;  // protocol ICMP
    c.requests += d[icmp] == 8;
    c.replies += d[icmp] == 0;
  }
  pcap_close(p);
  return c;
}

// `netlab capture ARGS`, stopped by SIGINT once it said it captures on `on` and `traffic` ran.
Output capture_during(const std::vector<std::string>& args, const std::string& on,
                      const std::function<void()>& traffic) {
  Running capture(args);
  if (!capture.wait_for_stderr("netlab: capturing on " + on + "\n", 10s)) {
    ADD_FAILURE() << "it never said it captures on " << on;
    return capture.wait();
  }
  traffic();
  capture.signal(SIGINT);
  return capture.wait();
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(dir)) return names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

class Capture : public Sandbox {
 protected:
  std::string file, dir;
  void SetUp() override {
    Sandbox::SetUp();
    if (IsSkipped()) return;
    file = write_temp("lab.yaml", kLab);
    dir = file.substr(0, file.rfind('/'));
    auto up = netlab("up " + file);
    ASSERT_EQ(up.status, 0) << up.out << up.err;
  }
  // Three echoes from a to b, answered.
  void ping() {
    auto p = sh("ip netns exec a ping -c 3 -i 0.2 -W 2 10.0.0.2");
    ASSERT_EQ(p.status, 0) << p.out << p.err;
  }
};

TEST_F(Capture, PingsOnBothEndsInOneFile) {
  std::string pcap = dir + "/both.pcap";
  auto o = capture_during({"capture", "cap", "a:eth0", "b:eth0", "-w", pcap}, "a:eth0, b:eth0",
                          [&] { ping(); });
  ASSERT_EQ(o.status, 0) << o.err;
  auto c = read_capture(pcap);
  ASSERT_TRUE(c.opened) << c.error;
  // Each echo and each reply is seen leaving one end and arriving at the other.
  EXPECT_EQ(c.requests, 6);
  EXPECT_EQ(c.replies, 6);
  EXPECT_NE(o.err.find("netlab: " + std::to_string(c.packets) + " packets captured\n"),
            std::string::npos)
      << o.err;
}

TEST_F(Capture, AFolderGetsAFilePerInterface) {
  std::string out = dir + "/each/";
  auto o = capture_during({"capture", "cap", "a:eth0", "b:eth0", "-w", out}, "a:eth0, b:eth0",
                          [&] { ping(); });
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(files_in(out), (std::vector<std::string>{"a:eth0.pcap", "b:eth0.pcap"}));
  for (const std::string f : {"a:eth0.pcap", "b:eth0.pcap"}) {
    auto c = read_capture(out + f);
    ASSERT_TRUE(c.opened) << c.error;
    EXPECT_EQ(c.requests, 3) << f;
    EXPECT_EQ(c.replies, 3) << f;
  }
}

TEST_F(Capture, FilterHonouredOnStdout) {
  sh("ip netns exec a ip neigh flush dev eth0");  // the first echo asks ARP for b
  auto o = capture_during({"capture", "cap", "a:eth0", "icmp", "and", "src", "10.0.0.1"}, "a:eth0",
                          [&] { ping(); });
  ASSERT_EQ(o.status, 0) << o.err;
  std::string pcap = write_temp("stdout.pcap", o.out);
  auto c = read_capture(pcap);
  ASSERT_TRUE(c.opened) << c.error;
  EXPECT_EQ(c.requests, 3);
  EXPECT_EQ(c.replies, 0);  // from 10.0.0.2: filtered out
  EXPECT_EQ(c.arp, 0);
  EXPECT_EQ(c.packets, 3);
  EXPECT_NE(o.err.find("netlab: 3 packets captured\n"), std::string::npos) << o.err;
}

class CaptureStop : public Capture, public ::testing::WithParamInterface<int> {};

TEST_P(CaptureStop, OnAnIdleLinkEndsPromptlyWithAWholeFile) {
  std::string pcap = dir + "/idle.pcap";
  Running capture({"capture", "cap", "b:lo", "-w", pcap});
  ASSERT_TRUE(capture.wait_for_stderr("capturing on", 10s)) << capture.wait().err;
  capture.signal(GetParam());
  EXPECT_FALSE(capture.still_running_after(5s)) << "a signal must end the poll";
  auto o = capture.wait();
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find("netlab: 0 packets captured\n"), std::string::npos) << o.err;
  auto c = read_capture(pcap);
  EXPECT_TRUE(c.opened) << c.error;
  EXPECT_EQ(c.packets, 0);
}

// Ctrl-C or SIGTERM while the checks run: `test` ends as the signal says, and its temporary
// folder of captures goes with it.
TEST_P(CaptureStop, AnInterruptedTestLeavesNoTemporaryFolder) {
  std::string slow = write_temp(
      "lab.yaml", std::string(kLab) + "  - {from: a, exec: [sleep, \"30\"], timeout: 60s}\n");
  std::string out = dir + "/interrupted";
  Running test({"test", "--capture", out, slow});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (files_in(out).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);  // until the run has made its folder
  ASSERT_FALSE(files_in(out).empty()) << "no temporary folder in " << out;
  ASSERT_TRUE(test.still_running_after(0ms));
  test.signal(GetParam());
  auto o = test.wait();
  EXPECT_EQ(o.status, 128 + GetParam()) << o.err;
  EXPECT_EQ(files_in(out), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Signals, CaptureStop, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

// An isolated instance: its host is a namespace of its own, its host link renamed; the user
// still says host:v0.
// Promiscuous, as tcpdump: a bridge's capture has the echoes it forwards between two ports,
// which are addressed to neither the bridge nor the host.
TEST_F(Capture, ABridgeShowsWhatItForwards) {
  std::string bridged = write_temp("br.yaml", R"(name: capb
namespaces: {p: {}, q: {}}
bridges: {br0: {}}
veths:
  - {name: vp, bridge: br0, peer: {name: eth0, namespace: p, addresses: [10.2.0.1/24]}}
  - {name: vq, bridge: br0, peer: {name: eth0, namespace: q, addresses: [10.2.0.2/24]}}
)");
  ASSERT_EQ(netlab("up " + bridged).status, 0);
  std::string pcap = dir + "/bridge.pcap";
  auto o = capture_during({"capture", "-w", pcap, "capb", "host:br0"}, "host:br0", [&] {
    auto p = sh("ip netns exec p ping -c 3 -i 0.2 -W 2 10.2.0.2");
    EXPECT_EQ(p.status, 0) << p.out << p.err;
  });
  ASSERT_EQ(o.status, 0) << o.err;
  auto c = read_capture(pcap);
  ASSERT_TRUE(c.opened) << c.error;
  EXPECT_EQ(c.requests, 3);
  EXPECT_EQ(c.replies, 3);
  EXPECT_EQ(netlab("down capb").status, 0);
}

TEST_F(Capture, AnIsolatedInstancesHostLinkByTheFilesName) {
  std::string host_lab = write_temp("host.yaml", R"(name: caph
namespaces: {a: {}}
veths:
  - {name: v0, addresses: [10.1.0.1/24], peer: {name: eth0, namespace: a, addresses: [10.1.0.2/24]}}
)");
  auto up = netlab("up --isolated -i t1 " + host_lab);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  std::string pcap = dir + "/host.pcap";
  auto o = capture_during({"capture", "-i", "t1", "-w", pcap, "caph", "host:v0"}, "host:v0", [&] {
    auto p = netlab("exec -i t1 a -- ping -c 3 -i 0.2 -W 2 10.1.0.1");
    EXPECT_EQ(p.status, 0) << p.out << p.err;
  });
  ASSERT_EQ(o.status, 0) << o.err;
  auto c = read_capture(pcap);
  ASSERT_TRUE(c.opened) << c.error;
  EXPECT_EQ(c.requests, 3);
  EXPECT_EQ(c.replies, 3);
  EXPECT_EQ(netlab("down caph@t1").status, 0);
}

TEST_F(Capture, NamesTheLabDoesNotHaveAreUsageErrors) {
  std::string pcap = dir + "/never.pcap";
  for (std::string point : {"a:eth9", "c:eth0", "host:eth0", "host:lo", "a:"}) {
    auto o = netlab("capture -w " + pcap + " cap a:eth0 " + point);
    EXPECT_EQ(o.status, 64) << point << "\n" << o.err;
    EXPECT_NE(o.err.find("netlab: error: "), std::string::npos) << o.err;
  }
  auto no_point = netlab("capture -w " + pcap + " cap icmp");
  EXPECT_EQ(no_point.status, 64) << no_point.err;
  auto bad_filter = netlab("capture -w " + pcap + " cap a:eth0 'icmp and'");
  EXPECT_EQ(bad_filter.status, 64) << bad_filter.err;
  EXPECT_NE(bad_filter.err.find("filter \"icmp and\""), std::string::npos) << bad_filter.err;
  EXPECT_FALSE(std::filesystem::exists(pcap)) << "nothing is opened before the names are checked";
}

// A pcap file has one link type: a tun (raw IP) beside an Ethernet veth in one stream is a
// usage error that says which two differ and what to give instead, with nothing written; a
// file per interface takes both.
TEST_F(Capture, ATunBesideAVethNeedsAFilePerInterface) {
  std::string with_tun = write_temp(
      "lab.yaml", std::string(kLab) + "taps:\n  - {name: tun0, namespace: a, type: tun}\n");
  auto up = netlab("up " + with_tun);
  ASSERT_EQ(up.status, 0) << up.err;
  std::string pcap = dir + "/mixed.pcap";
  auto mixed = netlab("capture -w " + pcap + " cap a:eth0 a:tun0");
  EXPECT_EQ(mixed.status, 64) << mixed.err;
  EXPECT_NE(mixed.err.find("a:eth0 is EN10MB, a:tun0 is RAW"), std::string::npos) << mixed.err;
  EXPECT_NE(mixed.err.find("give -w DIR/ for a file per interface"), std::string::npos)
      << mixed.err;
  EXPECT_FALSE(std::filesystem::exists(pcap));
  std::string per = dir + "/per/";
  auto split = capture_during({"capture", "-w", per, "cap", "a:eth0", "a:tun0"}, "a:eth0, a:tun0",
                              [this] { ping(); });
  EXPECT_EQ(split.status, 0) << split.err;
  EXPECT_EQ(files_in(per), (std::vector<std::string>{"a:eth0.pcap", "a:tun0.pcap"}));
  EXPECT_EQ(read_capture(per + "a:eth0.pcap").requests, 3);
}

TEST_F(Capture, TestKeepsOnlyTheFailingChecksNamespace) {
  std::string failing = write_temp("lab.yaml", std::string(kLab) + kFailingCheck);
  std::string kept = dir + "/kept";
  std::string report = dir + "/report.xml";
  auto run = netlab("test --json --junit " + report + " --capture " + kept + " " + failing);
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_EQ(files_in(kept), std::vector<std::string>{"b.pcap"});
  auto c = read_capture(kept + "/b.pcap");
  ASSERT_TRUE(c.opened) << c.error;
  EXPECT_GE(c.requests, 1);  // b's echoes to a and a's answers, on b's eth0 and lo
  EXPECT_GE(c.replies, 1);
  auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["results"][0]["capture"], nullptr);
  EXPECT_EQ(doc["results"][1]["capture"], kept + "/b.pcap");
  EXPECT_NE(read_file(report).find("<system-out>[[ATTACHMENT|" + kept + "/b.pcap]]</system-out>"),
            std::string::npos)
      << read_file(report);
  EXPECT_NE(run.err.find("netlab: capture of b kept: " + kept + "/b.pcap"), std::string::npos)
      << run.err;

  std::string passing = dir + "/passing";
  auto pass = netlab("test --capture " + passing + " cap");
  EXPECT_EQ(pass.status, 0) << pass.out << pass.err;
  EXPECT_EQ(files_in(passing), std::vector<std::string>{});
}

}  // namespace
}  // namespace netlab::testing
