// An in-memory kernel for tests that need no root: it keeps a LiveState and applies the
// executor's calls to it, as the real kernel would (a veth's ends know each other, deleting
// one end deletes both, deleting a namespace deletes what is in it). It can be told to fail
// the Nth changing call, to test rollback. Thread-safe: the executor makes namespaces on a
// helper thread; each call holds one lock, and a slow namespace can be asked for.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
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
  std::string fail_on;    // or: the changing call that fails, e.g. "create_namespace n1"
  std::string ignore_on;  // a changing call that succeeds and does nothing (a kernel that lies)
  std::chrono::milliseconds namespace_delay{0};  // how long create_namespace takes

  LiveState read(const ReadRequest& req) override {
    std::lock_guard lock(mutex_);
    ++reads;
    LiveState out;
    read_log.push_back({calls.size(), req.host, req.namespaces});
    if (req.host) out.ns["host"] = state.ns["host"];
    for (const auto& n : req.namespaces) {
      auto it = state.ns.find(n);
      out.ns[n] = it == state.ns.end() ? NsLive{} : it->second;
    }
    return out;
  }
  int reads = 0;
  struct Read {
    size_t after_calls;  // how many changing calls came before it
    bool host;
    std::vector<std::string> namespaces;
  };
  std::vector<Read> read_log;

  uint64_t create_namespace(const std::string& name) override {
    std::this_thread::sleep_for(namespace_delay);
    std::lock_guard lock(mutex_);
    call("create_namespace " + name);
    auto& n = state.ns[name];
    if (n.exists) throw KernelError("namespace exists", EEXIST);
    n = NsLive{};
    n.exists = true;
    n.cookie = next_cookie++;
    LinkObj lo;
    lo.ns = name;
    lo.name = "lo";
    lo.kind = "loopback";
    lo.ifindex = 1;
    n.links.push_back(lo);
    return n.cookie;
  }
  uint64_t next_cookie = 1000;  // SO_NETNS_COOKIE: never the same twice
  void delete_namespace(const std::string& name) override {
    std::lock_guard lock(mutex_);
    call("delete_namespace " + name);
    if (name.empty()) return;
    auto& n = ns(name);
    for (const auto& l : n.links)
      if (l.kind == "veth") drop_peer(l);
    state.ns.erase(name);
  }
  void create_link(const LinkObj& link, const LinkObj* peer) override {
    std::lock_guard lock(mutex_);
    call("create_link " + link.ns + "/" + link.name);
    auto& n = ns(link.ns);
    if (n.link(link.name)) throw KernelError("create " + link.name + ": File exists", EEXIST);
    LinkObj l = link;
    l.peer_ns.clear();  // the kernel reports a peer's ifindex, not its name
    l.peer_name.clear();
    l.up = false;
    l.alias.clear();
    l.master.clear();
    l.ifindex = next_ifindex_++;
    if (!l.mtu) l.mtu = 1500;
    if (peer) {
      auto& pn = ns(peer->ns);
      if (pn.link(peer->name)) throw KernelError("peer exists", EEXIST);
      LinkObj p = *peer;
      p.peer_ns.clear();
      p.peer_name.clear();
      p.up = false;
      p.alias.clear();
      p.master.clear();
      p.ifindex = next_ifindex_++;
      if (!p.mtu) p.mtu = 1500;
      p.peer_ifindex = l.ifindex;
      l.peer_ifindex = p.ifindex;
      pn.links.push_back(p);
    }
    ns(link.ns).links.push_back(l);
  }
  void change_link(const std::string& nsn, const std::string& name, const LinkChange& c) override {
    std::lock_guard lock(mutex_);
    call("change_link " + nsn + "/" + name);
    auto* l = find(nsn, name);
    if (!l) throw KernelError("no link " + name, ENODEV);
    if (c.up) l->up = *c.up;
    if (c.master) l->master = *c.master;
    if (c.alias) l->alias = *c.alias;
    if (c.mtu) l->mtu = *c.mtu;
    if (c.mac) l->mac = *c.mac;
    if (c.mtu && l->kind == "bridge") user_mtu_.insert({nsn, name});
    auto_bridge_mtu(nsn);
  }
  // A bridge's MTU follows the smallest of its ports' as they join or change, until somebody
  // sets it (br_mtu_auto_adjust).
  void auto_bridge_mtu(const std::string& nsn) {
    for (auto& br : ns(nsn).links) {
      if (br.kind != "bridge" || user_mtu_.count({nsn, br.name})) continue;
      std::optional<uint32_t> least;
      for (const auto& p : ns(nsn).links)
        if (p.master == br.name && p.mtu) least = least ? std::min(*least, *p.mtu) : *p.mtu;
      if (least) br.mtu = least;
    }
  }
  std::set<std::pair<std::string, std::string>> user_mtu_;
  void delete_link(const std::string& nsn, const std::string& name) override {
    std::lock_guard lock(mutex_);
    call("delete_link " + nsn + "/" + name);
    auto* l = find(nsn, name);
    if (!l) throw KernelError("no link " + name, ENODEV);
    LinkObj copy = *l;
    remove_link(nsn, name);
    if (copy.kind == "veth") drop_peer(copy);
  }
  void delete_group(const std::string& nsn, uint32_t group) override {
    std::lock_guard lock(mutex_);
    call("delete_group " + nsn);
    std::vector<LinkObj> doomed;
    for (const auto& l : ns(nsn).links)
      if (l.group == group) doomed.push_back(l);
    for (const auto& l : doomed) {
      remove_link(nsn, l.name);
      if (l.kind == "veth") drop_peer(l);
    }
  }
  void add_address(const AddrObj& a) override {
    std::lock_guard lock(mutex_);
    call("add_address " + a.ns + "/" + a.dev + "/" + a.cidr.str());
    if (calls.back() == ignore_on) return;
    auto& n = ns(a.ns);
    if (std::find(n.addrs.begin(), n.addrs.end(), a) != n.addrs.end())
      throw KernelError("address exists", EEXIST);
    AddrObj x = a;
    // The first IPv4 address of a subnet on a link is its primary; later ones are secondaries.
    x.secondary =
        !a.cidr.addr.is_v6() && std::any_of(n.addrs.begin(), n.addrs.end(),
                                            [&](const AddrObj& h) { return in_subnet_of(h, a); });
    n.addrs.push_back(x);
  }
  void delete_address(const AddrObj& a) override {
    std::lock_guard lock(mutex_);
    call("delete_address " + a.ns + "/" + a.dev + "/" + a.cidr.str());
    auto& n = ns(a.ns);
    auto it = std::find(n.addrs.begin(), n.addrs.end(), a);
    if (it == n.addrs.end()) throw KernelError("no such address", EADDRNOTAVAIL);
    AddrObj gone = *it;
    n.addrs.erase(it);
    if (gone.cidr.addr.is_v6()) return;
    // A primary takes its secondaries along (promote_secondaries is off by default), and a
    // link left without IPv4 address loses its IPv4 routes.
    if (!gone.secondary)
      std::erase_if(n.addrs, [&](const AddrObj& h) { return in_subnet_of(h, gone); });
    bool v4_left = std::any_of(n.addrs.begin(), n.addrs.end(), [&](const AddrObj& h) {
      return h.dev == gone.dev && !h.cidr.addr.is_v6();
    });
    if (!v4_left)
      std::erase_if(n.routes, [&](const RouteObj& r) {
        return !r.dst.addr.is_v6() &&
               (r.dev == gone.dev || (r.dev == "auto" && r.via && gone.cidr.contains(*r.via)));
      });
  }
  static bool in_subnet_of(const AddrObj& h, const AddrObj& a) {
    return h.dev == a.dev && !h.cidr.addr.is_v6() && h.cidr.network() == a.cidr.network();
  }
  void add_route(const RouteObj& r, bool replace) override {
    std::lock_guard lock(mutex_);
    call((replace ? "replace_route " : "add_route ") + r.ns + "/" + r.dst.str());
    RouteObj x = r;
    if (x.dev.empty()) x.dev = "auto";
    auto& routes = ns(r.ns).routes;
    auto same = std::find_if(routes.begin(), routes.end(),
                             [&](const RouteObj& h) { return h.same_key(r); });
    if (same != routes.end() && !replace) throw KernelError("route exists", EEXIST);
    if (same != routes.end()) routes.erase(same);
    routes.push_back(x);
  }
  void delete_route(const RouteObj& r) override {
    std::lock_guard lock(mutex_);
    call("delete_route " + r.ns + "/" + r.dst.str());
    auto& routes = ns(r.ns).routes;
    // The kernel deletes the route of that key whose protocol and gateway are as asked.
    auto it = std::find_if(routes.begin(), routes.end(), [&](const RouteObj& h) {
      return h.same_key(r) && h.via == r.via && (!r.protocol || h.protocol == r.protocol);
    });
    if (it == routes.end()) throw KernelError("no such route", ESRCH);
    routes.erase(it);
  }
  std::string set_sysctl(const std::string& nsn, const std::string& key,
                         const std::string& value) override {
    std::lock_guard lock(mutex_);
    call("set_sysctl " + nsn + "/" + key + "=" + value);
    auto& v = ns(nsn).sysctl[key];
    std::string old = v.empty() ? "0" : v;
    v = value;
    return old;
  }
  void wait_gone(const std::vector<std::pair<std::string, std::string>>& links) override {
    std::lock_guard lock(mutex_);
    call("wait_gone " + std::to_string(links.size()));
    for (const auto& [n, l] : links)
      if (state.ns.count(n) && state.ns[n].link(l)) throw KernelError(l + " still there", EBUSY);
  }
  void add_nat(const NatRule& r) override {
    std::lock_guard lock(mutex_);
    call("add_nat " + r.ns + " " + r.str());
    ns(r.ns).nat.push_back(r);
  }
  void delete_nat(const NatRule& r) override {
    std::lock_guard lock(mutex_);
    call("delete_nat " + r.ns + " " + r.str());
    auto& v = ns(r.ns).nat;
    auto it = std::find_if(v.begin(), v.end(), [&](const NatRule& h) { return h.same_rule(r); });
    if (it != v.end()) v.erase(it);
  }

 private:
  std::mutex mutex_;
  void call(const std::string& c) {
    int i = static_cast<int>(calls.size());
    calls.push_back(c);
    if (i == fail_at || c == fail_on) throw KernelError(c + ": injected failure", fail_errno);
  }
  NsLive& ns(const std::string& name) {
    auto it = state.ns.find(name);
    if (it == state.ns.end() || !it->second.exists)
      throw KernelError("no namespace " + name, ENOENT);
    return it->second;
  }
  LinkObj* find(const std::string& nsn, const std::string& name) {
    for (auto& l : ns(nsn).links)
      if (l.name == name) return &l;
    return nullptr;
  }
  void remove_link(const std::string& nsn, const std::string& name) {
    auto& n = ns(nsn);
    std::erase_if(n.links, [&](const LinkObj& l) { return l.name == name; });
    std::erase_if(n.addrs, [&](const AddrObj& a) { return a.dev == name; });
    std::erase_if(n.routes, [&](const RouteObj& r) { return r.dev == name; });
  }
  void drop_peer(const LinkObj& l) {
    for (auto& [name, n] : state.ns)
      for (const auto& p : n.links)
        if (p.ifindex == l.peer_ifindex && p.peer_ifindex == l.ifindex) {
          std::string pname = p.name;
          remove_link(name, pname);
          return;
        }
  }
  int next_ifindex_ = 10;
};

}  // namespace netlab::testing
