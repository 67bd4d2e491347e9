// Random valid labs for the randomized invariant tests: a small model of a topology that is
// easy to edit (B from A) and always renders to a file that validates. Routes name the veth
// end they leave from, so an edit of a gateway's address moves the route's gateway with it;
// macvlans and vxlans name the link they stand on the same way, so they follow its renames.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace netlab::testing {

struct RandomEnd {
  std::string name;
  std::string ns = "host";
  std::string bridge;              // a port of this bridge (same namespace): no addresses
  std::vector<std::string> addrs;  // CIDRs, in the order of the file
  std::optional<uint32_t> mtu;
  bool up = true;
  std::string rate;  // impair: {rate: ...}, "" for none (netem keys need a kernel with netem)
};

struct RandomVeth {
  int id = 0;  // stable across renames: what routes and links on it refer to
  RandomEnd a, b;
};

struct RandomBridge {
  std::string name;
  std::string ns = "host";
  std::vector<std::string> addrs;
  std::optional<uint32_t> mtu;
};

// A lab link another stands on: a veth end (by the pair's id) or a bridge (by its index).
struct RandomRef {
  bool bridge = false;
  int id = 0;
  bool side_b = false;
  bool operator==(const RandomRef&) const = default;
};

// The keys every link has (name, namespace, bridge, addresses, mtu, up) are a RandomEnd's.
struct RandomMacvlan {
  RandomEnd link;
  RandomRef parent;
  std::string mode;  // "" for the default (bridge)
};

struct RandomVxlan {
  RandomEnd link;
  uint32_t vni = 1;
  std::string remote, group;     // one of them
  bool local = false;            // the underlay's first address of the family as `local`
  std::optional<RandomRef> dev;  // the underlay, in the vxlan's namespace
  std::optional<uint32_t> port;  // unset: 4789
  std::optional<bool> learning;
  bool v6() const { return (remote + group).find(':') != std::string::npos; }
};

struct RandomTap {
  RandomEnd link;
  std::string type;  // "" (a tap), "tap" or "tun"
  std::string owner, group;
};

struct RandomRoute {
  size_t veth;  // leaves from this pair's end `side`, through the other end's first address
  bool side_b;
  bool v6;
  std::string to;
  bool with_dev;
  std::optional<uint32_t> metric;
};

struct RandomLab {
  std::string name = "rl";
  std::map<std::string, std::map<std::string, std::string>> ns_sysctl;  // every lab namespace
  std::map<std::string, std::string> host_sysctl;
  std::vector<RandomBridge> bridges;
  std::vector<RandomVeth> veths;
  std::vector<RandomMacvlan> macvlans;
  std::vector<RandomVxlan> vxlans;
  std::vector<RandomTap> taps;
  std::vector<RandomRoute> routes;
  std::vector<std::string> nat_sources;  // masquerade rules in the host
  int next_id = 0;                       // for names and subnets of new objects

  std::string yaml() const;
};

using Rng = std::mt19937_64;

RandomLab random_lab(Rng& rng);
// B derived from A: one to three edits; `log` says which.
RandomLab random_edit(const RandomLab& a, Rng& rng, std::vector<std::string>& log);

}  // namespace netlab::testing
