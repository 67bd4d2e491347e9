#include "kernel/netlink_kernel.h"

#include <chrono>
#include <thread>

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/link_ready.h"
#include "kernel/nat_table.h"
#include "kernel/netns.h"
#include "kernel/nl_socket.h"
#include "kernel/sysctl.h"
#include "kinds/link_kind.h"

namespace netlab {

using kernel::Fd;

namespace {

unsigned long inode_of(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    throw KernelError(std::string("stat a namespace: ") + std::strerror(errno), errno);
  return st.st_ino;
}

// NL_CB_MSG_IN of a link dump: keeps whether the link is ready, and the raw IFLA_INFO_DATA of
// the kinds that ask for it.
int keep_raw(nl_msg* m, void* arg) {
  nlmsghdr* h = nlmsg_hdr(m);
  if (h->nlmsg_type != RTM_NEWLINK) return NL_OK;
  auto& raw_links = *static_cast<NetlinkKernel::RawLinks*>(arg);
  int index = static_cast<ifinfomsg*>(nlmsg_data(h))->ifi_index;
  if (kernel::link_ready(*h))
    raw_links.ready.insert(index);
  else
    raw_links.ready.erase(index);
  if (!raw_links.info_data_wanted) return NL_OK;
  nlattr* tb[IFLA_MAX + 1];
  nlattr* info[IFLA_INFO_MAX + 1];
  if (nlmsg_parse(h, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 || !tb[IFLA_LINKINFO] ||
      nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) < 0 ||
      !info[IFLA_INFO_KIND] || !info[IFLA_INFO_DATA])
    return NL_OK;
  std::string kind(static_cast<const char*>(nla_data(info[IFLA_INFO_KIND])),
                   strnlen(static_cast<const char*>(nla_data(info[IFLA_INFO_KIND])),
                           nla_len(info[IFLA_INFO_KIND])));
  const LinkKind* k = find_link_kind(kind);
  if (!k || !k->reads_info_data()) return NL_OK;
  const auto* raw = reinterpret_cast<const char*>(info[IFLA_INFO_DATA]);
  raw_links.info_data[index].assign(raw, raw + info[IFLA_INFO_DATA]->nla_len);
  return NL_OK;
}

}  // namespace

NetlinkKernel::NetlinkKernel() : host_(kernel::open_current_netns()) {
  kernel::raise_fd_limit();  // one netlink socket per namespace stays open for the run
  host_ino_ = inode_of(host_.get());
}

NetlinkKernel::~NetlinkKernel() = default;

Fd NetlinkKernel::ns_fd(const std::string& ns) const {
  if (ns != "host") return kernel::open_netns(ns);
  Fd fd(fcntl(host_.get(), F_DUPFD_CLOEXEC, 0));
  if (!fd)
    throw KernelError(std::string("open the host namespace: ") + std::strerror(errno), errno);
  return fd;
}

NetlinkKernel::NsState& NetlinkKernel::slot(const std::string& ns) {
  std::lock_guard lock(ns_mutex_);
  return ns_[ns];
}

NetlinkKernel::NsState* NetlinkKernel::find_slot(const std::string& ns) {
  std::lock_guard lock(ns_mutex_);
  auto it = ns_.find(ns);
  return it == ns_.end() ? nullptr : &it->second;
}

void NetlinkKernel::drop_slot(const std::string& ns) {
  std::lock_guard lock(ns_mutex_);
  ns_.erase(ns);
}

NetlinkKernel::NsState& NetlinkKernel::state(const std::string& ns) {
  auto& st = slot(ns);
  if (!st.sock) {
    Fd fd = ns_fd(ns);
    st.ino = inode_of(fd.get());
    // The host socket is opened where we are (the host); others from inside their namespace.
    st.sock = std::make_unique<kernel::NlSocket>(ns == "host" ? -1 : fd.get());
  }
  return st;
}

kernel::NlCachePtr NetlinkKernel::dump_links(const std::string& ns, NsState& st, RawLinks* raw) {
  // Without statistics, which nothing here reads: the kernel fills, and libnl parses, about
  // half as much. Without RTEXT_FILTER_VF, a NIC's VF list (of no bounded size) stays out too.
  ifinfomsg req{};
  req.ifi_family = AF_UNSPEC;
  // A dump asked again overwrites what the first one kept, link by link.
  if (raw) {
    raw->info_data.clear();
    raw->ready.clear();
  }
  auto cache = st.sock->dump({.kind = "route/link",
                              .type = RTM_GETLINK,
                              .hdr = &req,
                              .len = sizeof req,
                              .ext_mask = RTEXT_FILTER_SKIP_STATS,
                              .raw = raw ? keep_raw : nullptr,
                              .raw_arg = raw},
                             "read the links of " + ns);
  st.ifindex.clear();
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* l = reinterpret_cast<rtnl_link*>(o);
    const char* name = rtnl_link_get_name(l);
    if (!name) continue;
    st.ifindex[name] = rtnl_link_get_ifindex(l);
    // Made on another link (a macvlan, a vxlan; a veth's IFLA_LINK is its peer): it goes with it.
    const char* type = rtnl_link_get_type(l);
    const LinkKind* kind = type ? find_link_kind(type) : nullptr;
    if (kind && !kind->paired() && rtnl_link_get_link(l) > 0) {
      st.uppers.insert(name);
      std::lock_guard lock(ns_mutex_);  // reads dump namespaces on two threads
      upper_ns_.insert(ns);
    }
  }
  return cache;
}

int NetlinkKernel::ifindex(const std::string& ns, const std::string& name,
                           const std::string& what) {
  auto& st = state(ns);
  if (auto it = st.ifindex.find(name); it != st.ifindex.end()) return it->second;
  dump_links(ns, st);  // made by someone else, or not read yet: one dump of the namespace
  if (auto it = st.ifindex.find(name); it != st.ifindex.end()) return it->second;
  throw KernelError(what + ": no link " + name + " in " + ns + " (" + std::strerror(ENODEV) + ")",
                    ENODEV);
}

void NetlinkKernel::forget_link(const std::string& ns, const std::string& name) {
  NsState* st = find_slot(ns);
  if (!st) return;
  st->ifindex.erase(name);
  // Deleting a veth deletes its other end as well.
  if (auto p = st->peer.find(name); p != st->peer.end()) {
    auto [peer_ns, peer_name] = p->second;
    st->peer.erase(p);
    if (NsState* q = find_slot(peer_ns)) {
      q->ifindex.erase(peer_name);
      q->peer.erase(peer_name);
    }
  }
}

uint64_t NetlinkKernel::create_namespace(const std::string& name) {
  if (name == "host")
    throw KernelError("create namespace host: host is the root namespace", EINVAL);
  // Its socket is opened while the thread is inside anyway: no setns later to open it.
  NsState fresh;
  kernel::create_netns(name, [&] {
    fresh.sock = std::make_unique<kernel::NlSocket>(-1);
    fresh.ino = inode_of(kernel::open_current_netns().get());
  });
  uint64_t cookie = fresh.sock->netns_cookie();
  std::lock_guard lock(ns_mutex_);
  ns_[name] = std::move(fresh);  // a socket left from an earlier namespace of that name is stale
  return cookie;
}

void NetlinkKernel::delete_namespace(const std::string& name) {
  if (name == "host")
    throw KernelError("delete namespace host: host is the root namespace", EINVAL);
  std::string what = "delete namespace " + name;
  if (!kernel::netns_exists(name)) {
    drop_slot(name);
    throw KernelError(what + ": " + std::strerror(ENOENT), ENOENT);
  }
  // The kernel frees the namespace (and its veths, with their other ends) asynchronously,
  // in one batch with others deleted at the same time; the executor waits for what must be
  // gone (wait_gone) rather than deleting veths one by one, which costs a grace period each.
  // Our socket holds the namespace alive: close it before unbinding.
  drop_slot(name);
  kernel::delete_netns(name);
  forget_uppers();
}

void NetlinkKernel::wait_gone(const std::vector<std::pair<std::string, std::string>>& links) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto deadline = start + std::chrono::seconds(30);
  std::map<std::string, std::vector<std::string>> by_ns;
  for (const auto& [ns, name] : links) by_ns[ns].push_back(name);
  for (auto& [ns, names] : by_ns) {
    if (ns != "host" && !kernel::netns_exists(ns)) continue;
    auto& st = state(ns);
    bool deleted = false;
    for (;;) {
      dump_links(ns, st);
      std::erase_if(names, [&](const std::string& n) { return !st.ifindex.count(n); });
      if (names.empty()) break;
      // A namespace something still holds (a process in it) is never freed, and its veths stay:
      // past the time the kernel takes to free one, they are deleted by name.
      if (!deleted && clock::now() > start + std::chrono::seconds(1)) {
        deleted = true;
        for (const auto& n : names) try {
            delete_link(ns, n);
          } catch (const KernelError& e) {
            if (!already_gone(e.errno_value)) throw;
          }
        continue;
      }
      if (clock::now() > deadline)
        throw KernelError("wait for " + std::to_string(names.size()) + " link(s) of deleted " +
                              "namespaces to go from " + ns + " (" + names.front() +
                              ", ...): still there after 30 s",
                          EBUSY);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
}

std::string NetlinkKernel::set_sysctl(const std::string& ns, const std::string& key,
                                      const std::string& value) {
  Fd fd = ns_fd(ns);
  return kernel::write_sysctl(fd.get(), ns, key, value);
}

// --- NAT: libiptc lives in kernel/nat_table.h; iptc_init binds to the calling thread's
// namespace, so each call runs inside the rule's namespace.

std::vector<NatRule> NetlinkKernel::read_nat(const std::string& ns) {
  return nat::read_rules(ns);  // the caller has entered ns
}

void NetlinkKernel::add_nat(const NatRule& rule) {
  Fd fd = ns_fd(rule.ns);
  kernel::ScopedNetns inside(fd.get());
  nat::add_rule(rule);
}

void NetlinkKernel::delete_nat(const NatRule& rule) {
  Fd fd = ns_fd(rule.ns);
  kernel::ScopedNetns inside(fd.get());
  nat::delete_rule(rule);
}

}  // namespace netlab
