// Services in the file and in the plan (README.md, "Services"): what the reader accepts and
// refuses (at file:line:col), and what `up` does with each service given the record and its
// process.
#include <gtest/gtest.h>

#include "parse/load.h"
#include "parse_test_util.h"
#include "plan/services.h"
#include "record/entry_json.h"
#include "state/desired.h"

#include <nlohmann/json.hpp>

namespace netlab::testing {
namespace {

const char* kLab = R"(name: s
namespaces:
  n1:
    services:
      web:
        run: [python3, -m, http.server]
        env: {A: "1"}
        dir: /srv
        ready: {tcp: "10.0.0.1:80"}
        timeout: 2s
      idle: {run: [sleep, infinity]}
)";

TEST(ServicesParse, ReadsEveryKey) {
  auto r = load_topology_text(kLab, "t.yaml");
  ASSERT_TRUE(r.topology) << (r.diagnostics.sorted().empty() ? ""
                                                             : r.diagnostics.sorted()[0].str());
  const auto& s = r.topology->namespaces[0].services;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "web");
  EXPECT_EQ(s[0].argv.value, (std::vector<std::string>{"python3", "-m", "http.server"}));
  EXPECT_EQ(s[0].env.at("A").value, "1");
  EXPECT_EQ(s[0].dir->value, "/srv");
  ASSERT_TRUE(s[0].ready && s[0].ready->check);
  EXPECT_EQ(s[0].ready->check->port.value, 80);
  EXPECT_EQ(s[0].timeout->value.count(), 2000);
  EXPECT_FALSE(s[1].ready);
}

TEST(ServicesParse, RefusesWhatCannotRunAtItsLine) {
  EXPECT_EQ(messages(R"(name: s
namespaces:
  n1:
    services:
      Web: {run: [a]}
      a: {run: []}
      b: {run: [a], dir: rel}
      c: {run: [a], ready: {tcp: "x y:1"}}
      d: {run: [a], ready: {file: /x, exec: [b]}}
      e: {run: [a], timeout: 1s}
      f: {run: [a], env: {"A=B": x}}
      g: {command: [a]}
)"),
            (Lines{
                "t.yaml:5:7: error: service name \"Web\" must match [a-z0-9][a-z0-9-]{0,31} "
                "(lowercase letters, digits and '-', at most 32)",
                "t.yaml:6:16: error: exec must be a non-empty list of arguments, like [cat, "
                "/proc/net/dev]",
                "t.yaml:7:26: error: dir must be an absolute path, not \"rel\"",
                "t.yaml:8:34: error: invalid tcp target \"x y:1\" (expected address:port or "
                "name:port, like 10.0.0.2:80, [fd00::2]:80 or web:80)",
                "t.yaml:9:29: error: ready needs exactly one of \"tcp\", \"exec\" or \"file\"",
                "t.yaml:10:21: error: \"timeout\" is how long \"ready\" may take: give both",
                "t.yaml:11:27: error: environment variable \"A=B\" must be a non-empty name "
                "without '=' or NUL",
                "t.yaml:12:10: error: missing required key \"run\"",
                "t.yaml:12:11: error: unknown key \"command\" in service (known keys: run, env, "
                "dir, ready, timeout)",
            }));
}

DesiredState desired(const std::string& yaml) {
  auto r = load_topology_text(yaml, "t.yaml");
  EXPECT_TRUE(r.topology);
  return build_desired(*r.topology);
}

OwnedEntry recorded(const ServiceSpec& s, int pid) {
  OwnedEntry e{OwnedEntry::Kind::Service, s.ns, s.name};
  e.digest = s.digest();
  e.token = "t";
  e.pid = pid;
  e.start_time = 42;
  return e;
}

std::vector<std::string> shown(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(format_action(a));
  return out;
}

TEST(ServicesPlan, StartsNewRestartsEditedOrEndedStopsUndeclared) {
  auto d = desired(kLab);
  Record r;
  EXPECT_EQ(shown(plan_services(d.services, r, {})),
            (std::vector<std::string>{"+ service web in n1", "+ service idle in n1"}));
  for (const auto& s : d.services) r.own(recorded(s, 100));
  ServicesLive live{{{"n1", "web"}, {true, {}}}, {{"n1", "idle"}, {true, {}}}};
  EXPECT_TRUE(plan_services(d.services, r, live).empty()) << "running and unchanged";

  std::string edited = kLab;
  edited.replace(edited.find("dir: /srv"), 9, "dir: /tmp");
  edited.replace(edited.find("      idle: {run: [sleep, infinity]}\n"), 38, "");
  live[{"n1", "web"}] = {false, 3};
  EXPECT_EQ(shown(plan_services(desired(edited).services, r, live)),
            (std::vector<std::string>{"~ service web in n1  (restarted: dir changed)",
                                      "- service idle in n1  (no longer declared)"}));
  EXPECT_EQ(shown(plan_services(d.services, r, live)),
            (std::vector<std::string>{"~ service web in n1  (restarted: exited 3)"}));
}

// A namespace the plan makes anew (someone deleted it): its running services run in the old one.
TEST(ServicesPlan, RestartsARunningServiceWhoseNamespaceIsMadeAnew) {
  auto d = desired(kLab);
  Record r;
  for (const auto& s : d.services) r.own(recorded(s, 100));
  ServicesLive live{{{"n1", "web"}, {true, {}}}, {{"n1", "idle"}, {false, 0}}};
  std::vector<Action> network{{Op::Create, kHost, "namespace n1", "missing",
                               step::CreateNamespace{d.services[0].kernel_ns}}};
  EXPECT_EQ(
      shown(plan_services(d.services, r, live, network)),
      (std::vector<std::string>{"~ service web in n1  (restarted: its namespace is made anew)",
                                "~ service idle in n1  (restarted: exited 0)"}));
  network[0].step = step::CreateNamespace{"n2"};
  EXPECT_EQ(shown(plan_services(d.services, r, live, network)),
            (std::vector<std::string>{"~ service idle in n1  (restarted: exited 0)"}));
}

TEST(ServicesPlan, DigestIsStableAndSeesEachPart) {
  auto a = desired(kLab).services[0];
  auto b = a;
  EXPECT_EQ(a.digest(), b.digest());
  b.env.push_back("B=2");
  b.ready_file = "/x";
  EXPECT_EQ(digest_difference(a.digest(), b.digest()), "env, ready");
}

TEST(ServicesRecord, EntryRoundTripsThroughJson) {
  auto s = desired(kLab).services[0];
  OwnedEntry e = recorded(s, 1234);
  std::string text;
  append_entry(text, e);
  OwnedEntry back = entry_from_json(nlohmann::json::parse(text));
  EXPECT_EQ(back.kind, OwnedEntry::Kind::Service);
  EXPECT_EQ(back.name, "web");
  EXPECT_EQ(back.digest, e.digest);
  EXPECT_EQ(back.pid, 1234);
  EXPECT_EQ(back.start_time, 42u);
  Record r;
  r.own(back);
  EXPECT_FALSE(r.empty());
  r.disown(back);
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace netlab::testing
