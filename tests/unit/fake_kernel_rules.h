// The kernel's rules that a fake kernel needs and that need no kernel state of its own: which
// names a link may have, how a sysctl's value reads back, which IPv4 address is primary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "state/objects.h"

namespace netlab::testing {

// The kernel's dev_valid_name, and not a name its sysctl directories reserve.
bool valid_link_name(const std::string& name);
// "all" and "default": well-formed, but the kernel refuses them.
bool reserved_link_name(const std::string& name);

// What reading the sysctl back gives after writing `value`: integers are parsed base 0
// ("010" is 8) and printed in decimal, several separated by a tab; ip_local_reserved_ports
// folds its list into sorted ranges. nullopt: the kernel refuses the value (EINVAL).
std::optional<std::string> sysctl_spelling(const std::string& key, const std::string& value);

// The link a per-interface sysctl key belongs to ("net.ipv4.conf.br0.forwarding" -> "br0"),
// "" for keys of no link (or of "all"/"default").
std::string sysctl_link(const std::string& key);

// Two IPv4 addresses on one link share a subnet the kernel's way: same prefix length, same
// network. The first of a subnet is its primary; later ones are its secondaries.
bool same_subnet(const Cidr& a, const Cidr& b);

}  // namespace netlab::testing
