// netlab test: the lab's `tests:`, every ping at once, one line per check.
#include <cstdio>

#include "api/lab_tests.h"
#include "api/machine.h"
#include "commands.h"
#include "guarded.h"
#include "json_out.h"

namespace netlab::cli {

namespace {

json results_json(const std::string& lab, const Topology& t, const std::vector<TestResult>& results,
                  double timeout_s) {
  json items = json::array();
  size_t passed = 0;
  for (const auto& r : results) {
    passed += r.passed;
    items.push_back({{"from", r.from},
                     {"to", r.to.str()},
                     {"expect", r.expect_reachable ? "reachable" : "unreachable"},
                     {"result", r.broken      ? "error"
                                : r.reachable ? "reachable"
                                              : "unreachable"},
                     {"passed", r.passed},
                     {"rtt_ms", r.reachable ? json(r.rtt_ms) : json(nullptr)},
                     {"error", r.error.empty() ? json(nullptr) : json(r.error)}});
  }
  return {{"lab", lab},
          {"file", t.file},
          {"timeout_s", timeout_s},
          {"results", items},
          {"summary", {{"passed", passed}, {"failed", results.size() - passed}}},
          {"instance", instance_json(lab)}};
}

}  // namespace

int cmd_test(const Context& ctx, const std::string& lab_or_file) {
  auto ref = resolve_lab(ctx, lab_or_file);
  if (!ref) return 1;
  auto topology = ref->topology ? std::move(ref->topology) : load_recorded(ref->lab);
  if (!topology) return 1;
  return guarded([&] {
    kernel::PingOptions options;
    const double timeout_s = std::chrono::duration<double>(options.timeout).count();
    auto results = run_lab_tests(topology->tests, options, ref->lab,
                                 machine_records().load(ref->lab).private_host);
    size_t failed = 0;
    for (const auto& r : results) failed += !r.passed;
    if (ctx.json) {
      print_json(results_json(ref->lab, *topology, results, timeout_s));
      return failed ? 1 : 0;
    }
    if (results.empty()) {
      std::printf("lab %s has no tests\n", ref->lab.c_str());
      return 0;
    }
    for (const auto& r : results) {
      std::string line = printable(r.str(timeout_s));
      std::printf("%s\n", (r.passed ? ctx.style.green(line) : ctx.style.red(line)).c_str());
    }
    std::printf("%zu passed, %zu failed\n", results.size() - failed, failed);
    return failed ? 1 : 0;
  });
}

}  // namespace netlab::cli
