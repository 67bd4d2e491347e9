// ICMP echo from inside lab namespaces, without forking ping: one socket per check, opened
// in its namespace (the socket stays bound to it), and every check run concurrently in one
// poll() loop.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "model/ip.h"

namespace netlab::kernel {

struct PingTarget {
  std::string ns;  // "host" or a named namespace
  IpAddr dst;
};

struct PingOptions {
  std::chrono::milliseconds timeout{1000};  // per target, all tries together
  int tries = 3;                            // echoes sent, spread over the timeout
};

struct PingReply {
  bool reachable = false;
  double rtt_ms = 0;    // of the first reply
  std::string error;    // why no echo could be sent ("" when it simply got no reply)
  bool broken = false;  // the check could not run (no such namespace, no socket, no send)
};

// One reply per target, in order. Never throws for one target's trouble (a missing
// namespace, an unreachable network): that target's error says it.
std::vector<PingReply> ping_all(const std::vector<PingTarget>& targets,
                                const PingOptions& options = {});

}  // namespace netlab::kernel
