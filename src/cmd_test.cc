// netlab test: the lab's `tests:`, every check at once, one line per check; --json and
// --junit FILE say the same for machines.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <set>

#include "api/junit.h"
#include "api/lab_tests.h"
#include "api/machine.h"
#include "api/test_capture.h"
#include "commands.h"
#include "guarded.h"
#include "json_out.h"
#include "remove_on_signal.h"

namespace netlab::cli {

namespace {

json result_json(const TestResult& r) {
  bool addressed = r.kind != CheckKind::Exec;
  bool timed = r.kind != CheckKind::Exec && r.reachable && !r.broken;
  return {{"kind", r.kind == CheckKind::Ping  ? "ping"
                   : r.kind == CheckKind::Tcp ? "tcp"
                                              : "exec"},
          {"name", r.name},
          {"from", r.from},
          {"to", addressed ? json(r.to.str()) : json(nullptr)},
          {"port", r.kind == CheckKind::Tcp ? json(r.port) : json(nullptr)},
          {"argv", r.kind == CheckKind::Exec ? json(r.argv) : json(nullptr)},
          {"expect", r.expect},
          {"result", r.result},
          {"passed", r.passed},
          {"rtt_ms", timed ? json(r.rtt_ms) : json(nullptr)},
          {"error", r.error.empty() ? json(nullptr) : json(r.error)},
          {"expected", r.expected},
          {"seen", r.seen},
          {"time_s", r.time_s},
          {"timeout_s", r.timeout_s},
          {"attempts", r.attempts},
          {"capture", r.capture.empty() ? json(nullptr) : json(r.capture)},
          {"at", r.pos.str()}};
}

json results_json(const std::string& lab, const Topology& t, const std::vector<TestResult>& results,
                  double timeout_s) {
  json items = json::array();
  size_t passed = 0;
  for (const auto& r : results) {
    passed += r.passed;
    items.push_back(result_json(r));
  }
  return {{"lab", lab},
          {"file", t.file},
          {"timeout_s", timeout_s},
          {"results", items},
          {"summary", {{"passed", passed}, {"failed", results.size() - passed}}},
          {"instance", instance_json(lab)}};
}

// Now, in UTC, as JUnit's timestamp has it: 2026-12-01T20:00:00.
std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

int print_text(const Context& ctx, const std::string& lab, const std::vector<TestResult>& results,
               double timeout_s) {
  if (results.empty()) {
    std::printf("lab %s has no tests\n", lab.c_str());
    return 0;
  }
  size_t failed = 0;
  for (const auto& r : results) {
    failed += !r.passed;
    std::string line = printable(r.str(timeout_s));
    std::printf("%s\n", (r.passed ? ctx.style.green(line) : ctx.style.red(line)).c_str());
  }
  std::printf("%zu passed, %zu failed\n", results.size() - failed, failed);
  return failed ? 1 : 0;
}

// A capture that cannot start (an interface gone, a folder that cannot be made) is said, and the
// checks run all the same: they are what the run is for.
void start_capture(std::optional<TestCapture>& capture, const Topology& t, const std::string& lab,
                   bool isolated, const std::string& dir) {
  try {
    capture.emplace(t, lab, isolated, dir);
  } catch (const std::exception& e) {
    print_warning(std::string("capture: ") + e.what() + "; the checks run without it");
  }
}

// After the results, on stderr (stdout stays one line per check): which captures were kept.
void say_kept(const std::vector<TestResult>& results) {
  std::set<std::string> said;
  for (const auto& r : results)
    if (!r.capture.empty() && said.insert(r.capture).second)
      print_stderr("netlab: capture of " + printable(r.from) + " kept: " + printable(r.capture));
}

}  // namespace

int cmd_test(const Context& ctx, const std::string& lab_or_file, const std::string& junit,
             const std::string& capture_dir) {
  auto ref = resolve_lab(ctx, lab_or_file);
  if (!ref) return 1;
  auto topology = ref->topology ? std::move(ref->topology) : load_recorded(ref->lab);
  if (!topology) return 1;
  return guarded([&] {
    kernel::PingOptions options;
    const double timeout_s = std::chrono::duration<double>(options.timeout).count();
    const std::string started = utc_now();
    const bool isolated = machine_records().load(ref->lab).private_host;
    std::optional<RemoveOnSignal> interrupted;  // outlives the capture: removes what it leaves
    std::optional<TestCapture> capture;
    if (!capture_dir.empty()) {
      interrupted.emplace();
      start_capture(capture, *topology, ref->lab, isolated, capture_dir);
      interrupted->arm(capture ? capture->temporary_paths() : std::vector<std::string>{});
    }
    auto results = run_lab_tests(topology->tests, options, ref->lab, isolated);
    if (capture)
      if (auto error = capture->keep_failures(results); !error.empty())
        print_warning("capture: " + error);
    if (!junit.empty())
      write_file_atomically(junit, junit_xml({{ref->lab, topology->file, started, results}}));
    size_t failed = 0;
    for (const auto& r : results) failed += !r.passed;
    int status = failed ? 1 : 0;
    if (!ctx.json)
      status = print_text(ctx, ref->lab, results, timeout_s);
    else
      print_json(results_json(ref->lab, *topology, results, timeout_s));
    say_kept(results);
    return status;
  });
}

}  // namespace netlab::cli
