// The topology of format v1 (docs/architecture.md, The pipeline) as typed data. Every value keeps
// where it came from, so validation and later stages can point at the line that caused a problem.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/ip.h"

namespace netlab {

inline constexpr const char* kHost = "host";  // the root namespace's name in a topology

template <class T>
struct Located {
  T value{};
  Pos pos;
};

struct Route {
  Pos pos;                  // the list item
  Located<std::string> to;  // "default" or a CIDR, as written
  std::optional<Cidr> dst;  // parsed network; default -> 0.0.0.0/0 or ::/0
  std::optional<Located<IpAddr>> via;
  std::optional<Located<std::string>> dev;
  std::optional<Located<uint32_t>> metric;
};

struct Sysctl {
  Pos pos;
  std::string key;  // "net.ipv4.ip_forward"
  Located<std::string> value;
};

struct Host {
  Pos pos;
  // A namespace of the lab's own plays the host: nothing of the machine's network is touched.
  Located<bool> isolated{false, {}};
  std::vector<Sysctl> sysctl;
  std::vector<Route> routes;
};

// What `netlab test` checks (README.md, "Tests"). The kind is the key that names the target.
enum class CheckKind { Ping, Tcp, Exec };

// What a check must see. Reachable: a ping answered, a TCP port open, a command that exits
// with its status (and output). Unreachable: anything else, for every kind.
enum class Expect { Reachable, Unreachable, Refused, Filtered };

struct Test {
  Pos pos;  // the list item
  CheckKind kind = CheckKind::Ping;
  Located<std::string> from;
  // ping, tcp: the address, as written or as the lab names it (to_name; validation resolves
  // the name through engine/model/lab_hosts.h).
  Located<IpAddr> to;
  std::optional<std::string> to_name;
  Located<uint16_t> port;                         // tcp
  Located<std::vector<std::string>> argv;         // exec
  Located<int> status{0, {}};                     // exec: the exit status that passes
  std::optional<Located<std::string>> output;     // exec: a regex its stdout must contain
  Located<Expect> expect{Expect::Reachable, {}};  //
  std::optional<Located<std::chrono::milliseconds>> timeout;  // per attempt
  std::optional<Located<std::chrono::milliseconds>> wait;     // retry until it passes, this long
};

// What a service must show before `up` counts it as started (README.md, "Services"): a check
// of `netlab test` (tcp or exec, from the service's namespace) or a file that exists.
struct Readiness {
  Pos pos;
  std::optional<Test> check;  // tcp or exec; expect reachable
  std::optional<Located<std::string>> file;
};

// A long-running program of a namespace: started by `up` once the network is ready, stopped
// by `down` before the network goes (README.md, "Services").
struct Service {
  Pos pos;  // the key
  std::string name;
  Located<std::vector<std::string>> argv;  // `run`, no shell
  std::map<std::string, Located<std::string>> env;
  std::optional<Located<std::string>> dir;  // working directory, absolute
  std::optional<Readiness> ready;
  std::optional<Located<std::chrono::milliseconds>> timeout;  // to become ready
};

struct Namespace {
  Pos pos;  // the key
  std::string name;
  Located<bool> loopback_up{true, {}};
  std::vector<Sysctl> sysctl;
  std::vector<Route> routes;
  std::vector<Located<IpAddr>> dns;  // name servers for its /etc/netns/NS/resolv.conf
  std::vector<Service> services;     // in file order
};

// What a veth end does to the traffic it sends (README: impair): a rate through tbf, the rest
// through netem. 0 is none, as if the key were not there.
struct Impairment {
  Pos pos;
  uint64_t rate = 0;  // bits per second
  uint32_t delay_us = 0;
  uint32_t jitter_us = 0;
  // Probabilities as the kernel keeps them: UINT32_MAX is 100 %.
  uint32_t loss = 0;
  uint32_t duplicate = 0;
  uint32_t corrupt = 0;
  uint32_t reorder = 0;
  bool operator==(const Impairment& o) const {
    return rate == o.rate && delay_us == o.delay_us && jitter_us == o.jitter_us && loss == o.loss &&
           duplicate == o.duplicate && corrupt == o.corrupt && reorder == o.reorder;
  }
};

// One network interface the lab creates: a bridge or one end of a veth pair.
struct Interface {
  Pos pos;
  Located<std::string> name;
  Located<std::string> ns{kHost, {}};
  std::optional<Located<std::string>> bridge;  // veth ends only
  std::vector<Located<Cidr>> addresses;
  std::optional<Located<uint32_t>> mtu;
  std::optional<Located<std::array<uint8_t, 6>>> mac;
  Located<bool> up{true, {}};
  std::optional<Located<bool>> ipv6_link_local;  // unset: on when the lab uses IPv6
  std::optional<Impairment> impair;              // veth ends only
};

struct Bridge {
  Interface iface;
};

struct Veth {
  Pos pos;
  Interface end;   // "this end"
  Interface peer;  // `peer:`
};

// A link of a kind that states its own keys (engine/kinds): read from the kind's section.
struct Link {
  Interface iface;
  std::string kind;                                   // "macvlan"
  std::map<std::string, Located<std::string>> attrs;  // its own keys, as written
};

enum class NatType { Masquerade, Snat, Dnat };

struct Nat {
  Pos pos;
  Located<std::string> ns{kHost, {}};
  Located<NatType> type;
  std::optional<Located<Cidr>> source;  // stored as written; compare via network()
  std::optional<Located<Cidr>> destination;
  std::optional<Located<std::string>> out;       // may start with '!'
  std::optional<Located<std::string>> in;        // may start with '!'
  std::optional<Located<std::string>> protocol;  // "tcp" | "udp"
  std::optional<Located<uint16_t>> port;
  std::optional<Located<IpAddr>> to_addr;
  std::optional<uint16_t> to_port;
};

struct Topology {
  std::string file;  // as given on the command line
  Located<std::string> name;
  Host host;
  std::vector<Namespace> namespaces;  // in file order
  std::vector<Bridge> bridges;
  std::vector<Veth> veths;
  std::vector<Link> links;  // of the kinds in engine/kinds, in file order
  std::vector<Nat> nat;
  std::vector<Test> tests;
};

// Every interface the file declares, in the order of its sections: bridges, veth ends (each
// end, then its peer), links of the other kinds.
inline std::vector<const Interface*> all_interfaces(const Topology& t) {
  std::vector<const Interface*> out;
  out.reserve(t.bridges.size() + 2 * t.veths.size() + t.links.size());
  for (const auto& b : t.bridges) out.push_back(&b.iface);
  for (const auto& v : t.veths) {
    out.push_back(&v.end);
    out.push_back(&v.peer);
  }
  for (const auto& l : t.links) out.push_back(&l.iface);
  return out;
}

}  // namespace netlab
