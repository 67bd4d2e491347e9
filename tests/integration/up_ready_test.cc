// `netlab up` returns a lab that carries traffic at once: a CI's `netlab up && netlab test`
// must never meet a port the kernel has not started yet (its link-watch work runs after the
// link came up, on the kernel's own time, and until then the link drops what it is given).
#include <chrono>
#include <string>

#include "netlab.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

// Every namespace pings the next one across the bridge: each port, and each veth end in a
// namespace, carries the first packet of some check.
const char* kStar = R"(name: ready
namespaces: {n0: {}, n1: {}, n2: {}, n3: {}, n4: {}, n5: {}}
bridges:
  br0: {}
veths:
  - {name: v0, bridge: br0, peer: {name: eth0, namespace: n0, addresses: [10.8.0.10/24]}}
  - {name: v1, bridge: br0, peer: {name: eth0, namespace: n1, addresses: [10.8.0.11/24]}}
  - {name: v2, bridge: br0, peer: {name: eth0, namespace: n2, addresses: [10.8.0.12/24]}}
  - {name: v3, bridge: br0, peer: {name: eth0, namespace: n3, addresses: [10.8.0.13/24]}}
  - {name: v4, bridge: br0, peer: {name: eth0, namespace: n4, addresses: [10.8.0.14/24]}}
  - {name: v5, bridge: br0, peer: {name: eth0, namespace: n5, addresses: [10.8.0.15/24]}}
tests:
  - {from: n0, ping: 10.8.0.11}
  - {from: n1, ping: 10.8.0.12}
  - {from: n2, ping: 10.8.0.13}
  - {from: n3, ping: 10.8.0.14}
  - {from: n4, ping: 10.8.0.15}
  - {from: n5, ping: 10.8.0.10}
)";

using UpReturnsReady = Sandbox;

// One echo each, answered within less than the kernel's ARP retransmit time (1 s): a first
// packet (the ARP request) dropped by a port not started yet fails it. Several rounds: the
// kernel's lag is a race.
TEST_F(UpReturnsReady, FirstPingAfterUpIsAnswered) {
  const auto topo = netlab::load_text(kStar, "ready.yaml");
  int failed_rounds = 0;
  std::string first_failure;
  for (int round = 0; round < 10; ++round) {
    LabGuard lab(topo);
    bool failed = false;
    for (const auto& t : lab.test({.timeout = std::chrono::milliseconds(900), .tries = 1}))
      if (!t.passed) {
        failed = true;
        if (first_failure.empty())
          first_failure = "round " + std::to_string(round) + ": " + t.str(0.9);
      }
    failed_rounds += failed;
  }
  EXPECT_EQ(failed_rounds, 0) << first_failure;
}

}  // namespace
}  // namespace netlab::testing
