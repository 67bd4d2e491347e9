// Names in the lab, on the real kernel and resolver: each namespace's /etc/netns/NS/hosts and
// resolv.conf, read through `netlab exec` and `ip netns exec` alike, checks that name their
// targets, a copy of the lab, and `down` leaving /etc/netns and /run/netlab as they were.
#include <filesystem>

#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: names
namespaces:
  client: {dns: [192.0.2.53]}
  web: {}
bridges:
  br0: {addresses: [10.1.0.1/24]}
veths:
  - name: v-client
    bridge: br0
    peer: {name: eth0, namespace: client, addresses: [10.1.0.2/24]}
  - name: v-web
    bridge: br0
    peer: {name: eth0, namespace: web, addresses: [10.1.0.3/24]}
tests:
  - {from: client, ping: web}
  - {from: web, ping: host-br0}
  - {from: web, tcp: "client:9", expect: refused}
)";

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

std::string listing(const std::string& dir) {
  return sh("find " + dir + " -mindepth 1 2>/dev/null | sort").out;
}

class Names : public Sandbox {};

TEST_F(Names, ExecAndIpNetnsExecResolveTheLabsNamesAndDownRemovesThem) {
  const std::string etc_before = listing("/etc/netns");
  auto up = netlab("up " + write_temp("lab.yaml", kLab));
  ASSERT_EQ(up.status, 0) << up.out << up.err;

  auto web = netlab("exec client -- getent ahostsv4 web");
  EXPECT_EQ(web.status, 0) << web.err;
  EXPECT_TRUE(has(web.out, "10.1.0.3")) << web.out;
  auto by_ip = sh("ip netns exec web getent hosts client-eth0 host-br0");
  EXPECT_EQ(by_ip.out, "10.1.0.2        client client-eth0\n10.1.0.1        host host-br0\n")
      << by_ip.err;
  EXPECT_EQ(netlab("exec web -- getent hosts localhost").status, 0);
  auto resolv = netlab("exec client -- cat /etc/resolv.conf");
  EXPECT_TRUE(has(resolv.out, "\nnameserver 192.0.2.53\n")) << resolv.out;
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/web/resolv.conf"));

  auto t = netlab("test names");
  EXPECT_EQ(t.status, 0) << t.out << t.err;
  EXPECT_TRUE(has(t.out, "ok   client -> web (10.1.0.3)  reachable")) << t.out;
  EXPECT_TRUE(has(t.out, "ok   tcp web -> client:9 (10.1.0.2)  refused")) << t.out;

  auto down = netlab("down names");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(listing("/etc/netns"), etc_before);
  EXPECT_EQ(listing("/run/netlab"), "");
}

TEST_F(Names, ACopyHasItsOwnEntriesUnderItsNamespacesNames) {
  const std::string file = write_temp("lab.yaml", kLab);
  ASSERT_EQ(netlab("up " + file).status, 0);
  // Isolated: the file gives the host an address, which copies cannot share on the machine.
  auto up = netlab("up -i 7 --isolated " + file);
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(sh("readlink /etc/netns/client_names_7/hosts").out, "/run/netlab/names@7.etc/hosts\n");
  EXPECT_EQ(sh("readlink /etc/netns/names.7.host/hosts").out, "/run/netlab/names@7.etc/hosts\n");
  auto from_host = netlab("exec -i 7 --lab names host -- getent ahostsv4 client");
  EXPECT_TRUE(has(from_host.out, "10.1.0.2")) << from_host.out << from_host.err;
  auto web = netlab("exec -i 7 client -- getent ahostsv4 web");
  EXPECT_TRUE(has(web.out, "10.1.0.3")) << web.out << web.err;
  EXPECT_EQ(netlab("test -i 7 names").status, 0);

  ASSERT_EQ(netlab("down -i 7 names").status, 0);
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/client_names_7"));
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/names.7.host"));
  EXPECT_EQ(sh("readlink /etc/netns/client/hosts").out, "/run/netlab/names.etc/hosts\n");
  ASSERT_EQ(netlab("down names").status, 0);
  EXPECT_EQ(listing("/etc/netns"), "");
}

TEST_F(Names, AFileTheLabDidNotWriteIsRefusedAndKept) {
  ASSERT_EQ(sh("mkdir -p /etc/netns/web && echo '10.9.9.9 mine' > /etc/netns/web/hosts").status, 0);
  auto file = write_temp("lab.yaml", kLab);
  auto status = netlab("status " + file);
  EXPECT_EQ(status.status, 1) << "status sees what up refuses";
  EXPECT_TRUE(has(status.out, "conflict namespace web")) << status.out << status.err;
  EXPECT_TRUE(has(status.out, "exists and was not made by lab names: the lab would name"))
      << status.out;
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1);
  EXPECT_TRUE(has(up.err, "/etc/netns/web/hosts: exists and was not made by lab names")) << up.err;
  EXPECT_EQ(sh("cat /etc/netns/web/hosts").out, "10.9.9.9 mine\n");
  EXPECT_EQ(sh("ip netns list").out, "");
}

}  // namespace
}  // namespace netlab::testing
