// Addresses: one RTM_NEWADDR / RTM_DELADDR each.
#include <linux/if_addr.h>
#include <netlink/route/addr.h>

#include "kernel/netlink_kernel.h"
#include "kernel/nl_socket.h"

namespace netlab {

using namespace kernel;

namespace {

AddrPtr addr_template(const AddrObj& a, int ifindex, const std::string& what) {
  AddrPtr addr = checked<AddrPtr>(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  int err = rtnl_addr_set_local(addr.get(), make_nl_addr(a.cidr.addr, a.cidr.prefix).get());
  if (err < 0) throw KernelError(what + ": " + nl_geterror(err), 0);
  rtnl_addr_set_prefixlen(addr.get(), a.cidr.prefix);
  return addr;
}

}  // namespace

void NetlinkKernel::add_address(const AddrObj& a) {
  std::string what = "add address " + a.cidr.str() + " to " + a.dev + " in " + a.ns;
  auto& st = state(a.ns);
  AddrPtr addr = addr_template(a, ifindex(a.ns, a.dev, what), what);
  // Usable at once: no duplicate address detection (docs/architecture.md, Kernel pitfalls: and the
  // link is up first).
  if (a.cidr.addr.is_v6()) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  nl_msg* raw = nullptr;
  int err = rtnl_addr_build_add_request(addr.get(), NLM_F_CREATE | NLM_F_EXCL, &raw);
  st.sock->request(built(err, raw, what).get(), what);
}

void NetlinkKernel::delete_address(const AddrObj& a) {
  std::string what = "delete address " + a.cidr.str() + " from " + a.dev + " in " + a.ns;
  auto& st = state(a.ns);
  AddrPtr addr = addr_template(a, ifindex(a.ns, a.dev, what), what);
  nl_msg* raw = nullptr;
  int err = rtnl_addr_build_delete_request(addr.get(), 0, &raw);
  st.sock->request(built(err, raw, what).get(), what);
}

}  // namespace netlab
