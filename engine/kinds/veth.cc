// veth: a pair of links made in one request, each end in its own namespace.
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include <stdexcept>

#include "kinds/kinds.h"

namespace netlab {
namespace {

class VethKind final : public LinkKind {
 public:
  std::string_view name() const override { return "veth"; }
  std::string_view kernel_config() const override { return "CONFIG_VETH"; }
  bool paired() const override { return true; }

  std::string describe(const LinkObj& l) const override {
    if (l.peer_name.empty()) return "veth " + l.name;
    return "veth " + l.name + " (peer " + l.peer_name + " in " + l.peer_ns + ")";
  }

  rtnl_link* alloc() const override {
    rtnl_link* l = rtnl_link_veth_alloc();
    if (!l) throw std::bad_alloc();
    return l;
  }
  // One queue each way, stated: left unstated, the kernel gives a veth one per possible CPU,
  // then trims the active ones back to one, which waits out an RCU grace period per end
  // (veth_init_queues). The veth works the same (one active queue either way); only the
  // ceiling `ethtool -L` could raise the queues to is 1 instead of the CPU count.
  void fill_create(rtnl_link* request, const LinkObj&, CreateContext&) const override {
    rtnl_link_set_num_tx_queues(request, 1);
    rtnl_link_set_num_rx_queues(request, 1);
  }
  rtnl_link* peer_of(rtnl_link* request) const override { return rtnl_link_veth_get_peer(request); }
  // IFLA_LINK of a veth is its peer's ifindex, in the peer's namespace.
  void read(rtnl_link* dumped, LinkObj& live) const override {
    live.peer_ifindex = rtnl_link_get_link(dumped);
  }
};

}  // namespace

const LinkKind& veth_kind() {
  static const VethKind kind;
  return kind;
}

}  // namespace netlab
