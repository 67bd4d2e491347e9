// Kernel objects as netlab sees them. The same types describe the desired state (from the
// topology) and the live state (read from the kernel), so the planner compares like with like.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "model/ip.h"
#include "model/topology.h"
#include "state/qdisc.h"

namespace netlab {

using Mac = std::array<uint8_t, 6>;

// Routes netlab adds carry this rtm_protocol, so they are told apart from the kernel's,
// the boot scripts' and other tools' routes (see /etc/iproute2/rt_protos: unassigned).
inline constexpr uint8_t kRouteProtocol = 151;

inline std::string lab_tag(const std::string& lab) {
  return "netlab:" + lab;
}

// The link group (IFLA_GROUP) of a lab's links: one request deletes them all in one batch
// (RTM_DELLINK by group), where deleting veths one by one costs an RCU grace period each.
// "NL" in the high half, a hash of the lab's name in the low one: never 0, the default group.
inline uint32_t lab_group(const std::string& lab) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : lab) h = (h ^ c) * 16777619u;
  return 0x4e4c0000u | (h & 0xffffu);
}

struct LinkObj {
  std::string ns;  // "host" or a namespace of the lab
  std::string name;
  std::string kind;  // "veth", "bridge", "loopback", or the kernel's kind of a foreign link
  std::optional<uint32_t> mtu;  // desired: nullopt = leave the kernel's default
  std::optional<Mac> mac;       // desired: nullopt = random (the kernel's choice)
  bool up = false;
  std::string master;  // the bridge it is a port of (same namespace), "" for none
  std::string alias;   // "netlab:<lab>" on links a lab made
  // veth: where the other end is (desired) / its ifindex (live: peer_ifindex).
  std::string peer_ns;
  std::string peer_name;
  // Whether the kernel gives the link an IPv6 link-local address when it comes up (its
  // addr_gen_mode is not "none"). Desired: always set. Live: nullopt where the kernel has no
  // IPv6 on the link.
  std::optional<bool> ipv6_link_local;
  // A kind's own attributes (engine/kinds), by key: desired as the file says them, live as
  // the kind reads them back.
  std::map<std::string, std::string> attrs;
  std::string attr(const std::string& key, std::string fallback = "") const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second;
  }
  uint32_t group = 0;     // IFLA_GROUP: lab_group() for links a lab made
  int ifindex = 0;        // live only
  int peer_ifindex = 0;   // live only: IFLA_LINK of a veth
  int lower_ifindex = 0;  // live only: IFLA_LINK of a link made on another (a macvlan's parent)
  // Live only: it carries traffic. Its carrier is on and the kernel's link-watch work for it is
  // done (operstate up: its queue is started), and a bridge port is forwarding.
  bool ready = false;
};

struct AddrObj {
  std::string ns;
  std::string dev;
  Cidr cidr;  // as on the interface: 172.18.0.10/12
  // Live only. An IPv4 address that is not the first of its subnet on the link (the kernel's
  // IFA_F_SECONDARY): the first one is the primary, the source the kernel picks.
  bool secondary = false;
  // Live only. Added with no lifetime (IFA_F_PERMANENT): by hand or by netlab. SLAAC, DHCP and
  // privacy addresses have one: the kernel or a protocol made them, never drift.
  bool permanent = true;
  // An address is the same address whatever its flags.
  auto key() const { return std::tie(ns, dev, cidr); }
  bool operator==(const AddrObj& o) const { return key() == o.key(); }
  auto operator<=>(const AddrObj& o) const { return key() <=> o.key(); }
};

struct RouteObj {
  std::string ns;
  Cidr dst;  // a network; default is 0.0.0.0/0 or ::/0
  std::optional<IpAddr> via;
  std::string dev;  // "" when the kernel picks it from via (desired only)
  uint32_t metric = 0;
  uint8_t protocol = kRouteProtocol;  // live: what the kernel reports

  // Which route of the main table this is: the kernel keeps one route per destination and
  // metric (a second add is EEXIST). Gateway and device are what the route says, not which.
  auto key() const { return std::tie(ns, dst, metric); }
  bool same_key(const RouteObj& o) const { return key() == o.key(); }
  // `have` (live) is this (desired or recorded) route: same key and gateway, and the same
  // device where this one names one (else the kernel chose it from the gateway).
  bool matches(const RouteObj& have) const {
    return same_key(have) && via == have.via && (dev.empty() || dev == have.dev);
  }
};

// Routes somebody added by hand (`ip route add`, which says proto boot) or with a static
// configuration, and netlab's own: on the lab's objects, these are what the file decides.
// Routes of the kernel, of router advertisements, DHCP or a routing daemon running in the lab
// are made by a protocol and are never drift.
inline bool handmade_route(const RouteObj& r) {
  return r.protocol == kRouteProtocol || r.protocol == 0 /* unspec */ ||
         r.protocol == 3 /* boot */ || r.protocol == 4 /* static */;
}

struct SysctlObj {
  std::string ns;
  std::string key;  // "net.ipv4.ip_forward"
  std::string value;
};

// One iptables rule of the nat table. Networks are stored masked (canonical).
struct NatRule {
  std::string ns;
  NatType type = NatType::Masquerade;
  std::optional<Cidr> source;
  std::optional<Cidr> destination;
  // "! -d destination": every destination but that network.
  bool destination_negated = false;
  std::string out;                // "" none; may start with '!'
  std::string in;                 // "" none; may start with '!'
  std::string protocol;           // dnat: "tcp" | "udp"
  uint16_t port = 0;              // dnat: --dport
  std::optional<IpAddr> to_addr;  // snat / dnat
  uint16_t to_port = 0;           // dnat, 0 = unchanged
  bool dst_local = false;         // -m addrtype --dst-type LOCAL: only traffic to the host itself
  std::string chain;              // "POSTROUTING", "PREROUTING", "OUTPUT"
  std::string comment;            // "netlab:<lab>"
  std::string str() const;        // iptables-save-like text, for messages and plans
  bool same_rule(const NatRule& o) const;  // equal in everything the kernel matches on
};

// What one namespace looks like now.
struct NsLive {
  bool exists = false;
  // The namespace's identity (SO_NETNS_COOKIE): the kernel never gives one twice, so a
  // namespace made again under the same name has another. 0 for the host, or unknown.
  uint64_t cookie = 0;
  std::vector<LinkObj> links;
  std::vector<AddrObj> addrs;
  std::vector<RouteObj> routes;  // main table only, kernel-made (proto kernel) left out
  std::map<std::string, std::string> sysctl;  // only the keys asked for
  std::vector<NatRule> nat;                   // only when asked for; all rules of the nat table
  std::vector<QdiscObj> qdiscs;               // only when asked for; every link's, as dumped
  // /run/netns/<name> exists but no namespace is bound to it: a create cut short (kill -9
  // between making the file and mounting on it). Nothing lives in it; it can only be removed.
  bool half_made = false;
  const LinkObj* link(const std::string& name) const;
};

struct LiveState {
  std::map<std::string, NsLive> ns;              // "host" always present
  std::vector<std::string> missing_link_kinds;   // asked for (ReadRequest), the kernel lacks
  std::vector<std::string> missing_qdisc_kinds;  // the same for qdiscs ("netem")
  const NsLive* find(const std::string& name) const;
};

// What to read: namespaces (host implied), sysctl keys per namespace, and whether to read the
// nat table (only labs with NAT pay for iptables).
struct ReadRequest {
  bool host = true;  // the root namespace too
  std::vector<std::string> namespaces;
  std::map<std::string, std::vector<std::string>> sysctl_keys;
  std::vector<std::string> nat_namespaces;
  // Where a link has (or had) an impairment: the qdiscs are read there only (looked up for each
  // namespace read).
  std::set<std::string> qdisc_namespaces;
  std::vector<std::string> link_kinds;   // of engine/kinds: does the kernel have them?
  std::vector<std::string> qdisc_kinds;  // the same for qdiscs the file needs ("netem")
  // The links the lab makes in the host, by the file's names: an instance's have names of its
  // own there (engine/kernel/instance_kernel.h).
  std::vector<std::string> host_links;
};

}  // namespace netlab
