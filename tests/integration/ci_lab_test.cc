// The CI fixture the README promises, whole: a web server as a service behind a port forward,
// a client that reaches it by name through the forward, a port that must refuse, a command,
// and one check that fails; the JUnit report read back field by field, and `down` leaving
// nothing (no process, no namespace, no /etc/netns entry, no file in /run/netlab).
#include <filesystem>

#include "../unit/xml_elements.h"
#include "robustness_util.h"

namespace netlab::testing {
namespace {

const char* const kLab = R"yaml(name: web
host:
  sysctl: {net.ipv4.ip_forward: 1}
namespaces:
  server:
    routes: [{to: default, via: 10.7.0.1}]
    services:
      www:
        run: [python3, -m, http.server, "8000", --bind, 10.7.0.3]
        ready: {tcp: "server:8000"}
  client:
    routes: [{to: default, via: 10.8.0.1}]
veths:
  - {name: v-server, addresses: [10.7.0.1/24], peer: {name: eth0, namespace: server, addresses: [10.7.0.3/24]}}
  - {name: v-client, addresses: [10.8.0.1/24], peer: {name: eth0, namespace: client, addresses: [10.8.0.2/24]}}
nat:
  - {type: dnat, in: v-client, protocol: tcp, port: 8080, to: "10.7.0.3:8000"}
tests:
  - {from: client, tcp: "host-v-client:8080"}
  - {from: client, tcp: "server:22", expect: refused}
  - from: client
    exec: [python3, -c, "import urllib.request as u; print(u.urlopen('http://host-v-client:8080/').status)"]
    output: '^200$'
  - {from: client, tcp: "server:9"}
)yaml";

class CiLab : public Sandbox {};

TEST_F(CiLab, AServiceBehindAPortForwardIsReachedByNameAndReported) {
  if (sh("command -v python3").status != 0) GTEST_SKIP() << "python3 is not installed";
  auto file = write_temp("web.yaml", kLab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  const std::string report = file.substr(0, file.rfind('/')) + "/report.xml";
  auto run = netlab("test --junit " + report + " web");
  EXPECT_EQ(run.status, 1) << run.out << run.err;  // port 9 is closed

  auto els = elements(sh("cat " + report).out);
  ASSERT_EQ(els.size(), 7u) << sh("cat " + report).out;  // suites, suite, 4 cases, 1 failure
  EXPECT_EQ(els[1].attrs["name"], "web");
  EXPECT_EQ(els[1].attrs["tests"], "4");
  EXPECT_EQ(els[1].attrs["failures"], "1");
  EXPECT_EQ(els[1].attrs["errors"], "0");
  const std::vector<std::string> names = {"tcp client -> host-v-client:8080 (10.8.0.1)",
                                          "tcp client -> server:22 (10.7.0.3)",
                                          "exec client: python3 -c import urllib.request as u; "
                                          "print(u.urlopen('http://host-v-client:8080/').status)",
                                          "tcp client -> server:9 (10.7.0.3)"};
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(els[2 + i].name, "testcase");
    EXPECT_EQ(els[2 + i].attrs["classname"], "netlab.web");
    EXPECT_EQ(els[2 + i].attrs["name"], names[i]);
    EXPECT_EQ(els[2 + i].attrs["file"], file);
  }
  EXPECT_EQ(els[6].name, "failure");
  EXPECT_EQ(els[6].attrs["message"], "expected open, saw refused");
  EXPECT_EQ(els[6].attrs["type"], "tcp");

  // The request went through the forward: the server's log has it.
  EXPECT_NE(netlab("logs web server:www").out.find("\"GET / HTTP/1.1\" 200"), std::string::npos);
  auto down = netlab("down web");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(sh("ip netns list").out, "");
  EXPECT_EQ(sh("ls -A /etc/netns").out, "");
  EXPECT_EQ(netlab_run_files(), "");
  EXPECT_EQ(sh("pgrep -f 'http[.]server 8000 --bind 10[.]7[.]0[.]3'").out, "");
}

}  // namespace
}  // namespace netlab::testing
