// Owning pointers for libnl objects: every libnl allocation in netlab lives in one of these,
// so an exception between allocation and use never leaks (libnl objects are refcounted;
// the deleters drop our reference).
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include <algorithm>
#include <memory>
#include <new>
#include <string>

#include "apply/kernel.h"
#include "model/ip.h"

namespace netlab::kernel {

template <typename T, void (*Free)(T*)>
struct NlDeleter {
  void operator()(T* p) const { Free(p); }
};

using NlSockPtr = std::unique_ptr<nl_sock, NlDeleter<nl_sock, nl_socket_free>>;
using NlCachePtr = std::unique_ptr<nl_cache, NlDeleter<nl_cache, nl_cache_free>>;
using NlMsgPtr = std::unique_ptr<nl_msg, NlDeleter<nl_msg, nlmsg_free>>;
using NlCbPtr = std::unique_ptr<nl_cb, NlDeleter<nl_cb, nl_cb_put>>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlDeleter<nl_addr, nl_addr_put>>;
using LinkPtr = std::unique_ptr<rtnl_link, NlDeleter<rtnl_link, rtnl_link_put>>;
using AddrPtr = std::unique_ptr<rtnl_addr, NlDeleter<rtnl_addr, rtnl_addr_put>>;
using RoutePtr = std::unique_ptr<rtnl_route, NlDeleter<rtnl_route, rtnl_route_put>>;
using QdiscPtr = std::unique_ptr<rtnl_qdisc, NlDeleter<rtnl_qdisc, rtnl_qdisc_put>>;

// libnl allocators return nullptr only when out of memory.
template <typename P>
P checked(typename P::pointer p) {
  if (!p) throw std::bad_alloc();
  return P(p);
}

// A request libnl could not build (err < 0) was never sent: a KernelError without an errno.
inline void check_build(int err, const std::string& what) {
  if (err < 0) throw KernelError(what + ": cannot build the request (" + nl_geterror(err) + ")", 0);
}

// The message a libnl build function returned with `err`, owned before it is checked.
inline NlMsgPtr built(int err, nl_msg* raw, const std::string& what) {
  NlMsgPtr msg(raw);
  check_build(err, what);
  return msg;
}

// An nl_addr of the given address with the given prefix length.
inline NlAddrPtr make_nl_addr(const IpAddr& a, int prefix) {
  auto p = checked<NlAddrPtr>(nl_addr_build(a.family, a.bytes.data(), a.is_v6() ? 16 : 4));
  nl_addr_set_prefixlen(p.get(), prefix);
  return p;
}

// The address an nl_addr holds; an empty one (a default route's dst) reads as all zeros.
inline IpAddr ip_of(const nl_addr* a, int family) {
  IpAddr ip;
  ip.family = a ? nl_addr_get_family(a) : family;
  if (ip.family != AF_INET && ip.family != AF_INET6) ip.family = family;
  if (a) {
    unsigned len = nl_addr_get_len(a);
    if (len > ip.bytes.size()) len = ip.bytes.size();
    const auto* bytes = static_cast<const uint8_t*>(nl_addr_get_binary_addr(a));
    std::copy(bytes, bytes + len, ip.bytes.begin());
  }
  return ip;
}

}  // namespace netlab::kernel
