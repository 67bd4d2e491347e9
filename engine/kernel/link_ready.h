// Whether a link carries traffic (LinkObj::ready), read from its RTM_NEWLINK message, and the
// wait for links that do not yet (NetlinkKernel::wait_ready, in link_ready.cc).
#pragma once

#include <linux/netlink.h>

namespace netlab::kernel {

// Up, carrier on and operstate up (the kernel sets it in the link-watch work that also starts
// the link's queue; until then the link drops what it is given), and, for a bridge port, in
// the forwarding state. False for any other message.
bool link_ready(const nlmsghdr& h);

}  // namespace netlab::kernel
