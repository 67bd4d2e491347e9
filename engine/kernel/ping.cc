#include "kernel/ping.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>

#include "kernel/fd.h"
#include "kernel/netns.h"

namespace netlab::kernel {

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint8_t kEcho4 = 8, kReply4 = 0, kEcho6 = 128, kReply6 = 129;
constexpr int kIcmpFilter = 1;  // SOL_RAW option of linux/icmp.h (its header clashes with libc's)
constexpr size_t kHeader = 8;   // type, code, checksum, id, sequence
constexpr size_t kNonce = 8;    // ours: tells our replies from anyone else's with the same id
constexpr int kMaxTries = 16;

struct Probe {
  Fd sock;
  bool raw = false;  // raw sockets see every echo reply of the namespace: match the id too
  uint16_t id = 0;
  std::array<uint8_t, kNonce> nonce{};
  int sent = 0;
  std::array<Clock::time_point, kMaxTries> sent_at{};
  bool done = false;
};

uint16_t checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (n & 1) sum += p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// Raw ICMP needs CAP_NET_RAW; without it, a ping socket (net.ipv4.ping_group_range) will do.
Fd open_icmp(int family, bool& raw) {
  int proto = family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
  raw = true;
  Fd s(socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  if (!s && (errno == EPERM || errno == EACCES)) {
    raw = false;
    s = Fd(socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  }
  if (!s) throw std::runtime_error(std::string("open an ICMP socket: ") + std::strerror(errno));
  if (!raw) return s;
  if (family == AF_INET) {
    uint32_t blocked = ~(1u << kReply4);  // only echo replies reach us
    if (setsockopt(s.get(), SOL_RAW, kIcmpFilter, &blocked, sizeof blocked) != 0)
      throw std::runtime_error(std::string("ICMP_FILTER: ") + std::strerror(errno));
  } else {
    icmp6_filter f;
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(kReply6, &f);
    if (setsockopt(s.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f) != 0)
      throw std::runtime_error(std::string("ICMP6_FILTER: ") + std::strerror(errno));
  }
  return s;
}

// The socket is opened inside the namespace and stays bound to it after the thread returns.
Fd open_in(const std::string& ns, int family, bool& raw) {
  Fd s;
  in_named_netns(ns, [&] { s = open_icmp(family, raw); });
  return s;
}

// Sends echo number `seq`; returns the errno of a failure that ends the probe, or 0.
int send_echo(Probe& p, const IpAddr& dst, int seq) {
  std::array<uint8_t, kHeader + kNonce> pkt{};
  pkt[0] = dst.is_v6() ? kEcho6 : kEcho4;
  pkt[4] = p.id >> 8;
  pkt[5] = p.id & 0xff;
  pkt[6] = static_cast<uint8_t>(seq >> 8);
  pkt[7] = static_cast<uint8_t>(seq);
  std::memcpy(pkt.data() + kHeader, p.nonce.data(), kNonce);
  if (!dst.is_v6()) {  // the kernel fills in ICMPv6 checksums itself
    uint16_t c = checksum(pkt.data(), pkt.size());
    pkt[2] = c >> 8;
    pkt[3] = c & 0xff;
  }
  sockaddr_storage ss{};
  socklen_t len;
  if (dst.is_v6()) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    std::memcpy(&a->sin6_addr, dst.bytes.data(), 16);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    std::memcpy(&a->sin_addr, dst.bytes.data(), 4);
    len = sizeof *a;
  }
  p.sent_at[seq] = Clock::now();
  if (sendto(p.sock.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) < 0)
    return errno == EAGAIN || errno == EINTR ? 0 : errno;  // a lost send is a lost echo
  return 0;
}

// The network's own answer that there is no way there. Any other error (EACCES for a
// broadcast address, EPERM from a firewall, ...) means the echo never went out, which says
// nothing about reachability either way.
bool is_unreachable(int err) {
  return err == ENETUNREACH || err == EHOSTUNREACH;
}

// Reads everything waiting on the probe's socket; true when one of our echoes came back.
bool receive(Probe& p, bool v6, PingReply& r) {
  std::array<uint8_t, 2048> buf;
  for (;;) {
    ssize_t n = recv(p.sock.get(), buf.data(), buf.size(), 0);
    auto now = Clock::now();
    if (n < 0) return false;  // EAGAIN: drained (errors of earlier sends show up as no reply)
    size_t off = 0;
    if (p.raw && !v6) off = (buf[0] & 0x0f) * 4u;  // raw IPv4 sockets get the IP header
    if (static_cast<size_t>(n) < off + kHeader + kNonce) continue;
    const uint8_t* icmp = buf.data() + off;
    if (icmp[0] != (v6 ? kReply6 : kReply4)) continue;
    if (p.raw && ((icmp[4] << 8) | icmp[5]) != p.id) continue;
    if (std::memcmp(icmp + kHeader, p.nonce.data(), kNonce) != 0) continue;
    int seq = (icmp[6] << 8) | icmp[7];
    if (seq >= p.sent) continue;
    r.reachable = true;
    r.rtt_ms = std::chrono::duration<double, std::milli>(now - p.sent_at[seq]).count();
    return true;
  }
}

}  // namespace

std::vector<PingReply> ping_all(const std::vector<PingTarget>& targets,
                                const PingOptions& options) {
  const int tries = std::clamp(options.tries, 1, kMaxTries);
  std::vector<PingReply> replies(targets.size());
  std::vector<Probe> probes(targets.size());
  std::random_device rd;
  std::mt19937 rng(rd());
  const uint16_t base = static_cast<uint16_t>(rng());
  for (size_t i = 0; i < targets.size(); ++i) {
    Probe& p = probes[i];
    p.id = static_cast<uint16_t>(base + i);
    for (auto& b : p.nonce) b = static_cast<uint8_t>(rng());
    try {
      p.sock = open_in(targets[i].ns, targets[i].dst.family, p.raw);
    } catch (const std::exception& e) {
      replies[i].error = e.what();
      replies[i].broken = true;
      p.done = true;
    }
  }

  const auto start = Clock::now();
  const auto deadline = start + options.timeout;
  auto send_time = [&](int k) { return start + options.timeout * k / tries; };
  for (;;) {
    auto now = Clock::now();
    std::vector<pollfd> fds;
    std::vector<size_t> which;
    auto wake = deadline;
    for (size_t i = 0; i < probes.size(); ++i) {
      Probe& p = probes[i];
      if (p.done) continue;
      if (now >= deadline) {
        p.done = true;
        continue;
      }
      if (p.sent < tries && now >= send_time(p.sent)) {
        if (int err = send_echo(p, targets[i].dst, p.sent)) {
          replies[i].broken = !is_unreachable(err);
          replies[i].error = replies[i].broken
                                 ? "cannot send an echo: " + std::string(std::strerror(err))
                                 : std::strerror(err);
          p.done = true;
          continue;
        }
        ++p.sent;
      }
      if (p.sent < tries) wake = std::min(wake, send_time(p.sent));
      fds.push_back({p.sock.get(), POLLIN, 0});
      which.push_back(i);
    }
    if (fds.empty()) break;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()).count();
    int n = poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0)));
    if (n < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (size_t k = 0; n > 0 && k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;  // POLLERR too: recv clears a pending ICMP error
      size_t i = which[k];
      if (receive(probes[i], targets[i].dst.is_v6(), replies[i])) probes[i].done = true;
    }
  }
  return replies;
}

}  // namespace netlab::kernel
