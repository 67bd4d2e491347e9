#include "kernel/tcp_probe.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "kernel/fd.h"
#include "kernel/netns.h"

namespace netlab::kernel {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_storage socket_address(const IpAddr& dst, uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  if (dst.is_v6()) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    std::memcpy(&a->sin6_addr, dst.bytes.data(), 16);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    std::memcpy(&a->sin_addr, dst.bytes.data(), 4);
    len = sizeof *a;
  }
  return ss;
}

// What a finished connect's error says about the port.
TcpProbe classify(int err) {
  switch (err) {
    case 0:
      return {TcpState::Open, ""};
    case ECONNREFUSED:
      return {TcpState::Refused, ""};
    case ETIMEDOUT:
      return {TcpState::Filtered, ""};
    case ENETUNREACH:
    case EHOSTUNREACH:
      return {TcpState::Unreachable, std::strerror(err)};
    default:
      return {TcpState::Broken, std::string("connect: ") + std::strerror(err)};
  }
}

// Waits for the handshake to end; the socket's error then says how it ended.
TcpProbe await_connect(const Fd& s, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return {TcpState::Filtered, ""};
    pollfd p{s.get(), POLLOUT, 0};
    int n = poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return {TcpState::Broken, std::string("poll: ") + std::strerror(errno)};
    if (n == 0) continue;  // the deadline is checked above
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    return classify(err);
  }
}

}  // namespace

TcpProbe probe_tcp(const std::string& ns, const IpAddr& dst, uint16_t port,
                   std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  Fd s;
  try {
    in_named_netns(ns, [&] {
      s = Fd(
          socket(dst.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (!s) throw std::runtime_error(std::string("open a TCP socket: ") + std::strerror(errno));
    });
  } catch (const std::exception& e) {
    return {TcpState::Broken, e.what()};
  }
  socklen_t len = 0;
  sockaddr_storage ss = socket_address(dst, port, len);
  TcpProbe r;
  if (connect(s.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0)
    r = classify(0);
  else if (errno == EINPROGRESS)
    r = await_connect(s, start + timeout);
  else
    r = classify(errno);
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return r;
}

}  // namespace netlab::kernel
