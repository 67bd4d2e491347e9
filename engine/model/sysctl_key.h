// Where a sysctl key lives in /proc/sys, and which interface it is for. One place, so that the
// file written and the interface it waits for are always the same.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace netlab {

// The interface of a per-interface key ("net.ipv4.conf.v.10.forwarding" -> "v.10"; also
// net.ipv6.conf, net.ipv4.neigh, net.ipv6.neigh), or "" if the key is not per interface. The
// files in an interface's directory have no dots in their names, so the device is all between
// the prefix and the last '.': an interface name may hold dots (a VLAN's "eth0.10").
std::string sysctl_key_device(std::string_view key);

// The path below /proc/sys: dots become '/', except those inside the device's name
// ("net.ipv4.conf.v.10.forwarding" -> "net/ipv4/conf/v.10/forwarding").
std::string sysctl_key_path(std::string_view key);

// The key with its interface renamed by `rename`; a key not per interface as it is.
std::string sysctl_key_renamed(std::string_view key,
                               const std::function<std::string(const std::string&)>& rename);

}  // namespace netlab
