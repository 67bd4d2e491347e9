// `netlab status` when something of the file is in the way (a conflict): every object still
// shows its real state, the conflict stands beside the object it concerns, and the summary
// and exit status say both.
#include <map>
#include <nlohmann/json.hpp>

#include "sandbox.h"

namespace netlab::testing {
namespace {

using json = nlohmann::json;

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// object -> state, from `status --json`; and the summary checked against the objects.
std::map<std::string, std::string> states(const json& j) {
  std::map<std::string, std::string> s;
  std::map<std::string, size_t> count;
  for (const auto& o : j["objects"]) {
    s[o["object"].get<std::string>() + " in " + o["namespace"].get<std::string>()] = o["state"];
    ++count[o["state"]];
  }
  for (const char* state : {"ok", "missing", "changed", "extra", "conflict"})
    EXPECT_EQ(j["summary"][state].get<size_t>(), count[state]) << state;
  return s;
}

class StatusConflict : public Sandbox {};

TEST_F(StatusConflict, ForeignBridgeOfANeverUpLab) {
  ASSERT_EQ(sh("ip link add nlbr0 type bridge").status, 0);
  std::string file = source_path("topologies/default.yaml");
  auto text = netlab("status " + file);
  EXPECT_EQ(text.status, 1);
  EXPECT_TRUE(has(text.out, "  missing  namespace netns1 ")) << text.out;
  EXPECT_TRUE(has(text.out, "  conflict bridge nlbr0 in host ")) << text.out;
  EXPECT_TRUE(has(text.out, "(exists and was not made by lab default")) << text.out;
  EXPECT_FALSE(has(text.out, "  ok ")) << text.out;
  EXPECT_TRUE(has(text.err, "netlab: error: ")) << text.err;

  auto r = netlab("status --json " + file);
  EXPECT_EQ(r.status, 1);
  json j = json::parse(r.out);
  auto s = states(j);
  EXPECT_EQ(s["namespace netns1 in host"], "missing");
  EXPECT_EQ(s["bridge nlbr0 in host"], "conflict");
  EXPECT_EQ(s["veth nlveth1 (peer eth0 in netns1) in host"], "missing");
  EXPECT_EQ(j["summary"]["conflict"], 1);
  EXPECT_EQ(j["summary"]["ok"], 0);
  EXPECT_FALSE(j["in_sync"].get<bool>());
  EXPECT_EQ(j["conflicts"].size(), 1u);
}

TEST_F(StatusConflict, DriftBesideAConflictInARunningLab) {
  const std::string lab = R"(name: mix
namespaces: {n1: {}}
veths:
  - name: mixv1
    peer: {name: eth0, namespace: n1, addresses: [10.66.0.2/24]}
)";
  std::string file = write_temp("mix.yaml", lab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.err;
  // Drift: an address gone. Conflict: the file now declares a bridge someone else made.
  ASSERT_EQ(sh("ip netns exec n1 ip addr del 10.66.0.2/24 dev eth0").status, 0);
  ASSERT_EQ(sh("ip link add mixbr type bridge").status, 0);
  ASSERT_EQ(sh("printf 'bridges: {mixbr: {}}\\n' >> " + file).status, 0);

  auto r = netlab("status --json " + file);
  EXPECT_EQ(r.status, 1) << r.err;
  json j = json::parse(r.out);
  auto s = states(j);
  EXPECT_EQ(s["address 10.66.0.2/24 on eth0 in n1"], "missing");
  EXPECT_EQ(s["bridge mixbr in host"], "conflict");
  EXPECT_EQ(s["namespace n1 in host"], "ok");
  EXPECT_EQ(s["veth mixv1 (peer eth0 in n1) in host"], "ok");
  EXPECT_EQ(j["summary"]["conflict"], 1);
  for (const auto& o : j["objects"]) {
    if (o["state"] != "conflict") continue;
    EXPECT_TRUE(has(o["why"], "not made by lab mix")) << o;
  }
}

}  // namespace
}  // namespace netlab::testing
