// The operations the executor needs from the kernel. The real implementation talks netlink
// (libnl-route-3), sysctl files and libiptc (kernel/); tests substitute a recording fake.
#pragma once

#include <cerrno>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "state/link_change.h"
#include "state/objects.h"

namespace netlab {

// A kernel call failed: what was being done, to which object, and the kernel's reason.
class KernelError : public std::runtime_error {
 public:
  KernelError(const std::string& what, int err) : std::runtime_error(what), errno_value(err) {}
  int errno_value;  // positive errno, 0 if unknown
};

// The kernel's answers that say an object is not there: what a delete wanted is so already.
inline bool already_gone(int err) {
  return err == ENODEV || err == ENOENT || err == ESRCH || err == EADDRNOTAVAIL;
}

class Kernel {
 public:
  virtual ~Kernel() = default;

  // Reads the live state: one dump per object type per namespace.
  virtual LiveState read(const ReadRequest& request) = 0;

  // A named namespace bound at /run/netns/NAME, the way `ip netns add` makes it. Called on a
  // helper thread (NamespaceMaker) while other calls go on for other namespaces: no call names
  // a namespace before its creation has returned. Returns the new namespace's identity
  // (NsLive::cookie), which the lab records as the proof that the namespace is its own.
  virtual uint64_t create_namespace(const std::string& name) = 0;
  // Unbinds and removes /run/netns/NAME. The kernel frees it once nothing holds it.
  virtual void delete_namespace(const std::string& name) = 0;

  // Creates a bridge, or a veth pair (link = this end, with peer_ns/peer_name; peer holds the
  // other end's creation attributes). Created down; mtu and mac are set at creation.
  virtual void create_link(const LinkObj& link, const LinkObj* peer) = 0;
  virtual void change_link(const std::string& ns, const std::string& name,
                           const LinkChange& change) = 0;
  virtual void delete_link(const std::string& ns, const std::string& name) = 0;
  // Deletes every link of `group` in the namespace with one request, in one batch.
  virtual void delete_group(const std::string& ns, uint32_t group) = 0;

  // IPv6 addresses are added with IFA_F_NODAD: usable at once.
  virtual void add_address(const AddrObj& addr) = 0;
  virtual void delete_address(const AddrObj& addr) = 0;

  // `replace`: create it, or replace the route of the same key (NLM_F_REPLACE).
  virtual void add_route(const RouteObj& route, bool replace) = 0;
  virtual void delete_route(const RouteObj& route) = 0;

  // Returns the previous value.
  virtual std::string set_sysctl(const std::string& ns, const std::string& key,
                                 const std::string& value) = 0;

  // NAT rules are tagged with their comment (NatRule::comment) and appended to their chain.
  virtual void add_nat(const NatRule& rule) = 0;
  virtual void delete_nat(const NatRule& rule) = 0;

  // A qdisc at its parent on its link (QdiscObj::handle, ::parent). Created, the kernel
  // refuses it (EEXIST) where another than its default is in that place; `replace` changes
  // the one of that handle in place (ENOENT where there is none; EINVAL of another kind).
  virtual void add_qdisc(const QdiscObj& qdisc, bool replace) = 0;
  // Deletes the qdisc of that handle at that place, and those under it. ENOENT where the place
  // holds another (the kernel says EINVAL, "invalid handle", which the adapter reports so).
  virtual void delete_qdisc(const QdiscObj& qdisc) = 0;

  // Blocks until none of these (namespace, link) is left: a deleted namespace takes its veths'
  // other ends with it, but asynchronously. Throws KernelError after a timeout.
  virtual void wait_gone(const std::vector<std::pair<std::string, std::string>>& links) = 0;

  // Blocks until each of these (namespace, link) carries traffic (LinkObj::ready): the kernel
  // starts a link whose carrier came up, and puts a bridge port into forwarding, after the
  // request that brought it up has returned. Only for links that will get there (up, a veth
  // whose peer is up, a bridge with such a port): throws KernelError after a timeout.
  virtual void wait_ready(const std::vector<std::pair<std::string, std::string>>& links) = 0;
};

}  // namespace netlab
