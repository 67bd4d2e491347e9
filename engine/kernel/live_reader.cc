// read(): per namespace one dump of links, and of addresses and routes one per family, plus
// the sysctl keys and (when asked) the nat table.
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <set>
#include <thread>

#include "apply/quiet_thread.h"
#include "kernel/netlink_kernel.h"
#include "kernel/netns.h"
#include "kernel/nl_socket.h"
#include "kernel/sysctl.h"
#include "kinds/link_kind.h"

namespace netlab {

using namespace kernel;

namespace {

// Below this many namespaces a second reader costs more than it saves.
constexpr size_t kShareReadsFrom = 16;

template <typename T, typename F>
void each(nl_cache* cache, F f) {
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
    f(reinterpret_cast<T*>(o));
}

LinkObj link_of(rtnl_link* l, const std::string& ns, const NetlinkKernel::RawLinks& raw) {
  LinkObj obj;
  obj.ns = ns;
  if (const char* n = rtnl_link_get_name(l)) obj.name = n;
  unsigned flags = rtnl_link_get_flags(l);
  if (const char* t = rtnl_link_get_type(l))
    obj.kind = t;
  else if (flags & IFF_LOOPBACK)
    obj.kind = "loopback";
  // else: a device without IFLA_INFO_KIND (a physical NIC): kind stays "".
  obj.mtu = rtnl_link_get_mtu(l);
  if (nl_addr* a = rtnl_link_get_addr(l); a && nl_addr_get_len(a) == 6) {
    Mac mac;
    auto* b = static_cast<const uint8_t*>(nl_addr_get_binary_addr(a));
    std::copy(b, b + 6, mac.begin());
    obj.mac = mac;
  }
  obj.up = flags & IFF_UP;
  if (const char* alias = rtnl_link_get_ifalias(l)) obj.alias = alias;
  obj.group = rtnl_link_get_group(l);
  obj.ifindex = rtnl_link_get_ifindex(l);
  if (const LinkKind* kind = find_link_kind(obj.kind)) {
    kind->read(l, obj);
    if (auto it = raw.info_data.find(obj.ifindex); it != raw.info_data.end())
      kind->read_info_data(reinterpret_cast<const nlattr*>(it->second.data()), obj);
  }
  obj.ready = raw.ready.count(obj.ifindex) != 0;
  if (uint8_t mode = 0; rtnl_link_inet6_get_addr_gen_mode(l, &mode) == 0)
    obj.ipv6_link_local = mode != IN6_ADDR_GEN_MODE_NONE;
  return obj;
}

}  // namespace

LiveState NetlinkKernel::read(const ReadRequest& request) {
  std::set<std::string> names;
  if (request.host) names.insert("host");
  names.insert(request.namespaces.begin(), request.namespaces.end());
  for (const auto& [ns, keys] : request.sysctl_keys) names.insert(ns);
  names.insert(request.nat_namespaces.begin(), request.nat_namespaces.end());

  // Most of a read is libnl parsing the dumps, and the kernel serves dumps of different
  // namespaces side by side: a second thread takes half of the namespaces that need nothing
  // but dumps. The host, sysctls and NAT (libiptc keeps global state) stay on this thread.
  std::vector<std::string> mine, theirs;
  for (const auto& ns : names) {
    bool dumps_only = ns != "host" && !request.sysctl_keys.count(ns) &&
                      std::find(request.nat_namespaces.begin(), request.nat_namespaces.end(), ns) ==
                          request.nat_namespaces.end();
    (dumps_only && theirs.size() < mine.size() ? theirs : mine).push_back(ns);
  }
  if (theirs.size() < kShareReadsFrom || std::thread::hardware_concurrency() < 2) {
    mine.insert(mine.end(), theirs.begin(), theirs.end());
    theirs.clear();
  }

  std::vector<NsLive> their_live(theirs.size());
  std::exception_ptr their_error;
  std::jthread helper;
  if (!theirs.empty())
    helper = quiet_thread([&] {
      try {
        for (size_t i = 0; i < theirs.size(); ++i) their_live[i] = read_ns(theirs[i], request);
      } catch (...) {
        their_error = std::current_exception();
      }
    });
  LiveState live;
  for (const auto& ns : mine) live.ns[ns] = read_ns(ns, request);
  if (helper.joinable()) helper.join();
  if (their_error) std::rethrow_exception(their_error);
  for (size_t i = 0; i < theirs.size(); ++i) live.ns[theirs[i]] = std::move(their_live[i]);
  live.missing_link_kinds = missing_link_kinds(request.link_kinds);
  live.missing_qdisc_kinds = missing_qdisc_kinds(request.qdisc_kinds);
  return live;
}

NsLive NetlinkKernel::read_ns(const std::string& ns, const ReadRequest& request) {
  NsLive live;
  if (ns != "host") {
    struct stat sb;
    if (stat(netns_path(ns).c_str(), &sb) != 0) {
      drop_slot(ns);
      return live;  // exists = false
    }
    // Deleted and made again by someone else since our socket was opened: start afresh.
    if (NsState* st = find_slot(ns); st && st->sock && st->ino != sb.st_ino) drop_slot(ns);
    // Not a namespace but the empty file a create makes before it mounts one there (a run
    // killed in between): entering it would fail with EINVAL, and there is nothing to read.
    struct statfs fs;
    if (statfs(netns_path(ns).c_str(), &fs) == 0 && fs.f_type != NSFS_MAGIC) {
      drop_slot(ns);
      live.exists = true;
      live.half_made = true;
      return live;
    }
  }
  live.exists = true;
  auto& st = state(ns);
  if (ns != "host") live.cookie = st.sock->netns_cookie();

  // A second look at each link message: whether it is ready, and for the kinds whose
  // attributes libnl drops, those.
  RawLinks raw;
  raw.info_data_wanted =
      std::any_of(request.link_kinds.begin(), request.link_kinds.end(), [](const std::string& k) {
        const LinkKind* kind = find_link_kind(k);
        return kind && kind->reads_info_data();
      });
  auto links = dump_links(ns, st, &raw);
  std::unordered_map<int, std::string> name_of;
  for (const auto& [name, index] : st.ifindex) name_of[index] = name;
  auto dev_name = [&](int index) {
    auto it = name_of.find(index);
    return it == name_of.end() ? std::string() : it->second;
  };
  each<rtnl_link>(links.get(), [&](rtnl_link* l) {
    LinkObj obj = link_of(l, ns, raw);
    if (int master = rtnl_link_get_master(l)) obj.master = dev_name(master);
    live.links.push_back(std::move(obj));
  });
  if (request.qdisc_namespaces.count(ns)) live.qdiscs = read_qdiscs(ns, st, name_of);

  // Addresses and routes per family: the kernel answers an AF_INET or AF_INET6 dump without
  // the RTNL lock, but an AF_UNSPEC one (rtnl_dump_all) under it, and right after an up the
  // lab's IPv6 start-up work (DAD) keeps taking that lock. A kernel without IPv6 answers an
  // AF_INET6 dump with every family's objects: each dump keeps only its own.
  for (int family : {AF_INET, AF_INET6}) {
    ifaddrmsg req{};
    req.ifa_family = static_cast<uint8_t>(family);
    auto addrs =
        st.sock->dump({"route/addr", RTM_GETADDR, &req, sizeof req}, "read the addresses of " + ns);
    each<rtnl_addr>(addrs.get(), [&](rtnl_addr* a) {
      nl_addr* local = rtnl_addr_get_local(a);
      if (!local || rtnl_addr_get_family(a) != family) return;
      AddrObj obj{ns, dev_name(rtnl_addr_get_ifindex(a)),
                  Cidr{ip_of(local, rtnl_addr_get_family(a)), rtnl_addr_get_prefixlen(a)}};
      unsigned flags = rtnl_addr_get_flags(a);
      obj.secondary = flags & IFA_F_SECONDARY;
      obj.permanent = flags & IFA_F_PERMANENT;
      live.addrs.push_back(std::move(obj));
    });
  }

  for (int family : {AF_INET, AF_INET6}) {
    // The main table only (the kernel filters on a strict-checking socket), and not what the
    // kernel derives from addresses and links (connected routes, IPv6 link-local, multicast).
    rtmsg req{};
    req.rtm_family = static_cast<uint8_t>(family);
    req.rtm_table = RT_TABLE_MAIN;
    auto routes =
        st.sock->dump({"route/route", RTM_GETROUTE, &req, sizeof req}, "read the routes of " + ns);
    each<rtnl_route>(routes.get(), [&](rtnl_route* r) {
      if (rtnl_route_get_family(r) != family || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
          rtnl_route_get_protocol(r) == RTPROT_KERNEL || rtnl_route_get_type(r) != RTN_UNICAST)
        return;
      nl_addr* dst = rtnl_route_get_dst(r);
      RouteObj obj;
      obj.ns = ns;
      obj.dst = Cidr{ip_of(dst, family), dst ? static_cast<int>(nl_addr_get_prefixlen(dst)) : 0};
      obj.metric = rtnl_route_get_priority(r);
      obj.protocol = rtnl_route_get_protocol(r);
      if (rtnl_route_get_nnexthops(r) == 1) {
        rtnl_nexthop* nh = rtnl_route_nexthop_n(r, 0);
        if (nl_addr* gw = rtnl_route_nh_get_gateway(nh)) obj.via = ip_of(gw, family);
        obj.dev = dev_name(rtnl_route_nh_get_ifindex(nh));
      }
      live.routes.push_back(std::move(obj));
    });
  }

  auto keys = request.sysctl_keys.find(ns);
  bool nat = std::find(request.nat_namespaces.begin(), request.nat_namespaces.end(), ns) !=
             request.nat_namespaces.end();
  if (keys == request.sysctl_keys.end() && !nat) return live;
  Fd fd = ns_fd(ns);
  if (keys != request.sysctl_keys.end()) live.sysctl = read_sysctls(fd.get(), ns, keys->second);
  if (nat) {
    ScopedNetns inside(fd.get());
    live.nat = read_nat(ns);
  }
  return live;
}

}  // namespace netlab
