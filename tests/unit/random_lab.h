// Random valid labs for the randomized invariant tests: a small model of a topology that is
// easy to edit (B from A) and always renders to a file that validates. Routes name the veth
// end they leave from, so an edit of a gateway's address moves the route's gateway with it.
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
};

struct RandomVeth {
  RandomEnd a, b;
};

struct RandomBridge {
  std::string name;
  std::string ns = "host";
  std::vector<std::string> addrs;
  std::optional<uint32_t> mtu;
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
