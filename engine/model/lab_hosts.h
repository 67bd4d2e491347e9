// The names a lab gives its addresses: what /etc/netns/NS/hosts holds for each of its
// namespaces, and what a check may name as its target (README.md, "Names in the lab").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ip.h"
#include "model/topology.h"

namespace netlab {

struct HostEntry {
  IpAddr addr;
  std::vector<std::string> names;  // "net0-eth0", and "net0" on a namespace's first address
};

// In the order the file declares the addresses. NS-IF names the first IPv4 and the first IPv6
// address of interface IF in namespace NS; NS names the namespace's first of each. So every
// name resolves to one address a family; an address left without a name is not listed.
std::vector<HostEntry> lab_hosts(const Topology& t);

// The address a check names: the first the name is given.
std::optional<IpAddr> find_host(const std::vector<HostEntry>& hosts, const std::string& name);

// The text of the hosts file: a first line that says whose it is, localhost as a machine has
// it, then one line an address.
std::string hosts_text(const std::vector<HostEntry>& hosts, const std::string& lab);

}  // namespace netlab
