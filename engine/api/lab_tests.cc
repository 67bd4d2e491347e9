#include "api/lab_tests.h"

#include <cstdio>

#include "model/instance.h"

namespace netlab {

std::string TestResult::str(double timeout_s) const {
  char buf[64];
  std::string s = std::string(passed ? "ok   " : "FAIL ") + from + " -> " + to.str() + "  ";
  if (passed && reachable) {
    std::snprintf(buf, sizeof buf, "%.3f ms", rtt_ms);
    return s + "reachable  " + buf;
  }
  if (passed) {
    std::snprintf(buf, sizeof buf, "%.1f s", timeout_s);
    return s + "unreachable  " + (error.empty() ? std::string("no reply in ") + buf : error);
  }
  if (broken) return s + "cannot run: " + error;
  if (reachable) {
    std::snprintf(buf, sizeof buf, "%.3f ms", rtt_ms);
    return s + "expected unreachable, replied in " + buf;
  }
  std::snprintf(buf, sizeof buf, "%.1f s", timeout_s);
  return s + "expected reachable, " + (error.empty() ? std::string("no reply in ") + buf : error);
}

std::vector<TestResult> run_lab_tests(const std::vector<Test>& tests,
                                      const kernel::PingOptions& options, const std::string& lab,
                                      bool isolated) {
  auto key = parse_lab_key(lab).value_or(LabKey{});
  std::vector<kernel::PingTarget> targets;
  for (const auto& t : tests)
    targets.push_back({lab_namespace(t.from.value, key.lab, key.instance, isolated), t.ping.value});
  auto replies = kernel::ping_all(targets, options);
  std::vector<TestResult> out;
  for (size_t i = 0; i < tests.size(); ++i) {
    TestResult r{tests[i].from.value, tests[i].ping.value, tests[i].expect_reachable.value};
    r.reachable = replies[i].reachable;
    r.rtt_ms = replies[i].rtt_ms;
    r.error = replies[i].error;
    r.broken = replies[i].broken;
    r.passed = !r.broken && r.reachable == r.expect_reachable;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace netlab
