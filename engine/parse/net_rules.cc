#include "parse/net_rules.h"

#include <algorithm>

namespace netlab {

bool is_unicast(const IpAddr& a) {
  if (a.is_v6()) {
    bool unspecified = a == IpAddr{a.family, {}};
    return !unspecified && a.bytes[0] != 0xff;
  }
  bool all_ones = a.bytes[0] == 255 && a.bytes[1] == 255 && a.bytes[2] == 255 && a.bytes[3] == 255;
  return a.bytes[0] != 0 && (a.bytes[0] < 224 || a.bytes[0] > 239) && !all_ones;
}

bool is_link_local_v6(const IpAddr& a) {
  return a.is_v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

std::string family_name(const IpAddr& a) {
  return a.is_v6() ? "IPv6" : "IPv4";
}

bool is_loopback_v6(const IpAddr& a) {
  IpAddr one{a.family, {}};
  one.bytes[15] = 1;
  return a.is_v6() && a == one;
}

uint32_t effective_metric(const Route& r) {
  uint32_t m = r.metric ? r.metric->value : 0;
  return r.dst && r.dst->addr.is_v6() && m == 0 ? 1024 : m;
}

std::optional<uint32_t> connected_metric(const Cidr& a) {
  if (a.prefix == a.addr.bits()) return std::nullopt;
  if (!a.addr.is_v6()) return a.network().addr.bytes[0] == 0 ? std::nullopt : std::optional(0u);
  return is_link_local_v6(a.addr) ? std::nullopt : std::optional(256u);
}

std::optional<IpAddr> broadcast_of(const Cidr& a) {
  if (a.addr.is_v6() || a.prefix > 30) return std::nullopt;
  IpAddr b = a.network().addr;
  for (int i = 0; i < 4; ++i) {
    int keep = a.prefix - i * 8;
    if (keep < 8) b.bytes[i] |= static_cast<uint8_t>(0xff >> std::max(keep, 0));
  }
  return b;
}

}  // namespace netlab
