#include "model/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>

namespace netlab {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  IpAddr a;
  if (s.find(':') == std::string::npos) {
    a.family = AF_INET;
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  } else {
    a.family = AF_INET6;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  }
  return a;
}

std::string IpAddr::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(family, bytes.data(), buf, sizeof buf)) return "?";
  return buf;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddr::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  auto len = text.substr(slash + 1);
  int prefix = -1;
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
  if (len.empty() || ec != std::errc() || end != len.data() + len.size()) return std::nullopt;
  if (prefix < 0 || prefix > addr->bits()) return std::nullopt;
  return Cidr{*addr, prefix};
}

Cidr Cidr::network() const {
  Cidr n = *this;
  for (int i = 0; i < addr.bits() / 8; ++i) {
    int keep = prefix - i * 8;
    if (keep >= 8) continue;
    n.addr.bytes[i] &= keep <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - keep));
  }
  return n;
}

bool Cidr::contains(const IpAddr& a) const {
  if (a.family != addr.family) return false;
  return Cidr{a, prefix}.network() == network();
}

bool Cidr::overlaps(const Cidr& other) const {
  if (other.addr.family != addr.family) return false;
  int p = std::min(prefix, other.prefix);
  return Cidr{addr, p}.network() == Cidr{other.addr, p}.network();
}

std::string Cidr::str() const {
  return addr.str() + "/" + std::to_string(prefix);
}

std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  std::array<uint8_t, 6> mac{};
  for (int i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':') return std::nullopt;
    auto pair = text.substr(i * 3, 2);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(pair.data(), pair.data() + 2, v, 16);
    if (ec != std::errc() || end != pair.data() + 2) return std::nullopt;
    mac[i] = static_cast<uint8_t>(v);
  }
  return mac;
}

std::string format_mac(const std::array<uint8_t, 6>& mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                mac[4], mac[5]);
  return buf;
}

}  // namespace netlab
