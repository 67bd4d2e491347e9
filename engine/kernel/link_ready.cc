#include "kernel/link_ready.h"

#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "kernel/netlink_kernel.h"
#include "kernel/netns.h"
#include "kernel/nl_socket.h"

namespace netlab {

namespace kernel {

namespace {

std::string string_of(const nlattr* a) {
  return std::string(static_cast<const char*>(nla_data(a)),
                     strnlen(static_cast<const char*>(nla_data(a)), nla_len(a)));
}

// A bridge port's state from IFLA_INFO_SLAVE_DATA; true for a link that is no bridge's port.
bool forwarding_if_port(nlattr* linkinfo) {
  nlattr* info[IFLA_INFO_MAX + 1];
  if (!linkinfo || nla_parse_nested(info, IFLA_INFO_MAX, linkinfo, nullptr) < 0) return true;
  if (!info[IFLA_INFO_SLAVE_KIND] || string_of(info[IFLA_INFO_SLAVE_KIND]) != "bridge") return true;
  nlattr* port[IFLA_BRPORT_MAX + 1];
  if (!info[IFLA_INFO_SLAVE_DATA] ||
      nla_parse_nested(port, IFLA_BRPORT_MAX, info[IFLA_INFO_SLAVE_DATA], nullptr) < 0 ||
      !port[IFLA_BRPORT_STATE])
    return false;
  return nla_get_u8(port[IFLA_BRPORT_STATE]) == BR_STATE_FORWARDING;
}

// Subscribed to the namespace's link events (RTNLGRP_LINK): they only wake the wait, which
// then asks again.
Fd link_events(int ns_fd) {
  ScopedNetns inside(ns_fd);
  Fd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK;
  if (!fd || bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    throw KernelError(std::string("listen for link events: ") + std::strerror(errno), errno);
  return fd;
}

// Blocks until one of the sockets has an event, or the time is up; reads what came. An
// overrun (ENOBUFS) lost events, which is no matter: the caller asks every link again.
void await_events(std::vector<Fd>& sockets, std::chrono::milliseconds left) {
  std::vector<pollfd> fds;
  for (const auto& s : sockets) fds.push_back({s.get(), POLLIN, 0});
  int n = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
  if (n < 0 && errno != EINTR)
    throw KernelError(std::string("wait for link events: ") + std::strerror(errno), errno);
  char buf[16384];
  for (const auto& f : fds)
    if (f.revents)
      while (recv(f.fd, buf, sizeof buf, 0) >= 0 || errno == ENOBUFS) {
      }
}

std::string not_ready_text(const std::map<std::string, std::vector<std::string>>& pending) {
  std::string s;
  for (const auto& [ns, names] : pending)
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + ns + "/" + n;
  return "wait for links to carry traffic: not ready after 30 s: " + s;
}

}  // namespace

bool link_ready(const nlmsghdr& h) {
  if (h.nlmsg_type != RTM_NEWLINK) return false;
  auto* nlh = const_cast<nlmsghdr*>(&h);
  auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(nlh));
  if (ifi->ifi_family != AF_UNSPEC ||
      (ifi->ifi_flags & (IFF_UP | IFF_LOWER_UP)) != static_cast<unsigned>(IFF_UP | IFF_LOWER_UP))
    return false;
  nlattr* tb[IFLA_MAX + 1];
  if (nlmsg_parse(nlh, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 || !tb[IFLA_OPERSTATE] ||
      nla_get_u8(tb[IFLA_OPERSTATE]) != IF_OPER_UP)
    return false;
  return forwarding_if_port(tb[IFLA_LINKINFO]);
}

}  // namespace kernel

bool NetlinkKernel::ask_ready(const std::string& ns, const std::string& name) {
  std::string what = "read link " + name + " in " + ns;
  kernel::NlMsgPtr msg(nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK));
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  if (!msg || nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
      nla_put_string(msg.get(), IFLA_IFNAME, name.c_str()) < 0 ||
      nla_put_u32(msg.get(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
    throw KernelError(what + ": out of memory", ENOMEM);
  bool ready = false;
  state(ns).sock->request(msg.get(), what,
                          [&](const nlmsghdr& h) { ready = kernel::link_ready(h); });
  return ready;
}

void NetlinkKernel::settle(std::map<std::string, std::vector<std::string>>& pending) {
  for (auto it = pending.begin(); it != pending.end();) {
    std::erase_if(it->second, [&](const std::string& name) { return ask_ready(it->first, name); });
    it = it->second.empty() ? pending.erase(it) : std::next(it);
  }
}

// The kernel runs a link's pending link-watch work before it answers an RTM_GETLINK for it
// (rtnl_getlink): asking is what settles most links. What is still not ready waits for the
// kernel's own work (a bridge's carrier after its port's); each link event asks again.
void NetlinkKernel::wait_ready(const std::vector<std::pair<std::string, std::string>>& links) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::seconds(30);
  std::map<std::string, std::vector<std::string>> pending;
  for (const auto& [ns, name] : links) pending[ns].push_back(name);
  settle(pending);
  if (pending.empty()) return;
  // Listening before asking again: no change between an answer and the wait is missed.
  std::vector<kernel::Fd> events;
  for (const auto& [ns, names] : pending) events.push_back(kernel::link_events(ns_fd(ns).get()));
  for (;;) {
    settle(pending);
    if (pending.empty()) return;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) throw KernelError(kernel::not_ready_text(pending), ETIMEDOUT);
    kernel::await_events(events, left);
  }
}

}  // namespace netlab
