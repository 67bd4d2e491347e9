// Names in the lab: what each namespace's /etc/netns/NS/hosts says, checks that name their
// target, name servers, and the entries' life: placed by `up`, removed by `down` and by a
// rolled-back `up`, and never an entry the lab did not make.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api/lab_names.h"
#include "engine_fixture.h"
#include "model/lab_hosts.h"
#include "parse_test_util.h"

namespace netlab::testing {
namespace {

namespace fs = std::filesystem;

const char* kLab = R"(name: names
namespaces:
  client: {dns: [192.0.2.53, "2001:db8::53"]}
  web: {}
bridges:
  br0: {addresses: [10.1.0.1/24]}
veths:
  - name: v-client
    bridge: br0
    peer: {name: eth0, namespace: client, addresses: [10.1.0.2/24, "fd00::2/64"]}
  - name: v-web
    bridge: br0
    peer: {name: eth0, namespace: web, addresses: [10.1.0.3/24, 10.1.0.4/24]}
tests:
  - {from: client, ping: web}
  - {from: web, tcp: "client-eth0:22", expect: refused}
)";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string link_at(const std::string& path) {
  std::error_code ec;
  return fs::read_symlink(path, ec).string();
}

// The record store's directory is gone, or empty: a lab down leaves no file.
bool nothing_in(const std::string& dir) {
  return !fs::exists(dir) || fs::is_empty(dir);
}

ino_t inode(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(LabHosts, EveryNameResolvesToOneAddressAFamily) {
  EXPECT_EQ(hosts_text(desired(kLab).hosts, "names"),
            "# netlab:names: written by `netlab up`, removed by `netlab down`\n"
            "127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n"
            "10.1.0.1\thost host-br0\n"
            "10.1.0.2\tclient client-eth0\n"
            "fd00::2\tclient client-eth0\n"
            "10.1.0.3\tweb web-eth0\n");
}

TEST(LabHosts, ChecksNameTheirTargetsAsTheLabDoes) {
  auto r = load_topology_text(kLab, "t.yaml");
  ASSERT_TRUE(r.topology);
  const auto& tests = r.topology->tests;
  EXPECT_EQ(tests[0].to.value.str(), "10.1.0.3");
  EXPECT_EQ(*tests[0].to_name, "web");
  EXPECT_EQ(tests[1].to.value.str(), "10.1.0.2");
  EXPECT_EQ(tests[1].port.value, 22);
}

TEST(LabHosts, AServiceWaitsForATargetTheLabNames) {
  auto r = load_topology_text(
      edited(kLab, "  web: {}\n",
             "  web:\n    services:\n      www: {run: [sleep, '9'], ready: {tcp: \"web:80\"}}\n"),
      "t.yaml");
  ASSERT_TRUE(r.topology);
  const netlab::Test& ready = *r.topology->namespaces[1].services[0].ready->check;
  EXPECT_EQ(ready.to.value.str(), "10.1.0.3");
}

TEST(LabHosts, ANameTheLabDoesNotGiveIsAnErrorAtItsPlace) {
  EXPECT_EQ(messages(edited(kLab, "ping: web}", "ping: webb}")),
            Lines{"t.yaml:15:26: error: no address of the lab is named \"webb\" (did you mean "
                  "\"web\"?)"});
  EXPECT_EQ(messages(edited(kLab, "ping: web}", "ping: mail}")),
            Lines{"t.yaml:15:26: error: no address of the lab is named \"mail\" (a namespace's "
                  "first address is named NS, an interface's NS-IF)"});
  EXPECT_EQ(messages(edited(kLab, "ping: web}", "ping: 'we b'}")),
            Lines{"t.yaml:15:26: error: invalid ping target \"we b\" (expected an address, or a "
                  "name the lab gives one, like net0-eth0)"});
}

TEST(LabHosts, NameServersAreAddressesAndAtMostThree) {
  EXPECT_EQ(messages(edited(kLab, "192.0.2.53,", "ns1.example,")),
            Lines{"t.yaml:3:18: error: invalid name server \"ns1.example\" (expected an IPv4 or "
                  "IPv6 address, like 192.0.2.53)"});
  EXPECT_EQ(messages(edited(kLab, "192.0.2.53,", "192.0.2.1, 192.0.2.2, 192.0.2.3,")),
            Lines{"t.yaml:3:51: error: at most three name servers: the resolver ignores the "
                  "rest"});
}

class LabNamesTest : public EngineFixture {
 protected:
  Engine named() {
    Engine e(kernel_, store_);
    e.set_etc(&etc_);
    return e;
  }
  std::string entry(const std::string& ns, const std::string& file) const {
    return root_ + "/" + ns + "/" + file;
  }
  std::string own(const std::string& file) const { return dir_ + "/names.etc/" + file; }

  TempDir etc_dir_;
  const std::string root_ = etc_dir_.path() + "/netns";
  EtcNetns etc_{[](const std::string& ns) { return ns == kHost ? "" : ns; }, root_};
};

TEST_F(LabNamesTest, UpLinksEachNamespacesEntriesAndDownRemovesThemAll) {
  named().up(desired(kLab));
  EXPECT_EQ(link_at(entry("client", "hosts")), own("hosts"));
  EXPECT_EQ(link_at(entry("web", "hosts")), own("hosts"));
  EXPECT_EQ(link_at(entry("client", "resolv.conf")), own("client.resolv.conf"));
  EXPECT_FALSE(fs::exists(entry("web", "resolv.conf")));
  EXPECT_EQ(slurp(entry("client", "resolv.conf")),
            "# netlab:names: written by `netlab up`, removed by `netlab down`\n"
            "nameserver 192.0.2.53\nnameserver 2001:db8::53\n");
  EXPECT_EQ(slurp(entry("web", "hosts")), hosts_text(desired(kLab).hosts, "names"));

  named().down("names");
  EXPECT_TRUE(fs::is_empty(root_));
  EXPECT_TRUE(nothing_in(dir_));
}

TEST_F(LabNamesTest, AConvergedUpRewritesNothing) {
  named().up(desired(kLab));
  const ino_t hosts = inode(own("hosts")), entry_ino = inode(entry("web", "hosts"));
  kernel_.calls.clear();
  named().up(desired(kLab));
  EXPECT_TRUE(kernel_.calls.empty());
  EXPECT_EQ(inode(own("hosts")), hosts);
  EXPECT_EQ(inode(entry("web", "hosts")), entry_ino);
}

TEST_F(LabNamesTest, AnEntryTheLabDidNotMakeIsAConflictAndStays) {
  fs::create_directories(root_ + "/web");
  std::ofstream(entry("web", "hosts")) << "10.9.9.9 mine\n";
  try {
    named().up(desired(kLab));
    FAIL() << "up went ahead";
  } catch (const ConflictError& e) {
    EXPECT_NE(std::string(e.what()).find(entry("web", "hosts") +
                                         ": exists and was not made by lab names"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(kernel_.calls.empty());
  EXPECT_EQ(slurp(entry("web", "hosts")), "10.9.9.9 mine\n");
  EXPECT_FALSE(fs::exists(root_ + "/client"));
  // Down of a lab that never came up leaves it too.
  named().down("names");
  EXPECT_EQ(slurp(entry("web", "hosts")), "10.9.9.9 mine\n");
}

TEST_F(LabNamesTest, EditsTakeAwayTheEntriesOfWhatGoes) {
  named().up(desired(kLab));
  named().up(desired(edited(kLab, "client: {dns: [192.0.2.53, \"2001:db8::53\"]}", "client: {}")));
  EXPECT_FALSE(fs::exists(entry("client", "resolv.conf")));
  EXPECT_FALSE(fs::exists(own("client.resolv.conf")));
  EXPECT_EQ(link_at(entry("client", "hosts")), own("hosts"));

  std::string no_web = edited(edited(kLab, "  web: {}\n", ""),
                              "  - name: v-web\n    bridge: br0\n    peer: {name: eth0, "
                              "namespace: web, addresses: [10.1.0.3/24, 10.1.0.4/24]}\n",
                              "");
  no_web = edited(no_web, "ping: web}", "ping: host}");
  no_web = edited(no_web, "from: web, tcp: \"client-eth0:22\"", "from: client, tcp: \"host:22\"");
  named().up(desired(no_web));
  EXPECT_FALSE(fs::exists(root_ + "/web"));
  EXPECT_EQ(slurp(own("hosts")).find("web"), std::string::npos);
}

TEST_F(LabNamesTest, AnUpThatFailsPlacingThemTakesBackWhatItPlaced) {
  fs::create_directories(root_);
  std::ofstream(root_ + "/web") << "not a directory\n";  // no entry can go in there
  EXPECT_ANY_THROW(named().up(desired(kLab)));
  EXPECT_FALSE(fs::exists(root_ + "/client"));
  EXPECT_EQ(slurp(root_ + "/web"), "not a directory\n");
  EXPECT_TRUE(kernel_.state.ns.count("client") == 0);
  EXPECT_TRUE(nothing_in(dir_)) << "the run's record or files were left";
}

}  // namespace
}  // namespace netlab::testing
