// A TCP connect from inside a lab namespace, without forking anything: a non-blocking socket
// opened in the namespace (it stays bound there), connected, and polled until the handshake
// ends or the timeout. The connection, if made, is closed at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "model/ip.h"

namespace netlab::kernel {

enum class TcpState {
  Open,         // the handshake completed
  Refused,      // a reset came back: the host is there, nothing listens
  Filtered,     // no answer within the timeout
  Unreachable,  // the network said there is no way there (no route, ICMP unreachable)
  Broken,       // the probe could not run (no such namespace, no socket): `error` says why
};

struct TcpProbe {
  TcpState state = TcpState::Broken;
  std::string error;  // the kernel's word for Unreachable and Broken
  double ms = 0;      // how long the connect took
};

// Never throws for the probe's own trouble: the result says it.
TcpProbe probe_tcp(const std::string& ns, const IpAddr& dst, uint16_t port,
                   std::chrono::milliseconds timeout);

}  // namespace netlab::kernel
