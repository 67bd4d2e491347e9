// Randomized invariants of the engine on the strict fake kernel: random valid labs (A), random
// edits of them (B), random hand-made drift and foreign look-alikes. For each case:
//   up A equals the file (a second plan is empty); up A then up B equals a fresh up B;
//   down restores the start exactly; drift is seen by plan and repaired by up; a foreign
//   object is never deleted.
// NETLAB_RANDOM_CASES=N runs N cases (default below); NETLAB_RANDOM_SEED=S replays case S.
// Each failing case prints its seed, A, B, the drift and what differed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "api/engine.h"
#include "fake_kernel.h"
#include "live_lines.h"
#include "parse/load.h"
#include "random_lab.h"
#include "temp_dir.h"

namespace netlab::testing {
namespace {

constexpr int kDefaultCases = 4000;  // about 20 s on a busy CI machine

DesiredState desired(const std::string& yaml) {
  auto r = load_topology_text(yaml, "lab.yaml");
  if (!r.topology) {
    std::string diags;
    for (const auto& d : r.diagnostics.sorted()) diags += d.str() + "\n";
    throw std::runtime_error("generated lab does not load:\n" + diags);
  }
  r.topology->file = "lab.yaml";
  return build_desired(*r.topology);
}

// A kernel with a record store and a host that is not empty: a link, an address and a
// default route of the machine's own, and a host sysctl.
struct Machine {
  TempDir dir{std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp"};
  FakeKernel kernel;
  RecordStore store{dir.path()};
  Machine() {
    LinkObj eth;
    eth.ns = "host";
    eth.name = "eth0";
    eth.kind = "veth";
    LinkObj peer = eth;
    peer.name = "uplink";
    kernel.create_link(eth, &peer);
    kernel.user_set_up("host", "eth0", true);
    kernel.add_address({"host", "eth0", *Cidr::parse("192.168.1.2/24")});
    RouteObj def;
    def.ns = "host";
    def.dst = *Cidr::parse("0.0.0.0/0");
    def.via = IpAddr::parse("192.168.1.1");
    def.protocol = 4;  // static, as a boot script's
    kernel.add_route(def, false);
    kernel.state.ns["host"].sysctl["net.ipv4.ip_forward"] = "0";
    kernel.calls.clear();
  }
  Engine engine() { return Engine(kernel, store); }
};

std::string diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  std::string s;
  for (const auto& w : want)
    if (std::find(got.begin(), got.end(), w) == got.end()) s += "    only expected: " + w + "\n";
  for (const auto& g : got)
    if (std::find(want.begin(), want.end(), g) == want.end()) s += "    only actual:   " + g + "\n";
  if (s.empty()) s = "    same lines, another order (addresses: which one is primary)\n";
  return s;
}

struct Case {
  uint64_t seed;
  std::string a, b;
  std::vector<std::string> edits, drift;
  std::vector<std::string> failures;  // "invariant: detail"

  void check_same(const std::string& what, const LiveState& want, const LiveState& got) {
    auto w = live_lines(want), g = live_lines(got);
    if (w != g) failures.push_back(what + "\n" + diff(w, g));
  }
  // Runs `f`, and records what it threw as a failure of `what`.
  template <class F>
  bool run(const std::string& what, F f) {
    try {
      f();
      return true;
    } catch (const std::exception& e) {
      failures.push_back(what + " threw: " + e.what());
      return false;
    }
  }
  std::string dump() const {
    std::ostringstream o;
    o << "case NETLAB_RANDOM_SEED=" << seed << "\n--- A:\n" << a << "--- B (";
    for (const auto& e : edits) o << e << "; ";
    o << "):\n" << b << "--- drift: ";
    for (const auto& d : drift) o << d << "; ";
    o << "\n";
    for (const auto& f : failures) o << "* " << f << "\n";
    return o.str();
  }
};

LiveState all(FakeKernel& k) {
  return k.state;
}

// up A is the file; up B after A is a fresh up B; down restores the start.
void check_edit(Case& c) {
  Machine m;
  LiveState start = all(m.kernel);
  auto da = desired(c.a), db = desired(c.b);
  if (!c.run("up A", [&] { m.engine().up(da); })) return;
  if (!m.engine().plan(da).empty()) c.failures.push_back("plan after up A is not empty");
  LiveState after_a = all(m.kernel);
  if (c.run("up B after A", [&] { m.engine().up(db); })) {
    if (!m.engine().plan(db).empty()) c.failures.push_back("plan after up B is not empty");
    Machine fresh;
    if (c.run("fresh up B", [&] { fresh.engine().up(db); }))
      c.check_same("up A then up B differs from a fresh up B", all(fresh.kernel), all(m.kernel));
  }
  if (c.run("down", [&] { m.engine().down(da.lab); }))
    c.check_same("down does not restore the start", start, all(m.kernel));
}

// Hand-made drift on a lab that is up: plan sees it, up repairs it; a foreign look-alike of a
// deleted lab object is never deleted.
void check_drift(Case& c, Rng& rng) {
  Machine m;
  LiveState start = all(m.kernel);
  auto da = desired(c.a);
  if (!c.run("up A (drift)", [&] { m.engine().up(da); })) return;
  LiveState clean = all(m.kernel);
  auto& k = m.kernel;
  std::optional<std::pair<std::string, std::string>> foreign_link;  // (ns, name)
  std::optional<std::string> foreign_ns;
  bool host_route_taken = false;
  RouteObj taken_route;
  int n = std::uniform_int_distribution<int>(1, 2)(rng);
  for (int i = 0; i < n; ++i) {
    int kind = std::uniform_int_distribution<int>(0, 6)(rng);
    std::vector<LinkObj> links;
    for (const auto& [name, ns] : k.state.ns)
      for (const auto& l : ns.links)
        if (l.alias == lab_tag(da.lab)) links.push_back(l);
    if (links.empty()) break;
    const LinkObj l = links[std::uniform_int_distribution<size_t>(0, links.size() - 1)(rng)];
    bool foreign = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    try {
      if (kind == 0) {
        c.drift.push_back("delete link " + l.ns + "/" + l.name);
        k.delete_link(l.ns, l.name);
        if (foreign && !foreign_link && l.kind == "veth") {
          LinkObj f;
          f.ns = l.ns;
          f.name = l.name;
          f.kind = "veth";
          LinkObj p = f;
          p.name = "zz" + std::to_string(i);
          k.create_link(f, &p);
          foreign_link = {l.ns, l.name};
          c.drift.push_back("foreign veth " + l.ns + "/" + l.name + " (peer " + p.name + ")");
        }
      } else if (kind == 1 && !da.namespaces.empty()) {
        std::string ns = da.namespaces[rng() % da.namespaces.size()];
        if (!k.state.ns.count(ns)) continue;
        c.drift.push_back("delete namespace " + ns);
        k.delete_namespace(ns);
        if (foreign_ns == ns) foreign_ns.reset();  // the look-alike itself is gone
        if (foreign && !foreign_ns) {
          k.create_namespace(ns);
          foreign_ns = ns;
          c.drift.push_back("foreign namespace " + ns);
        }
      } else if (kind == 2) {
        std::vector<AddrObj> addrs;
        for (const auto& a : k.state.ns[l.ns].addrs)
          if (a.dev == l.name) addrs.push_back(a);
        if (addrs.empty()) continue;
        auto a = addrs[rng() % addrs.size()];
        c.drift.push_back("delete address " + a.cidr.str() + " of " + l.ns + "/" + l.name);
        k.delete_address(a);
      } else if (kind == 3) {
        c.drift.push_back("add address 10.250.0.1/24 to " + l.ns + "/" + l.name);
        k.add_address({l.ns, l.name, *Cidr::parse("10.250.0.1/24")});
      } else if (kind == 4) {
        auto& routes = k.state.ns[l.ns].routes;
        auto it = std::find_if(routes.begin(), routes.end(), [](const RouteObj& r) {
          return r.via && !r.via->is_v6() && r.protocol == kRouteProtocol;
        });
        if (it == routes.end()) continue;
        RouteObj r = *it, moved = *it;
        moved.via->bytes[3] = 99;  // another host of the same /24
        moved.protocol = 3;        // `ip route replace` says proto boot
        c.drift.push_back("route " + r.dst.str() + " via " + r.via->str() + " -> " +
                          moved.via->str() + " in " + l.ns);
        k.delete_route(r);
        k.add_route(moved, false);
        // In the host it is somebody else's route now: refused, never overwritten. In the
        // lab's own namespaces the file decides.
        if (l.ns == kHost) {
          host_route_taken = true;
          taken_route = moved;
        }
      } else if (kind == 5) {
        c.drift.push_back("mtu of " + l.ns + "/" + l.name + " -> 1450");
        k.user_set_mtu(l.ns, l.name, 1450);
      } else if (kind == 6 && l.up) {
        c.drift.push_back("bring " + l.ns + "/" + l.name + " down");
        k.user_set_up(l.ns, l.name, false);
      }
    } catch (const KernelError& e) {
      c.drift.push_back(std::string("(refused by the kernel: ") + e.what() + ")");
    }
  }
  if (c.drift.empty()) return;
  // A later drift may have taken the hand-made route with its link.
  if (host_route_taken) {
    const auto& routes = k.state.ns["host"].routes;
    host_route_taken = std::any_of(routes.begin(), routes.end(), [&](const RouteObj& r) {
      return r.same_key(taken_route) && r.via == taken_route.via;
    });
  }
  // A later drift may have taken the look-alike with it (its namespace deleted, say).
  LinkObj foreign_obj;
  const NsLive* fns = foreign_link ? k.state.find(foreign_link->first) : nullptr;
  if (fns && fns->link(foreign_link->second))
    foreign_obj = *fns->link(foreign_link->second);
  else
    foreign_link.reset();
  // `down` removes the lab's namespaces whole, with whatever anyone put in them (as `ip netns
  // delete` does): a look-alike inside one goes with it; one in the host or in a look-alike
  // namespace must stay.
  auto in_lab_namespace = [&](const std::string& ns) {
    return ns != kHost && (!foreign_ns || *foreign_ns != ns);
  };
  auto foreign_alive = [&](const std::string& when) {
    if (foreign_link && !(when == "down" && in_lab_namespace(foreign_link->first))) {
      auto* ns = k.state.find(foreign_link->first);
      const LinkObj* l = ns ? ns->link(foreign_link->second) : nullptr;
      if (!l || l->ifindex != foreign_obj.ifindex)
        c.failures.push_back("foreign link " + foreign_link->first + "/" + foreign_link->second +
                             " deleted by " + when);
    }
    if (foreign_ns && !k.state.ns.count(*foreign_ns))
      c.failures.push_back("foreign namespace " + *foreign_ns + " deleted by " + when);
  };
  bool changed = live_lines(all(k)) != live_lines(clean);
  // Seen as a change, or as a conflict (a look-alike took a lab object's name).
  Plan seen = m.engine().plan(da);
  if (changed && seen.empty() && seen.conflicts.empty())
    c.failures.push_back("plan does not see the drift");
  bool conflict = false;
  try {
    m.engine().up(da);
    if (host_route_taken) c.failures.push_back("up took over a host route changed by hand");
    if (!foreign_link && !foreign_ns && !host_route_taken)
      c.check_same("up does not repair the drift", clean, all(k));
  } catch (const ConflictError&) {
    conflict = true;
    if (!foreign_link && !foreign_ns && !host_route_taken)
      c.failures.push_back("up after drift: conflict");
  } catch (const std::exception& e) {
    c.failures.push_back(std::string("up after drift threw: ") + e.what());
  }
  foreign_alive("up");
  (void)conflict;
  c.run("down after drift", [&] { m.engine().down(da.lab); });
  foreign_alive("down");
  if (!foreign_link && !foreign_ns && !host_route_taken)
    c.check_same("down after drift does not restore the start", start, all(k));
}

Case run_case(uint64_t seed) {
  Rng rng(seed);
  Case c{seed};
  RandomLab a = random_lab(rng);
  RandomLab b = random_edit(a, rng, c.edits);
  c.a = a.yaml();
  c.b = b.yaml();
  try {
    check_edit(c);
    check_drift(c, rng);
  } catch (const std::exception& e) {
    c.failures.push_back(std::string("case threw: ") + e.what());
  }
  return c;
}

uint64_t env(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

// The first two lines of a failure (what, and the first detail), numbers blurred: one line
// per kind of failure for the summary.
std::string failure_class(const std::string& f) {
  size_t first = f.find('\n');
  size_t second = first == std::string::npos ? first : f.find('\n', first + 1);
  std::string text = f.substr(0, second);
  std::string out;
  for (char ch : text) {
    if (ch == '\n') ch = '|';
    if (!std::isdigit(static_cast<unsigned char>(ch)) || out.empty() || out.back() != '#')
      out += std::isdigit(static_cast<unsigned char>(ch)) ? '#' : ch;
  }
  return out.substr(0, 200);
}

TEST(RandomLab, InvariantsHoldOnRandomLabsEditsAndDrift) {
  const char* replay = std::getenv("NETLAB_RANDOM_SEED");
  uint64_t base = replay && *replay ? env("NETLAB_RANDOM_SEED", 0)
                                    : std::random_device{}() * 1000003ull + std::random_device{}();
  int cases = replay && *replay ? 1 : static_cast<int>(env("NETLAB_RANDOM_CASES", kDefaultCases));
  std::cout << "random labs: " << cases << " case(s) from seed " << base
            << " (replay one with NETLAB_RANDOM_SEED=<seed>)\n";
  std::map<std::string, std::pair<int, uint64_t>> classes;  // class -> (count, first seed)
  int failed = 0, dumped = 0;
  for (int i = 0; i < cases; ++i) {
    Case c = run_case(base + i);
    if (c.failures.empty()) continue;
    ++failed;
    for (const auto& f : c.failures) {
      auto& cl = classes[failure_class(f)];
      if (!cl.first++) cl.second = c.seed;
    }
    if (dumped++ < 3 || replay) ADD_FAILURE() << c.dump();
  }
  std::ostringstream summary;
  for (const auto& [cl, n] : classes)
    summary << "  " << n.first << "x (first NETLAB_RANDOM_SEED=" << n.second << "): " << cl << "\n";
  EXPECT_EQ(failed, 0) << failed << " of " << cases << " cases failed; by kind:\n" << summary.str();
}

}  // namespace
}  // namespace netlab::testing
