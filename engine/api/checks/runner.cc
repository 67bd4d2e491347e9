#include "api/checks/runner.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "api/checks/attempt.h"
#include "api/checks/describe.h"
#include "model/instance.h"

namespace netlab::checks {

namespace {

using Clock = std::chrono::steady_clock;

// Enough to run every check of a real lab at once, few enough for a machine's thread limit.
constexpr size_t kMaxWorkers = 256;
// Between two attempts of a check that waits: a port that refuses answers at once.
constexpr std::chrono::milliseconds kRetryPause{100};
// A command with no `timeout:` is killed after this long, so that a hung check ends.
constexpr std::chrono::milliseconds kExecTimeout{10000};

// Whose checks: the copy of a lab, and whether its host is a namespace of its own.
struct Copy {
  LabKey key;
  bool isolated = false;
};

CheckSetup setup_for(const Test& t, const kernel::PingOptions& options, const Copy& copy) {
  CheckSetup s;
  s.test = &t;
  s.ns = lab_namespace(t.from.value, copy.key.lab, copy.key.instance, copy.isolated);
  s.to = t.to.value;
  s.timeout = t.timeout                   ? t.timeout->value
              : t.kind == CheckKind::Exec ? kExecTimeout
                                          : options.timeout;
  s.ping_tries = options.tries;
  if (t.output) s.output.emplace(t.output->value);  // valid: the parser compiled it
  return s;
}

TestResult result_for(const Test& t, const CheckSetup& s) {
  TestResult r;
  r.kind = t.kind;
  r.name = check_name(t);
  r.from = t.from.value;
  r.to = s.to;
  r.to_name = t.to_name.value_or("");
  r.port = t.port.value;
  r.argv = t.argv.value;
  r.pos = t.pos;
  r.expect_reachable = t.expect.value == Expect::Reachable;
  r.expect = expect_word(t);
  r.expected = expected_text(t);
  r.timeout_s = std::chrono::duration<double>(s.timeout).count();
  return r;
}

// An attempt that throws (a poll that fails, a regex too complex to match) could not run.
Attempt attempt_safely(const CheckSetup& s) {
  try {
    return run_attempt(s);
  } catch (const std::exception& e) {
    Attempt a;
    a.broken = true;
    a.error = e.what();
    a.result = "error";
    a.seen = "cannot run: " + a.error;
    return a;
  }
}

// Tries until the check passes or its wait is over; the last attempt is the result.
TestResult run_one(const Test& t, const kernel::PingOptions& options, const Copy& copy) {
  const auto start = Clock::now();
  const auto deadline = start + (t.wait ? t.wait->value : std::chrono::milliseconds(0));
  CheckSetup s = setup_for(t, options, copy);
  TestResult r = result_for(t, s);
  Attempt a;
  for (;;) {
    a = attempt_safely(s);
    ++r.attempts;
    auto now = Clock::now();
    if (a.passed || now >= deadline) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(kRetryPause, deadline - now));
  }
  r.reachable = a.reachable;
  r.broken = a.broken;
  r.passed = a.passed;
  r.rtt_ms = a.rtt_ms;
  r.error = a.error;
  r.result = a.result;
  r.seen = a.seen;
  r.time_s = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

// Two checks alike get names of their own: "... #2" for the second.
void name_apart(std::vector<TestResult>& results) {
  std::map<std::string, int> seen;
  for (auto& r : results)
    if (int n = ++seen[r.name]; n > 1) r.name += " #" + std::to_string(n);
}

}  // namespace

std::vector<TestResult> run_checks(const std::vector<Test>& tests,
                                   const kernel::PingOptions& options, const std::string& lab,
                                   bool isolated) {
  const Copy copy{parse_lab_key(lab).value_or(LabKey{}), isolated};
  std::vector<TestResult> out(tests.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < tests.size();) out[i] = run_one(tests[i], options, copy);
  };
  std::vector<std::jthread> workers;
  for (size_t w = 1; w < std::min(tests.size(), kMaxWorkers); ++w) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  name_apart(out);
  return out;
}

}  // namespace netlab::checks
