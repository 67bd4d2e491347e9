// The randomized labs of the unit tests (tests/unit/random_lab.h) on the real kernel, through
// the engine and NetlinkKernel, each case in a sandbox of its own: up A equals the file (a
// second plan is empty), the CLI's exit codes agree (plan 0; after a hand-made drift plan and
// status 2, up 0, plan 0 again), up B after A converges (its plan is empty after), and down
// restores the start exactly. NETLAB_SANDBOX_CASES=N runs more; NETLAB_RANDOM_SEED=S replays one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>

#include "../unit/random_lab.h"
#include "api/engine.h"
#include "child_sandbox.h"
#include "kernel/netlink_kernel.h"
#include "parse/load.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

DesiredState desired(const std::string& yaml) {
  auto r = load_topology_text(yaml, "lab.yaml");
  if (!r.topology) throw std::runtime_error("generated lab does not load:\n" + yaml);
  r.topology->file = "lab.yaml";
  return build_desired(*r.topology);
}

bool link_local(const IpAddr& a) {
  return a.is_v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

// What the lab can have changed, as lines: links (without ifindexes and MACs), addresses
// (not the kernel's link-local ones), routes, the host's sysctls the labs set.
std::vector<std::string> normal(const LiveState& s) {
  std::vector<std::string> out;
  for (const auto& [n, ns] : s.ns) {
    if (!ns.exists) continue;
    out.push_back("namespace " + n);
    for (const auto& l : ns.links)
      out.push_back(n + " link " + l.name + " " + l.kind + " mtu " +
                    std::to_string(l.mtu.value_or(0)) + (l.up ? " up" : " down") + " master '" +
                    l.master + "' alias '" + l.alias + "'");
    for (const auto& a : ns.addrs)
      if (!link_local(a.cidr.addr)) out.push_back(n + " address " + a.dev + " " + a.cidr.str());
    for (const auto& r : ns.routes)
      out.push_back(n + " route " + r.dst.str() + (r.via ? " via " + r.via->str() : "") + " dev " +
                    r.dev + " metric " + std::to_string(r.metric));
    for (const auto& [k, v] : ns.sysctl) out.push_back(n + " sysctl " + k + "=" + v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  std::string s;
  for (const auto& w : want)
    if (!std::binary_search(got.begin(), got.end(), w)) s += "    only before: " + w + "\n";
  for (const auto& g : got)
    if (!std::binary_search(want.begin(), want.end(), g)) s += "    only after:  " + g + "\n";
  return s;
}

// What a user sees: `plan` exits 0 on the lab as up made it; a link brought down by hand is
// drift that plan and status report (exit 2) and up repairs (plan exits 0 again).
std::string drift_through_the_cli(const std::string& yaml, const DesiredState& d, Rng& rng) {
  std::string problems;
  auto file = write_temp("a.yaml", yaml);
  auto expect = [&](const std::string& args, int want, const std::string& when) {
    Output o = netlab(args);
    if (o.status != want)
      problems += "* netlab " + args.substr(0, args.find(' ')) + " " + when + " exits " +
                  std::to_string(o.status) + ", not " + std::to_string(want) + ": " + o.err + "\n";
  };
  expect("plan " + file, 0, "after up");
  std::vector<const LinkObj*> up;
  for (const auto& l : d.links)
    if (l.up) up.push_back(&l);
  if (up.empty()) return problems;
  const LinkObj& l = *up[rng() % up.size()];
  std::string where = l.ns == kHost ? "" : "-n " + l.ns + " ";
  sh("ip " + where + "link set " + l.name + " down");
  std::string when = "after " + l.ns + "/" + l.name + " was brought down by hand";
  expect("plan " + file, 2, when);
  expect("status " + file, 2, when);
  expect("up " + file, 0, when);
  expect("plan " + file, 0, "after up repaired it");
  return problems;
}

// One case, in its own sandbox: "" when every invariant held.
std::string run_case(uint64_t seed) {
  Rng rng(seed);
  std::vector<std::string> edits;
  RandomLab a = random_lab(rng);
  RandomLab b = random_edit(a, rng, edits);
  auto da = desired(a.yaml()), db = desired(b.yaml());
  NetlinkKernel kernel;
  RecordStore store;
  Engine engine(kernel, store);
  ReadRequest everything = da.read_request();
  for (const auto& n : db.namespaces) everything.namespaces.push_back(n);
  everything.sysctl_keys.erase("host");
  everything.sysctl_keys["host"] = {"net.ipv4.ip_forward"};
  auto start = normal(kernel.read(everything));
  std::string problems;
  auto step = [&](const std::string& what, auto f) {
    try {
      f();
      return true;
    } catch (const std::exception& e) {
      problems += "* " + what + " threw: " + e.what() + "\n";
      return false;
    }
  };
  if (step("up A", [&] { engine.up(da); })) {
    if (!engine.plan(da).empty()) problems += "* plan after up A is not empty\n";
    problems += drift_through_the_cli(a.yaml(), da, rng);
  }
  if (step("up B after A", [&] { engine.up(db); }) && !engine.plan(db).empty())
    problems += "* plan after up B is not empty\n";
  if (step("down", [&] { engine.down(da.lab); })) {
    auto end = normal(kernel.read(everything));
    if (end != start) problems += "* down does not restore the start\n" + diff(start, end);
  }
  if (problems.empty()) return "";
  std::string log;
  for (const auto& e : edits) log += e + "; ";
  return "case NETLAB_RANDOM_SEED=" + std::to_string(seed) + "\n--- A:\n" + a.yaml() + "--- B (" +
         log + "):\n" + b.yaml() + problems;
}

class RandomLabSandbox : public Sandbox {};

TEST_F(RandomLabSandbox, UpEditDownOnTheRealKernel) {
  if (IsSkipped()) return;
  const char* replay = std::getenv("NETLAB_RANDOM_SEED");
  const char* count = std::getenv("NETLAB_SANDBOX_CASES");
  uint64_t base = replay && *replay ? std::strtoull(replay, nullptr, 0) : std::random_device{}();
  int cases = replay && *replay ? 1 : (count && *count ? std::atoi(count) : 24);
  std::cout << "random labs in sandboxes: " << cases << " case(s) from seed " << base << "\n";
  int failed = 0;
  std::map<std::string, std::pair<int, uint64_t>> kinds;
  for (int i = 0; i < cases; ++i) {
    uint64_t seed = base + i;
    std::string out = in_child_sandbox([&] { return run_case(seed); });
    if (out.empty()) continue;
    if (failed++ < 3) ADD_FAILURE() << out;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      if (line.starts_with("* ")) {
        auto& k = kinds[line.substr(0, 120)];
        if (!k.first++) k.second = seed;
      }
  }
  std::string summary;
  for (const auto& [k, n] : kinds)
    summary += "  " + std::to_string(n.first) +
               "x (first NETLAB_RANDOM_SEED=" + std::to_string(n.second) + "): " + k + "\n";
  EXPECT_EQ(failed, 0) << failed << " of " << cases << " cases failed:\n" << summary;
}

}  // namespace
}  // namespace netlab::testing
