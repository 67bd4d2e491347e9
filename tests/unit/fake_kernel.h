// An in-memory kernel for tests that need no root: it keeps a LiveState and applies the
// executor's calls to it as strictly as the real kernel does (each rule below was checked on a
// real kernel, and tests/integration/fake_kernel_diff_test.cc keeps checking it): it fails
// where the kernel fails (EEXIST, ENODEV, ESRCH, EADDRNOTAVAIL, ENETDOWN, EXFULL, refused
// names) and re-derives what the kernel re-derives (routes dropped with their link or last
// address, a bridge's MTU, the order of addresses, sysctl spellings). It can be told to fail
// the Nth changing call, to test rollback. Thread-safe: the executor makes namespaces on a
// helper thread; each call holds one lock, and a slow namespace can be asked for.
//
// Not modelled: IPv6 link-local addresses and the kernel's own routes (the real read keeps
// fe80:: addresses; compare without them), random MACs, route source addresses, NAT beyond
// "a rule exists or not", a macvlan on a macvlan (the kernel puts it on that one's parent;
// the plan refuses it), a link's default qdisc (handle 0: the real read leaves it out),
// qdiscs beyond the two levels an impairment has, a tbf's bucket read back.
#pragma once

#include <cerrno>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "apply/kernel.h"

namespace netlab::testing {

class FakeKernel : public Kernel {
 public:
  FakeKernel() { state.ns["host"].exists = true; }

  LiveState state;
  std::vector<std::string> calls;  // every changing call, in order
  int fail_at = -1;                // 0-based index of the changing call that fails
  int fail_errno = EEXIST;
  std::string fail_on;     // or: the changing call that fails, e.g. "create_namespace n1"
  bool fail_once = false;  // fail_on fails the first such call only (a rollback makes it again)
  std::string ignore_on;   // a changing call that succeeds and does nothing (a kernel that lies)
  std::chrono::milliseconds namespace_delay{0};  // how long create_namespace takes
  std::set<std::string> missing_kinds;           // link kinds this kernel lacks (EOPNOTSUPP)
  std::set<std::string> missing_qdiscs;          // qdisc kinds this kernel lacks (ENOENT)
  // The kernel starts a link that came up (its link-watch work) after the request returned:
  // when set, a link reads as ready (LinkObj::ready) only once wait_ready named it; when not,
  // as soon as it carries traffic.
  bool links_start_late = false;

  int reads = 0;
  struct Read {
    size_t after_calls;  // how many changing calls came before it
    bool host;
    std::vector<std::string> namespaces;
  };
  std::vector<Read> read_log;

  LiveState read(const ReadRequest& req) override;
  uint64_t create_namespace(const std::string& name) override;
  void delete_namespace(const std::string& name) override;
  void create_link(const LinkObj& link, const LinkObj* peer) override;
  void change_link(const std::string& ns, const std::string& name, const LinkChange& c) override;
  void delete_link(const std::string& ns, const std::string& name) override;
  void delete_group(const std::string& ns, uint32_t group) override;
  void add_address(const AddrObj& a) override;
  void delete_address(const AddrObj& a) override;
  void add_route(const RouteObj& r, bool replace) override;
  void delete_route(const RouteObj& r) override;
  std::string set_sysctl(const std::string& ns, const std::string& key,
                         const std::string& value) override;
  void wait_gone(const std::vector<std::pair<std::string, std::string>>& links) override;
  void wait_ready(const std::vector<std::pair<std::string, std::string>>& links) override;
  void add_nat(const NatRule& r) override;
  void delete_nat(const NatRule& r) override;
  void add_qdisc(const QdiscObj& q, bool replace) override;
  void delete_qdisc(const QdiscObj& q) override;

  // Hand-made changes, as `ip` would make them (drift in tests): the same rules, no call
  // recorded, no injected failure.
  void user_set_mtu(const std::string& ns, const std::string& name, uint32_t mtu);
  void user_set_up(const std::string& ns, const std::string& name, bool up);
  // `ip link add NAME type veth peer name PEER` in `ns`: untagged, down.
  void user_add_veth(const std::string& ns, const std::string& name, const std::string& peer);
  // `tc qdisc add dev NAME root handle H: tbf ...`: anyone's qdisc at a link's root.
  void user_add_qdisc(const QdiscObj& q);

 private:
  std::mutex mutex_;
  int next_ifindex_ = 10;
  uint64_t next_cookie_ = 1000;  // SO_NETNS_COOKIE: never the same twice
  std::set<std::pair<std::string, std::string>> mtu_by_user_;  // bridges whose MTU was set
  // A link made on another (a macvlan on its parent) -> that one: it goes with it.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> lower_;
  // When each address was added (ns, dev, cidr): of two equal subnets, the older one routes.
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> added_;
  int64_t additions_ = 0;
  std::set<std::pair<std::string, std::string>> started_;  // named by wait_ready

  void call(const std::string& c);
  NsLive& ns(const std::string& name);
  LinkObj* find(const std::string& nsn, const std::string& name);
  LinkObj& link(const std::string& nsn, const std::string& name, const std::string& what);
  LinkObj born(const LinkObj& l);
  void set_master(const std::string& nsn, LinkObj& l, const std::string& master);
  void set_mtu(const std::string& nsn, LinkObj& l, uint32_t mtu);
  const LinkObj* lower_of(const std::string& nsn, const std::string& name);
  void mtu_of_lower_changed(const std::string& nsn, const LinkObj& l);
  void set_up(const std::string& nsn, LinkObj& l, bool up);
  void adjust_bridge_mtu(const std::string& nsn, const std::string& bridge);
  void remove_link(const std::string& nsn, const std::string& name);
  void drop_uppers(const std::string& nsn, const std::string& name);
  bool holds_uppers(const std::string& nsn, const std::string& name) const;
  void drop_peer(const LinkObj& l);
  // Up with its carrier on: a veth whose peer is up, a bridge with such a port; a port on a
  // bridge that is up. Other kinds never (the engine must not wait for them).
  bool carries(const std::string& nsn, const LinkObj& l,
               const std::map<int, const LinkObj*>& by_index);
  std::map<int, const LinkObj*> links_by_index() const;  // ifindexes are unique here, but lo's
  void mark_ready(LiveState& out);
  void drop_routes(NsLive& n, const std::string& dev, bool v4, bool v6);
  std::string route_device(NsLive& n, const RouteObj& r, const std::string& what);
  void remove_address(NsLive& n, const AddrObj& a);
  QdiscObj* qdisc_at(NsLive& n, const std::string& dev, uint32_t parent);
};

}  // namespace netlab::testing
