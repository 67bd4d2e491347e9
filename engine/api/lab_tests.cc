#include "api/lab_tests.h"

#include <cstdio>

#include "api/checks/describe.h"
#include "api/checks/runner.h"

namespace netlab {

namespace {

// A ping's line, as it has always been: "net0 -> 10.0.0.2  reachable  0.041 ms".
std::string ping_line(const TestResult& r, double timeout_s) {
  char buf[64];
  std::string to = r.to_name.empty() ? r.to.str() : r.to_name + " (" + r.to.str() + ")";
  std::string s = r.from + " -> " + to + "  ";
  std::snprintf(buf, sizeof buf, "%.3f ms", r.rtt_ms);
  const std::string rtt = buf;
  std::snprintf(buf, sizeof buf, "%.1f s", timeout_s);
  const std::string no_reply = r.error.empty() ? std::string("no reply in ") + buf : r.error;
  if (r.passed && r.reachable) return s + "reachable  " + rtt;
  if (r.passed) return s + "unreachable  " + no_reply;
  if (r.broken) return s + "cannot run: " + r.error;
  if (r.reachable) return s + "expected unreachable, replied in " + rtt;
  return s + "expected reachable, " + no_reply;
}

}  // namespace

std::string TestResult::str(double default_timeout_s) const {
  std::string head = passed ? "ok   " : "FAIL ";
  std::string tries = attempts > 1 ? "  (" + std::to_string(attempts) + " attempts)" : "";
  if (kind == CheckKind::Ping)
    return head + ping_line(*this, timeout_s > 0 ? timeout_s : default_timeout_s) + tries;
  if (passed) return head + name + "  " + seen + tries;
  if (broken) return head + name + "  " + seen;
  return head + name + "  expected " + expected + ", saw " + seen + tries;
}

std::vector<TestResult> run_lab_tests(const std::vector<Test>& tests,
                                      const kernel::PingOptions& options, const std::string& lab,
                                      bool isolated) {
  return checks::run_checks(tests, options, lab, isolated);
}

}  // namespace netlab
