// `netlab test`: a topology's `tests:` (ping from a namespace, expect reachable or not), run
// concurrently with the engine's own ICMP echo (kernel/ping.h).
#pragma once

#include <string>
#include <vector>

#include "kernel/ping.h"
#include "model/topology.h"

namespace netlab {

struct TestResult {
  std::string from;  // "host" or a namespace
  IpAddr to;
  bool expect_reachable = true;
  bool reachable = false;
  double rtt_ms = 0;    // when reachable
  std::string error;    // why no echo could be sent, if so
  bool broken = false;  // the check could not run (a missing namespace, an echo that could
                        // not be sent): never passes
  bool passed = false;
  std::string str(double timeout_s) const;  // "ok   net0 -> 10.0.0.2  reachable  0.041 ms"
};

// `lab`: the lab's key; an instance's checks run in its own namespaces, and an isolated lab's
// checks from "host" in the namespace it has for a host.
std::vector<TestResult> run_lab_tests(const std::vector<Test>& tests,
                                      const kernel::PingOptions& options = {},
                                      const std::string& lab = "", bool isolated = false);

}  // namespace netlab
