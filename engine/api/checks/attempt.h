// One try of one check: a ping, a TCP connect or a command, and what it saw.
#pragma once

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "model/topology.h"

namespace netlab::checks {

// What every attempt of one check shares.
struct CheckSetup {
  const Test* test = nullptr;
  std::string ns;  // the kernel's name of the namespace it runs in (an instance's own)
  IpAddr to;       // ping, tcp: resolved (the place where a lab name would become an address)
  std::chrono::milliseconds timeout{1000};  // of one attempt
  int ping_tries = 3;
  std::optional<std::regex> output;  // exec: compiled `output:`
};

struct Attempt {
  bool reachable = false;  // what `reachable` means for the kind was seen
  bool broken = false;     // could not run: never passes
  bool passed = false;
  std::string result;  // the word seen: reachable, unreachable, open, refused, filtered, error
  std::string seen;    // in full: "refused", "exit status 1: No such file", ...
  double rtt_ms = 0;
  std::string error;
};

Attempt run_attempt(const CheckSetup& setup);

// The bytes of a line that `output:` sees: enough for any line a check looks for, few enough
// that std::regex's recursion stays far from a thread's stack limit.
inline constexpr size_t kMatchedLine = 4096;

// Whether a line of `out` (its first kMatchedLine bytes) contains a match of `re`: as grep
// does, ^ and $ are a line's start and end.
bool output_matches(const std::string& out, const std::regex& re);

}  // namespace netlab::checks
