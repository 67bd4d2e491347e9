// What the kernel makes of addresses and routes, for the checks that must agree with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/ip.h"
#include "model/topology.h"

namespace netlab {

bool is_unicast(const IpAddr& a);
bool is_link_local_v6(const IpAddr& a);
bool is_loopback_v6(const IpAddr& a);
std::string family_name(const IpAddr& a);  // "IPv4" or "IPv6"

// The metric the kernel gives a route: IPv4 0 unless said; IPv6 1024 unless said, and 0 means
// 1024 there too.
uint32_t effective_metric(const Route& r);

// The metric of the route the kernel adds for an address on a link that is up (IPv4 0, IPv6
// 256), if it adds one: not for a host address (/32, /128), nor in 0.0.0.0/8. Link-local
// addresses are left out: the kernel's fe80::/64 route comes with the link, not the address.
std::optional<uint32_t> connected_metric(const Cidr& a);

// The broadcast address of an IPv4 subnet that has one (prefix up to /30).
std::optional<IpAddr> broadcast_of(const Cidr& a);

}  // namespace netlab
