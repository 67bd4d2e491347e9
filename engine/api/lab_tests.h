// `netlab test`: a topology's `tests:` (ping, tcp and exec checks, each waiting if it says so),
// run concurrently (api/checks/runner.h).
#pragma once

#include <string>
#include <vector>

#include "kernel/ping.h"
#include "model/topology.h"

namespace netlab {

struct TestResult {
  CheckKind kind = CheckKind::Ping;
  std::string name;               // "ping net0 -> 10.0.0.2": stable, the check's name in reports
  std::string from;               // "host" or a namespace
  IpAddr to;                      // ping, tcp
  std::string to_name;            // ping, tcp: the lab's name for `to`, when the file used one
  uint16_t port = 0;              // tcp
  std::vector<std::string> argv;  // exec
  Pos pos;                        // where the file declares it
  bool expect_reachable = true;   // the check expects what `reachable` means for its kind
  bool reachable = false;         // seen: an echo answered, the port open, the command as asked
  double rtt_ms = 0;              // ping, tcp: when reachable
  std::string error;              // why an attempt could not go out or run, if so
  bool broken = false;  // the check could not run (a missing namespace, an echo that could
                        // not be sent, a command not found): never passes
  bool passed = false;
  std::string expect;    // the word expected: reachable, unreachable, open, refused, filtered
  std::string result;    // the word seen: the same words, or "error"
  std::string expected;  // said in full: "exit status 0, output matching \"lo:\""
  std::string seen;      // said in full: "exit status 1", "no reply in 1.0 s"
  double timeout_s = 0;  // of one attempt
  double time_s = 0;     // all attempts together
  int attempts = 0;
  std::string capture;  // `test --capture DIR`: the kept pcap of its namespace, if it failed
  // "ok   net0 -> 10.0.0.2  reachable  0.041 ms"; `timeout_s` is the ping checks' default
  // (a check's own timeout wins).
  std::string str(double timeout_s) const;
  std::string str() const { return str(timeout_s); }
};

// `lab`: the lab's key; an instance's checks run in its own namespaces, and an isolated lab's
// checks from "host" in the namespace it has for a host. options.timeout is the timeout of a
// ping or tcp check that sets none.
std::vector<TestResult> run_lab_tests(const std::vector<Test>& tests,
                                      const kernel::PingOptions& options = {},
                                      const std::string& lab = "", bool isolated = false);

}  // namespace netlab
