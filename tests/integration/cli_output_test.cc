// What the command line prints and exits with when things go wrong: the order of stdout and
// stderr in one log, text from a topology file on a terminal, usage errors, paths that cannot
// be read, and JSON of paths that are not UTF-8. Each test runs netlab in its sandbox.
#include <nlohmann/json.hpp>

#include "sandbox.h"

namespace netlab::testing {
namespace {

using json = nlohmann::json;

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

class CliOutput : public Sandbox {};

// A lab whose last namespace gets a sysctl value the kernel refuses (a port range lower than
// its start), after enough progress lines to fill stdout's buffer several times.
std::string failing_lab() {
  std::string y = "name: sd\nnamespaces:\n";
  for (int i = 0; i < 119; ++i) y += "  n" + std::to_string(i) + ": {}\n";
  y += "  n119: {sysctl: {net.ipv4.ip_local_port_range: '60000 1000'}}\nveths:\n";
  for (int i = 0; i < 120; ++i)
    y += "  - {name: v" + std::to_string(i) + ", peer: {name: eth0, namespace: n" +
         std::to_string(i) + "}}\n";
  return write_temp("lab.yaml", y);
}

TEST_F(CliOutput, ErrorIsTheLastLineOfACombinedLog) {
  std::string file = failing_lab();
  std::string log = file + ".log";
  auto up = sh(std::string("NO_COLOR=1 ") + NETLAB_BINARY + " up " + file + " > " + log + " 2>&1");
  ASSERT_EQ(up.status, 1);
  std::string text = sh("cat " + log).out;
  ASSERT_TRUE(has(text, "+ namespace n119")) << text;
  // Every progress line is whole, and the error comes after all of them.
  EXPECT_EQ(sh("grep -c '^+ ' " + log + " | tr -d '\\n'").out, "240") << text;
  EXPECT_EQ(last_line(text).rfind("netlab: error: cannot set net.ipv4.ip_local_port_range", 0), 0u)
      << last_line(text);
}

TEST_F(CliOutput, ControlCharactersFromTheFileAreShownEscaped) {
  std::string file = write_temp("esc.yaml",
                                "name: esc\nhost:\n  routes:\n    - {to: 10.0.0.0/8, dev: "
                                "\"e\\e[31mRED\\e[0m\"}\n  sysctl:\n    net.ipv4.ip_forward: "
                                "\"1\\e[2J\"\n");
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 2) << plan.err;
  EXPECT_FALSE(has(plan.out, "\x1b")) << plan.out;
  EXPECT_TRUE(has(plan.out, "+ route 10.0.0.0/8 dev e\\x1b[31mRED\\x1b[0m in host")) << plan.out;
  EXPECT_TRUE(has(plan.out, "(0 -> 1\\x1b[2J)")) << plan.out;
  // The kernel has no such device: the error names it, escaped too.
  auto up = netlab("up " + file);
  EXPECT_EQ(up.status, 1);
  EXPECT_FALSE(has(up.out + up.err, "\x1b")) << up.out << up.err;
  EXPECT_TRUE(has(up.err, "e\\x1b[31mRED\\x1b[0m")) << up.err;
}

TEST_F(CliOutput, StatusByNameSaysWhatBecameOfTheRecordedFile) {
  std::string file = write_temp("lab.yaml", "name: one\nnamespaces: {n1: {}}\n");
  ASSERT_EQ(netlab("up " + file).status, 0);
  const std::string only = "; showing the record only\n";

  sh("echo 'x: [' >> " + file);
  auto broken = netlab("status one");
  EXPECT_EQ(broken.status, 0) << broken.err;
  EXPECT_TRUE(has(broken.err, "netlab: note: topology file " + file + " has errors" + only))
      << broken.err;
  EXPECT_FALSE(has(broken.err, "gone")) << broken.err;

  sh("printf 'name: two\\n' > " + file);
  auto other = netlab("status one");
  EXPECT_TRUE(
      has(other.err, "netlab: note: topology file " + file + " now describes lab two" + only))
      << other.err;

  sh("rm " + file);
  auto gone = netlab("status one");
  EXPECT_TRUE(has(gone.err, "netlab: note: topology file " + file + " is gone" + only)) << gone.err;
}

TEST_F(CliOutput, UsageErrorsExit64NamingTheProblem) {
  auto unknown = netlab("frobnicate");
  EXPECT_EQ(unknown.status, 64);
  EXPECT_TRUE(has(unknown.err, "netlab: error: unknown command \"frobnicate\"")) << unknown.err;
  EXPECT_FALSE(has(unknown.err, "subcommand")) << unknown.err;

  auto none = netlab("");
  EXPECT_EQ(none.status, 64);
  EXPECT_TRUE(has(none.err, "netlab: error: a command is required")) << none.err;

  auto missing = netlab("status");
  EXPECT_EQ(missing.status, 64);
  EXPECT_TRUE(has(missing.err, "netlab: error: status: LAB is required")) << missing.err;
  EXPECT_TRUE(has(missing.err, "netlab status --help")) << missing.err;

  auto option = netlab("plan --bogus x.yaml");
  EXPECT_EQ(option.status, 64);
  EXPECT_TRUE(has(option.err, "--bogus")) << option.err;

  EXPECT_EQ(netlab("exec n1").status, 64);
  EXPECT_EQ(netlab("list extra").status, 64);
  EXPECT_EQ(netlab("--help").status, 0);
  EXPECT_EQ(netlab("status --help").status, 0);
  EXPECT_EQ(netlab("--version").status, 0);
}

TEST_F(CliOutput, PathsThatCannotBeReadAreErrorsNotCrashes) {
  // A path whose lookup fails with something other than "no such file": a symlink loop, and
  // a name longer than the filesystem allows.
  std::string dir = write_temp("x", "");
  sh("rm " + dir + " && ln -s " + dir + " " + dir);
  std::string loop = dir + "/lab.yaml";
  std::string longname = "/tmp/" + std::string(300, 'a') + ".yaml";
  for (const auto& path : {loop, longname}) {
    for (const char* verb : {"validate", "graph", "plan", "up", "down", "status", "test"}) {
      auto r = netlab(std::string(verb) + " " + path);
      EXPECT_EQ(r.status, 1) << verb << ": " << r.err;
      EXPECT_TRUE(has(r.err, "netlab: error: ") || has(r.err, ": error: ")) << verb << r.err;
      EXPECT_FALSE(has(r.err, "terminate")) << verb << r.err;
    }
  }
  // A user who may not look into the directory (the issue's /unreadable/x.yaml).
  ASSERT_EQ(sh("mkdir -m 700 " + dir + ".d").status, 0);
  for (const char* verb : {"status", "down", "test"}) {
    auto r = sh(std::string("setpriv --reuid=65534 --regid=65534 --clear-groups ") + NETLAB_BINARY +
                " " + verb + " " + dir + ".d/x.yaml");
    EXPECT_EQ(r.status, 1) << verb << ": " << r.err;
    EXPECT_TRUE(has(r.err, "netlab: error: cannot look up " + dir + ".d/x.yaml: Permission denied"))
        << verb << ": " << r.err;
  }
}

TEST_F(CliOutput, JsonOfANonUtf8PathIsValidJson) {
  std::string dir = write_temp("x", "");
  std::string file = dir.substr(0, dir.rfind('/')) + "/caf\xe9.yaml";
  ASSERT_EQ(sh("cp " + source_path("topologies/default.yaml") + " '" + file + "'").status, 0);
  for (const char* verb : {"plan", "status"}) {
    auto r = netlab(std::string(verb) + " --json '" + file + "'");
    EXPECT_EQ(r.status, 2) << verb << ": " << r.err;
    json j = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << verb << ": " << r.out << r.err;
    EXPECT_TRUE(has(j["file"].get<std::string>(), "caf\xef\xbf\xbd.yaml")) << j["file"];
  }
}

}  // namespace
}  // namespace netlab::testing
