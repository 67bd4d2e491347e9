// One rtnetlink socket, bound to one network namespace for its whole life (a netlink socket
// belongs to the namespace it was created in, wherever the thread goes afterwards).
#pragma once

#include <linux/netlink.h>
#include <netlink/handlers.h>

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

  // A dump request of ours: message `type` with the header `hdr` (a family, a table) and, if
  // not 0, IFLA_EXT_MASK `ext_mask`, answered into a libnl cache of `kind` ("route/link",
  // "route/addr", "route/route"). `raw`, if set, sees each message before libnl parses it.
  struct Dump {
    const char* kind;
    int type;
    const void* hdr;
    size_t len;
    uint32_t ext_mask = 0;
    nl_recvmsg_msg_cb_t raw = nullptr;
    void* raw_arg = nullptr;
  };
  // One dump. Its messages must be of a bounded size: each datagram is read in one receive,
  // without a peek. An interrupted dump (the table changed meanwhile) is asked again.
  NlCachePtr dump(const Dump& d, const std::string& what);

  // The identity of the socket's namespace (SO_NETNS_COOKIE): never the same for two
  // namespaces, even after one is freed, unlike its nsfs inode.
  uint64_t netns_cookie() const;

 private:
  static constexpr int kRecvBuffer = 64 * 1024;
  static int on_error(sockaddr_nl*, nlmsgerr* e, void* self);
  [[noreturn]] void fail(const std::string& what, int nl_err) const;

  NlSockPtr sk_;
  // The errno of the last NLMSG_ERROR: libnl maps errnos it does not know to "Unspecific
  // failure", and the user deserves the kernel's own reason.
  int last_errno_ = 0;
};

}  // namespace netlab::kernel
