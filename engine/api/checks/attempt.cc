#include "api/checks/attempt.h"

#include <algorithm>
#include <cstdio>

#include "api/checks/describe.h"
#include "kernel/exec.h"
#include "kernel/ping.h"
#include "kernel/tcp_probe.h"

namespace netlab::checks {

namespace {

// What a check keeps of a command's stdout and stderr: its output is looked into, not kept.
constexpr size_t kCapturedOutput = 1 << 20;

double as_seconds(std::chrono::milliseconds d) {
  return std::chrono::duration<double>(d).count();
}

std::string millis(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", ms);
  return buf;
}

// Passed: seen as the check expects, and not broken.
void settle(Attempt& a, const Test& t) {
  a.passed = !a.broken && a.reachable == (t.expect.value == Expect::Reachable);
}

Attempt ping_once(const CheckSetup& s) {
  auto reply = kernel::ping_all({{s.ns, s.to}}, {s.timeout, s.ping_tries}).at(0);
  Attempt a{reply.reachable, reply.broken};
  a.rtt_ms = reply.rtt_ms;
  a.error = reply.error;
  a.result = a.broken ? "error" : a.reachable ? "reachable" : "unreachable";
  a.seen = a.broken          ? "cannot run: " + a.error
           : a.reachable     ? "reachable in " + millis(a.rtt_ms)
           : a.error.empty() ? "no reply in " + seconds(as_seconds(s.timeout))
                             : "unreachable: " + a.error;
  settle(a, *s.test);
  return a;
}

const char* tcp_word(kernel::TcpState st) {
  using kernel::TcpState;
  switch (st) {
    case TcpState::Open:
      return "open";
    case TcpState::Refused:
      return "refused";
    case TcpState::Filtered:
      return "filtered";
    case TcpState::Unreachable:
      return "unreachable";
    case TcpState::Broken:
      break;
  }
  return "error";
}

Attempt tcp_once(const CheckSetup& s) {
  using kernel::TcpState;
  auto p = kernel::probe_tcp(s.ns, s.to, s.test->port.value, s.timeout);
  Attempt a{p.state == TcpState::Open, p.state == TcpState::Broken};
  a.rtt_ms = p.ms;
  a.error = p.error;
  a.result = tcp_word(p.state);
  a.seen = p.state == TcpState::Open ? "open in " + millis(p.ms)
           : p.state == TcpState::Filtered
               ? "filtered: no answer in " + seconds(as_seconds(s.timeout))
           : p.state == TcpState::Unreachable ? "unreachable: " + p.error
           : p.state == TcpState::Broken      ? "cannot run: " + p.error
                                              : a.result;
  Expect want = s.test->expect.value;
  bool as_asked = want == Expect::Refused    ? p.state == TcpState::Refused
                  : want == Expect::Filtered ? p.state == TcpState::Filtered
                                             : true;
  settle(a, *s.test);
  a.passed = a.passed && as_asked;
  return a;
}

// The last non-empty line of a command's stderr, for a message that says why it failed.
std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto nl = text.rfind('\n');
  std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

}  // namespace

// std::regex matches by recursion, as deep as the text for a pattern like ".*x": a whole
// output could overflow the stack. So each line is matched on its own, and only its first
// bytes (kMatchedLine).
bool output_matches(const std::string& out, const std::regex& re) {
  for (size_t start = 0; start < out.size() || start == 0;) {
    size_t nl = std::min(out.find('\n', start), out.size());
    auto end = out.begin() + static_cast<std::ptrdiff_t>(std::min(nl, start + kMatchedLine));
    if (std::regex_search(out.begin() + static_cast<std::ptrdiff_t>(start), end, re)) return true;
    start = nl + 1;
  }
  return false;
}

namespace {

Attempt exec_once(const CheckSetup& s) {
  const Test& t = *s.test;
  Attempt a;
  kernel::ExecResult r;
  try {
    r = kernel::exec_in_netns(s.ns, t.argv.value,
                              {.capture_stdout = true,
                               .capture_stderr = true,
                               .capture_limit = kCapturedOutput,
                               .timeout = s.timeout});
  } catch (const kernel::ExecError& e) {
    a.broken = true;
    a.error = e.what();
    a.result = "error";
    a.seen = "cannot run: " + a.error;
    return a;
  }
  bool status_ok = !r.timed_out && r.status == t.status.value;
  bool output_ok = !s.output || output_matches(r.out, *s.output);
  a.reachable = status_ok && output_ok;
  a.result = a.reachable ? "reachable" : "unreachable";
  std::string why = last_line(r.err);
  a.seen = r.timed_out ? "killed after " + seconds(as_seconds(s.timeout))
                       : "exit status " + std::to_string(r.status);
  if (status_ok && !output_ok) a.seen += ", output not matching \"" + t.output->value + "\"";
  if (!why.empty() && !status_ok) a.seen += ": " + why;
  settle(a, t);
  return a;
}

}  // namespace

Attempt run_attempt(const CheckSetup& setup) {
  switch (setup.test->kind) {
    case CheckKind::Ping:
      return ping_once(setup);
    case CheckKind::Tcp:
      return tcp_once(setup);
    case CheckKind::Exec:
      return exec_once(setup);
  }
  return {};
}

}  // namespace netlab::checks
