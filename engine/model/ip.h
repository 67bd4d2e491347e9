// IP addresses and prefixes, IPv4 and IPv6, parsed strictly and printed canonically.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netlab {

struct IpAddr {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};

  static std::optional<IpAddr> parse(std::string_view text);
  int bits() const { return family == 10 /*AF_INET6*/ ? 128 : 32; }
  bool is_v6() const { return family == 10; }
  std::string str() const;
  auto operator<=>(const IpAddr&) const = default;
};

// An address with a prefix length, as given to an interface ("172.18.0.10/12").
struct Cidr {
  IpAddr addr;
  int prefix = 0;

  static std::optional<Cidr> parse(std::string_view text);
  // The network: host bits cleared (172.18.0.10/12 -> 172.16.0.0/12).
  Cidr network() const;
  bool contains(const IpAddr& a) const;
  bool overlaps(const Cidr& other) const;
  bool is_network() const { return network() == *this; }
  std::string str() const;
  auto operator<=>(const Cidr&) const = default;
};

// A MAC address "02:00:00:00:00:01"; nullopt unless six hex pairs separated by ':'.
std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view text);
std::string format_mac(const std::array<uint8_t, 6>& mac);

}  // namespace netlab
