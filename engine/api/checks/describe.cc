#include "api/checks/describe.h"

#include <cstdio>

namespace netlab::checks {

std::string kind_word(CheckKind kind) {
  switch (kind) {
    case CheckKind::Ping:
      return "ping";
    case CheckKind::Tcp:
      return "tcp";
    case CheckKind::Exec:
      return "exec";
  }
  return "?";
}

std::string host_port(const IpAddr& a, uint16_t port) {
  // Appended in place: GCC 12 warns falsely (-Wrestrict) on "[" + string in a Release build.
  std::string s = a.is_v6() ? "[" : "";
  s += a.str();
  if (a.is_v6()) s += "]";
  s += ":";
  s += std::to_string(port);
  return s;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string check_name(const Test& t) {
  std::string head = kind_word(t.kind) + " " + t.from.value;
  // A target the file names shows the name as written, and the address it stands for.
  std::string named = t.to_name ? " (" + t.to.value.str() + ")" : "";
  if (t.kind == CheckKind::Ping)
    return head + " -> " + t.to_name.value_or(t.to.value.str()) + named;
  if (t.kind == CheckKind::Tcp) {
    if (!t.to_name) return head + " -> " + host_port(t.to.value, t.port.value);
    return head + " -> " + *t.to_name + ":" + std::to_string(t.port.value) + named;
  }
  std::string cmd;
  for (const auto& a : t.argv.value) cmd += (cmd.empty() ? "" : " ") + a;
  return head + ": " + cmd;
}

std::string expect_word(const Test& t) {
  switch (t.expect.value) {
    case Expect::Reachable:
      return t.kind == CheckKind::Tcp ? "open" : "reachable";
    case Expect::Unreachable:
      return "unreachable";
    case Expect::Refused:
      return "refused";
    case Expect::Filtered:
      return "filtered";
  }
  return "?";
}

namespace {

std::string exec_success(const Test& t) {
  std::string s = "exit status " + std::to_string(t.status.value);
  if (t.output) s += ", output matching \"" + t.output->value + "\"";
  return s;
}

}  // namespace

std::string expected_text(const Test& t) {
  bool reach = t.expect.value == Expect::Reachable;
  switch (t.kind) {
    case CheckKind::Ping:
      return expect_word(t);
    case CheckKind::Tcp:
      return t.expect.value == Expect::Unreachable ? "not open"
             : t.expect.value == Expect::Filtered  ? "filtered (no answer)"
                                                   : expect_word(t);
    case CheckKind::Exec:
      return reach ? exec_success(t) : "failure (not " + exec_success(t) + ")";
  }
  return "?";
}

}  // namespace netlab::checks
