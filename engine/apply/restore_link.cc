#include "apply/restore_link.h"

#include "kinds/link_kind.h"

namespace netlab {

namespace {

// The create request's part: what the kernel takes at creation (name, kind, MTU, MAC, group;
// the adapter tags it right after). It is born down and in no bridge; a bridge follows its
// ports' MTU until its own is set again, once they joined.
LinkObj as_created(const LinkObj& l) {
  LinkObj made = l;
  made.up = false;
  made.master.clear();
  if (mtu_follows_ports(made)) made.mtu.reset();
  return made;
}

// A port joins its bridge, if both are there: a bridge this rollback puts back later takes its
// ports back itself, and a port that went for good stays gone.
void join(Kernel& kernel, const std::string& ns, const std::string& port,
          const std::string& bridge) {
  try {
    kernel.change_link(ns, port, {.master = bridge});
  } catch (const KernelError& e) {
    if (!already_gone(e.errno_value)) throw;
  }
}

// Its link-local mode before it comes up (nullopt: it had no IPv6, below MTU 1280), then
// its bridge.
void configure(Kernel& kernel, const LinkObj& l) {
  LinkChange c;
  c.ipv6_link_local = l.ipv6_link_local;
  if (l.up) c.up = true;
  if (!c.empty()) kernel.change_link(l.ns, l.name, c);
  if (!l.master.empty()) join(kernel, l.ns, l.name, l.master);
}

}  // namespace

void restore_link(Kernel& kernel, const step::RestoreLink& x) {
  const step::OldLink& old = *x.old;
  const LinkObj made = as_created(old.link);
  std::optional<LinkObj> peer;
  if (old.peer) peer = as_created(*old.peer);
  kernel.create_link(made, peer ? &*peer : nullptr);
  configure(kernel, old.link);
  if (old.peer) configure(kernel, *old.peer);
  for (const auto& port : old.ports) join(kernel, old.link.ns, port, old.link.name);
  // Set as it was read: a no-op where it follows its ports as it did.
  if (mtu_follows_ports(old.link) && old.link.mtu)
    kernel.change_link(old.link.ns, old.link.name, {.mtu = old.link.mtu});
  for (const auto& a : old.addrs) kernel.add_address(a);
}

}  // namespace netlab
