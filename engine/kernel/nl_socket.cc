#include "kernel/nl_socket.h"

#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "apply/kernel.h"
#include "kernel/netns.h"
#include "kernel/nl_ptr.h"

namespace netlab::kernel {

NlSocket::NlSocket(int ns_fd) : sk_(checked<NlSockPtr>(nl_socket_alloc())) {
  int err = nl_socket_modify_err_cb(sk_.get(), NL_CB_CUSTOM, &NlSocket::on_error, this);
  if (err < 0) fail("set up a netlink socket", err);
  // One recvmsg per datagram into a buffer larger than any the kernel sends us (a dump
  // datagram is at most 32 KiB, an ack or echo far less), instead of libnl's default of a peek
  // for the size first: half the receive calls. What could make one message larger, a NIC's
  // VF list in a link dump, is never asked for (see NetlinkKernel::dump_links).
  nl_socket_disable_msg_peek(sk_.get());
  nl_socket_set_msg_buf_size(sk_.get(), kRecvBuffer);
  std::optional<ScopedNetns> inside;
  if (ns_fd >= 0) inside.emplace(ns_fd);
  err = nl_connect(sk_.get(), NETLINK_ROUTE);
  if (err < 0) fail("open a netlink socket", err);
  // Strict checking makes the kernel apply the filters a dump request carries (a route dump
  // of the main table only). Optional: a kernel without it (< 4.20) answers the whole table
  // and the reader filters as it always does.
  int on = 1;
  (void)setsockopt(nl_socket_get_fd(sk_.get()), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on,
                   sizeof on);
}

uint64_t NlSocket::netns_cookie() const {
  uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  if (getsockopt(nl_socket_get_fd(sk_.get()), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0)
    throw KernelError(std::string("read a namespace's identity: ") + std::strerror(errno), errno);
  return cookie;
}

int NlSocket::on_error(sockaddr_nl*, nlmsgerr* e, void* self) {
  static_cast<NlSocket*>(self)->last_errno_ = -e->error;
  return NL_STOP;  // libnl then returns its own (lossy) code; we keep the real one
}

void NlSocket::fail(const std::string& what, int nl_err) const {
  if (last_errno_ > 0) throw KernelError(what + ": " + std::strerror(last_errno_), last_errno_);
  throw KernelError(what + ": " + nl_geterror(nl_err), 0);
}

namespace {

struct Exchange {
  const NlSocket::ReplyHandler* on_reply;
  bool acked = false;
};

int on_valid(nl_msg* msg, void* arg) {
  auto* x = static_cast<Exchange*>(arg);
  if (*x->on_reply) (*x->on_reply)(*nlmsg_hdr(msg));
  return NL_OK;
}

int on_ack(nl_msg*, void* arg) {
  static_cast<Exchange*>(arg)->acked = true;
  return NL_STOP;
}

}  // namespace

void NlSocket::request(nl_msg* msg, const std::string& what, const ReplyHandler& on_reply) {
  last_errno_ = 0;
  int err = nl_send_auto(sk_.get(), msg);
  if (err < 0) fail(what, err);
  // A clone of the socket's callbacks keeps the error callback installed above.
  NlCbPtr base(nl_socket_get_cb(sk_.get()));
  auto cb = checked<NlCbPtr>(nl_cb_clone(base.get()));
  Exchange x{&on_reply};
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
  // nl_recvmsgs returns after each datagram that is not a multipart dump; an echo comes in
  // its own datagram before the ack.
  while (!x.acked) {
    err = nl_recvmsgs(sk_.get(), cb.get());
    if (err < 0) fail(what, err);
  }
}

namespace {

// Sends the dump request `d` and parses its answers into `cache`: libnl's error codes.
int dump_once(nl_sock* sk, const NlSocket::Dump& d, nl_cache* cache) {
  NlMsgPtr msg(nlmsg_alloc_simple(d.type, NLM_F_DUMP));
  if (!msg) return -NLE_NOMEM;
  int err = nlmsg_append(msg.get(), const_cast<void*>(d.hdr), d.len, NLMSG_ALIGNTO);
  if (err >= 0 && d.ext_mask) err = nla_put_u32(msg.get(), IFLA_EXT_MASK, d.ext_mask);
  if (err >= 0) err = nl_send_auto(sk, msg.get());
  if (err < 0) return err;
  // libnl's cache parser replaces the socket's NL_CB_VALID but keeps NL_CB_MSG_IN.
  if (d.raw) nl_socket_modify_cb(sk, NL_CB_MSG_IN, NL_CB_CUSTOM, d.raw, d.raw_arg);
  err = nl_cache_pickup(sk, cache);
  if (d.raw) nl_socket_modify_cb(sk, NL_CB_MSG_IN, NL_CB_DEFAULT, nullptr, nullptr);
  return err;
}

}  // namespace

NlCachePtr NlSocket::dump(const Dump& d, const std::string& what) {
  for (int attempt = 1;; ++attempt) {
    last_errno_ = 0;
    nl_cache* raw = nullptr;
    int err = nl_cache_alloc_name(d.kind, &raw);
    NlCachePtr cache(raw);
    // Built afresh for each attempt: a message sent again would keep its old sequence number.
    if (err >= 0) err = dump_once(sk_.get(), d, cache.get());
    if (err >= 0) return cache;
    if (err == -NLE_DUMP_INTR && attempt < 5) continue;
    fail(what, err);
  }
}

}  // namespace netlab::kernel
