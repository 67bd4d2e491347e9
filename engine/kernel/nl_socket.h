// One rtnetlink socket, bound to one network namespace for its whole life (a netlink socket
// belongs to the namespace it was created in, wherever the thread goes afterwards).
#pragma once

#include <linux/netlink.h>

#include <functional>
#include <string>

#include "kernel/nl_ptr.h"

namespace netlab::kernel {

class NlSocket {
 public:
  // Opens a NETLINK_ROUTE socket in the namespace of ns_fd (-1: the calling thread's).
  explicit NlSocket(int ns_fd);
  NlSocket(const NlSocket&) = delete;  // the error callback holds `this`
  NlSocket& operator=(const NlSocket&) = delete;

  using ReplyHandler = std::function<void(const nlmsghdr&)>;
  // Sends one request and waits for its acknowledgement. Messages the kernel answers with
  // before the ack (NLM_F_ECHO) go to on_reply. On failure throws KernelError
  // "<what>: <strerror of the kernel's errno>".
  void request(nl_msg* msg, const std::string& what, const ReplyHandler& on_reply = {});

  // One dump into a libnl cache, e.g. alloc = rtnl_link_alloc_cache with its arguments bound;
  // each datagram is peeked at first, so no message is too large. An interrupted dump (the
  // table changed meanwhile) is retried.
  NlCachePtr dump(const std::function<int(nl_sock*, nl_cache**)>& alloc, const std::string& what);
  // The same from a request of ours: message `type` with the header `hdr` (an ifaddrmsg or
  // rtmsg that names one family, say), its answers parsed into a cache of `kind`
  // ("route/addr", "route/route"). Their messages are small: no peeking.
  NlCachePtr dump(const char* kind, int type, const void* hdr, size_t len, const std::string& what);

  // The identity of the socket's namespace (SO_NETNS_COOKIE): never the same for two
  // namespaces, even after one is freed, unlike its nsfs inode.
  uint64_t netns_cookie() const;

 private:
  static constexpr int kRecvBuffer = 64 * 1024;
  NlCachePtr dump_into(const std::function<int(nl_sock*, nl_cache**)>& alloc,
                       const std::string& what);
  static int on_error(sockaddr_nl*, nlmsgerr* e, void* self);
  [[noreturn]] void fail(const std::string& what, int nl_err) const;

  NlSockPtr sk_;
  // The errno of the last NLMSG_ERROR: libnl maps errnos it does not know to "Unspecific
  // failure", and the user deserves the kernel's own reason.
  int last_errno_ = 0;
};

}  // namespace netlab::kernel
