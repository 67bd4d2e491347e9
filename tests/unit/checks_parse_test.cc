// The `tests:` kinds beyond ping (tcp, exec), their waits and timeouts: what the parser keeps,
// and every mistake reported at its file:line:col.
#include <gtest/gtest.h>

#include "parse/check_syntax.h"
#include "parse_test_util.h"

namespace netlab::testing {
namespace {

using std::chrono::milliseconds;

const char* const kHead = "name: ck\nnamespaces: {net0: {}}\ntests:\n";

Topology loaded(const std::string& tests) {
  auto r = load_topology_text(kHead + tests, "t.yaml");
  EXPECT_TRUE(r.topology) << (r.diagnostics.sorted().empty() ? ""
                                                             : r.diagnostics.sorted()[0].str());
  return r.topology ? *r.topology : Topology{};
}

TEST(Checks, TcpKeepsAddressPortAndExpectation) {
  auto t = loaded(
      "  - {from: net0, tcp: 10.0.0.2:80}\n"
      "  - {from: net0, tcp: '[fd00::2]:443', expect: refused, timeout: 500ms, wait: 2s}\n"
      "  - {from: host, tcp: 10.0.0.2:22, expect: filtered}\n"
      "  - {from: host, tcp: 10.0.0.2:23, expect: unreachable}\n");
  ASSERT_EQ(t.tests.size(), 4u);
  EXPECT_EQ(t.tests[0].kind, CheckKind::Tcp);
  EXPECT_EQ(t.tests[0].to.value.str(), "10.0.0.2");
  EXPECT_EQ(t.tests[0].port.value, 80);
  EXPECT_EQ(t.tests[0].expect.value, Expect::Reachable);
  EXPECT_FALSE(t.tests[0].wait);
  EXPECT_FALSE(t.tests[0].timeout);
  EXPECT_EQ(t.tests[1].to.value.str(), "fd00::2");
  EXPECT_EQ(t.tests[1].port.value, 443);
  EXPECT_EQ(t.tests[1].expect.value, Expect::Refused);
  EXPECT_EQ(t.tests[1].timeout->value, milliseconds(500));
  EXPECT_EQ(t.tests[1].wait->value, milliseconds(2000));
  EXPECT_EQ(t.tests[2].expect.value, Expect::Filtered);
  EXPECT_EQ(t.tests[3].expect.value, Expect::Unreachable);
}

TEST(Checks, ExecKeepsArgvStatusAndPattern) {
  auto t = loaded(
      "  - from: net0\n"
      "    exec: [cat, /proc/net/dev]\n"
      "    output: 'lo:'\n"
      "  - {from: net0, exec: ['false'], status: 1, timeout: 3}\n"
      "  - {from: net0, exec: [curl, http://x/], expect: unreachable, wait: 1.5s}\n");
  ASSERT_EQ(t.tests.size(), 3u);
  EXPECT_EQ(t.tests[0].kind, CheckKind::Exec);
  EXPECT_EQ(t.tests[0].argv.value, (std::vector<std::string>{"cat", "/proc/net/dev"}));
  EXPECT_EQ(t.tests[0].status.value, 0);
  EXPECT_EQ(t.tests[0].output->value, "lo:");
  EXPECT_EQ(t.tests[1].status.value, 1);
  EXPECT_EQ(t.tests[1].timeout->value, milliseconds(3000));
  EXPECT_EQ(t.tests[2].expect.value, Expect::Unreachable);
  EXPECT_EQ(t.tests[2].wait->value, milliseconds(1500));
}

// The format of format v1's pings is a contract: the same file, the same meaning.
TEST(Checks, PingsReadAsBefore) {
  auto t = loaded(
      "  - {from: net0, ping: 10.0.0.2}\n  - {from: host, ping: ::1, expect: unreachable}\n");
  ASSERT_EQ(t.tests.size(), 2u);
  EXPECT_EQ(t.tests[0].kind, CheckKind::Ping);
  EXPECT_EQ(t.tests[0].expect.value, Expect::Reachable);
  EXPECT_EQ(t.tests[1].to.value.str(), "::1");
  EXPECT_EQ(t.tests[1].expect.value, Expect::Unreachable);
  EXPECT_FALSE(t.tests[1].timeout);
}

TEST(Checks, KindErrors) {
  EXPECT_EQ(messages(std::string(kHead) + "  - {from: net0}\n"),
            Lines{"t.yaml:4:5: error: a test needs one of \"ping\", \"tcp\" or \"exec\""});
  EXPECT_EQ(messages(std::string(kHead) + "  - {from: net0, ping: 10.0.0.1, tcp: 10.0.0.1:80}\n"),
            Lines{"t.yaml:4:34: error: a test checks one thing: \"ping\" or \"tcp\", not both"});
  // A kind mistyped: one error, the unknown key's, not a second for the missing kind.
  EXPECT_EQ(messages(std::string(kHead) + "  - {from: net0, tpc: 10.0.0.1:80}\n"),
            Lines{"t.yaml:4:18: error: unknown key \"tpc\" (did you mean \"tcp\"?)"});
  EXPECT_EQ(messages(std::string(kHead) + "  - {from: net0, http: x}\n").size(), 1u);
}

TEST(Checks, TargetErrors) {
  auto one = [](const std::string& item) { return messages(kHead + item); };
  EXPECT_EQ(one("  - {from: net0, tcp: 10.0.0.1:0}\n"),
            Lines{"t.yaml:4:23: error: invalid port \"0\" in tcp target \"10.0.0.1:0\" (expected "
                  "1..65535)"});
  EXPECT_EQ(one("  - {from: net0, tcp: 10.0.0.1:70000}\n").size(), 1u);
  EXPECT_EQ(one("  - {from: net0, tcp: 10.0.0.1:http}\n").size(), 1u);
  EXPECT_EQ(one("  - {from: net0, tcp: 10.0.0.1}\n"),
            Lines{"t.yaml:4:23: error: invalid tcp target \"10.0.0.1\" (expected address:port "
                  "or name:port, like 10.0.0.2:80, [fd00::2]:80 or web:80)"});
  EXPECT_EQ(one("  - {from: net0, tcp: 255.255.255.255:80}\n"),
            Lines{"t.yaml:4:23: error: cannot connect to 255.255.255.255 from \"net0\": it is the "
                  "broadcast address"});
  EXPECT_EQ(one("  - {from: nett0, tcp: 10.0.0.1:80}\n"),
            Lines{"t.yaml:4:12: error: undeclared namespace \"nett0\" (did you mean \"net0\"?)"});
  EXPECT_EQ(one("  - {from: nope, exec: [true]}\n"),
            Lines{"t.yaml:4:12: error: undeclared namespace \"nope\""});
}

TEST(Checks, ExecErrors) {
  auto one = [](const std::string& item) { return messages(kHead + item); };
  EXPECT_EQ(one("  - {from: net0, exec: []}\n"),
            Lines{"t.yaml:4:24: error: exec must be a non-empty list of arguments, like [cat, "
                  "/proc/net/dev]"});
  EXPECT_EQ(one("  - {from: net0, exec: 'cat /proc/net/dev'}\n").size(), 1u);
  EXPECT_EQ(one("  - {from: net0, exec: [[a]]}\n").size(), 1u);
  EXPECT_EQ(one("  - {from: net0, exec: [''] }\n"),
            Lines{"t.yaml:4:25: error: the command to exec must not be empty"});
  EXPECT_EQ(one("  - {from: net0, exec: [cat], output: 'a(b'}\n").size(), 1u);
  EXPECT_EQ(one("  - {from: net0, exec: [cat], output: 'a(b'}\n")[0].rfind(
                "t.yaml:4:39: error: invalid output pattern \"a(b\": ", 0),
            0u);
  EXPECT_EQ(one("  - {from: net0, exec: [cat], status: 256}\n"),
            Lines{"t.yaml:4:39: error: status 256 is out of range (0..255)"});
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, status: 0}\n"),
            Lines{"t.yaml:4:34: error: \"status\" is for exec tests, not ping"});
  EXPECT_EQ(one("  - {from: net0, tcp: 10.0.0.1:80, output: x}\n"),
            Lines{"t.yaml:4:36: error: \"output\" is for exec tests, not tcp"});
}

TEST(Checks, ExpectErrors) {
  auto one = [](const std::string& item) { return messages(kHead + item); };
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, expect: open}\n"),
            Lines{"t.yaml:4:42: error: expect must be reachable or unreachable, not \"open\""});
  EXPECT_EQ(one("  - {from: net0, tcp: 10.0.0.1:80, expect: reachable}\n"),
            Lines{"t.yaml:4:44: error: expect of a tcp test must be open, refused, filtered or "
                  "unreachable, not \"reachable\""});
  EXPECT_EQ(one("  - {from: net0, exec: [cat], expect: refused}\n").size(), 1u);
}

TEST(Checks, DurationErrors) {
  auto one = [](const std::string& item) { return messages(kHead + item); };
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, wait: -1s}\n"),
            Lines{"t.yaml:4:40: error: wait \"-1s\" must not be negative"});
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, timeout: -5}\n"),
            Lines{"t.yaml:4:43: error: timeout \"-5\" must not be negative"});
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, timeout: 0}\n"),
            Lines{"t.yaml:4:43: error: timeout must be more than 0"});
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, timeout: 2h}\n"),
            Lines{"t.yaml:4:43: error: timeout \"2h\" has an unknown unit h (expected ms, s or m, "
                  "like 500ms or 2s)"});
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, wait: soon}\n").size(), 1u);
  EXPECT_EQ(one("  - {from: net0, ping: 10.0.0.1, wait: 61m}\n"),
            Lines{"t.yaml:4:40: error: wait \"61m\" is over an hour"});
  EXPECT_TRUE(one("  - {from: net0, ping: 10.0.0.1, wait: 0}\n").empty());
}

TEST(CheckSyntax, Durations) {
  auto ms = [](std::string_view s) { return std::get<milliseconds>(parse_duration(s)).count(); };
  EXPECT_EQ(ms("2"), 2000);
  EXPECT_EQ(ms("0.5"), 500);
  EXPECT_EQ(ms(".25s"), 250);
  EXPECT_EQ(ms("750ms"), 750);
  EXPECT_EQ(ms("1m"), 60000);
  EXPECT_EQ(ms("60m"), 3600000);
  for (const char* bad : {"", "s", "1..2", "1e3", "-0", "2 s", "+1"})
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_duration(bad))) << bad;
}

// A pattern deep enough to overflow std::regex's compiler is refused before it is compiled.
TEST(CheckSyntax, PatternsAreBounded) {
  std::string deep = std::string(100000, '(') + "a" + std::string(100000, ')');
  EXPECT_EQ(regex_problem(deep), "longer than 1024 characters");
  EXPECT_FALSE(regex_problem(std::string(200, '(') + "a" + std::string(200, ')')));
  EXPECT_TRUE(regex_problem("a{2,1}"));
  auto yaml = std::string(kHead) + "  - {from: net0, exec: [cat], output: '" + deep + "'}\n";
  auto m = messages(yaml);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("longer than 1024 characters"), std::string::npos);
}

TEST(CheckSyntax, HostPort) {
  EXPECT_EQ(split_host_port("10.0.0.1:80").addr, "10.0.0.1");
  EXPECT_EQ(*split_host_port("10.0.0.1:80").port, "80");
  EXPECT_EQ(split_host_port("[fd00::1]:80").addr, "fd00::1");
  EXPECT_FALSE(split_host_port("fd00::1").port);
  EXPECT_EQ(std::get<uint16_t>(parse_port("65535")), 65535);
  EXPECT_EQ(std::get<PortError>(parse_port("65536")), PortError::OutOfRange);
  EXPECT_EQ(std::get<PortError>(parse_port("8o")), PortError::NotDigits);
}

}  // namespace
}  // namespace netlab::testing
