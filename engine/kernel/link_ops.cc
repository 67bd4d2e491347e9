// Links: create (bridge, veth pair across namespaces), change, delete.
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>

#include <cerrno>
#include <system_error>

#include "kernel/netlink_kernel.h"
#include "kernel/netns.h"
#include "kernel/nl_socket.h"
#include "kinds/link_kind.h"

namespace netlab {

using namespace kernel;

namespace {

// rtnl_link_set_name truncates silently to IFNAMSIZ-1: refuse instead.
void check_name(const std::string& name, const std::string& what) {
  if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == ".." ||
      name.find_first_of("/ \t\n:") != std::string::npos)
    throw KernelError(what + ": \"" + name + "\" is not a valid interface name (at most " +
                          std::to_string(IFNAMSIZ - 1) + " characters, no '/', ':' or spaces)",
                      EINVAL);
}

NlAddrPtr mac_addr(const Mac& mac) {
  return checked<NlAddrPtr>(nl_addr_build(AF_LLC, mac.data(), mac.size()));
}

// Creation attributes common to both ends. Never IFF_UP: the kernel refuses a veth whose peer
// is created up (ENOTCONN); the executor brings links up afterwards.
void set_creation_attrs(rtnl_link* l, const LinkObj& obj) {
  rtnl_link_set_name(l, obj.name.c_str());
  if (obj.mtu) rtnl_link_set_mtu(l, *obj.mtu);
  if (obj.mac) rtnl_link_set_addr(l, mac_addr(*obj.mac).get());  // takes its own reference
  if (obj.group) rtnl_link_set_group(l, obj.group);
}

// A kind's create request asks the adapter for ifindexes (a macvlan's parent).
class Context final : public CreateContext {
 public:
  Context(NetlinkKernel& k, std::string what) : k_(k), what_(std::move(what)) {}
  int ifindex(const std::string& ns, const std::string& name) override {
    return k_.ifindex(ns, name, what_);
  }

 private:
  NetlinkKernel& k_;
  std::string what_;
};

}  // namespace

void NetlinkKernel::create_link(const LinkObj& link, const LinkObj* peer) {
  const LinkKind* kind = find_link_kind(link.kind);
  const bool pair = kind && kind->paired();
  std::string what = "create " + link.kind + " " + link.name + " in " + link.ns;
  if (pair && peer) what += " (peer " + peer->name + " in " + peer->ns + ")";
  if (!kind)
    throw KernelError(what + ": links of kind \"" + link.kind + "\" are not supported", EOPNOTSUPP);
  if (pair && !peer) throw KernelError(what + ": a " + link.kind + " needs its peer", EINVAL);
  check_name(link.name, what);
  if (pair) check_name(peer->name, what);

  if (kind->creates_itself()) {
    create_by_kind(*kind, link, what);
    return;
  }

  // Sent from where the kind makes it (a macvlan: its parent's namespace), born in its own.
  const std::string from = kind->create_in(link);
  Context ctx(*this, what);
  LinkPtr l(kind->alloc());
  set_creation_attrs(l.get(), link);
  kind->fill_create(l.get(), link, ctx);
  if (!link.master.empty()) rtnl_link_set_master(l.get(), ifindex(link.ns, link.master, what));
  Fd own_ns, peer_ns;  // must stay open until the request is sent
  if (from != link.ns) {
    own_ns = ns_fd(link.ns);
    rtnl_link_set_ns_fd(l.get(), own_ns.get());
  }
  auto& st = state(from);
  if (pair) {
    LinkPtr p(kind->peer_of(l.get()));  // a new reference to the peer half
    set_creation_attrs(p.get(), *peer);
    kind->fill_create(p.get(), *peer, ctx);
    // The peer is born in its namespace: by fd, never by pid (a pid names the main thread's
    // namespace, not ours).
    if (peer->ns != link.ns) {
      peer_ns = ns_fd(peer->ns);
      rtnl_link_set_ns_fd(p.get(), peer_ns.get());
    }
  }
  nl_msg* raw = nullptr;
  int err = rtnl_link_build_add_request(l.get(), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, &raw);
  NlMsgPtr msg = built(err, raw, what);
  kind->fill_message(msg.get(), link);

  // The kernel echoes the new link (NLM_F_ECHO): its ifindex, and a veth's IFLA_LINK is the
  // peer's ifindex in the peer's namespace. No lookup needed afterwards.
  int index = 0, peer_index = 0;
  st.sock->request(msg.get(), what, [&](const nlmsghdr& h) {
    if (h.nlmsg_type != RTM_NEWLINK) return;
    auto* nlh = const_cast<nlmsghdr*>(&h);
    nlattr* tb[IFLA_MAX + 1];
    if (nlmsg_parse(nlh, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 || !tb[IFLA_IFNAME]) return;
    if (nla_get_string(tb[IFLA_IFNAME]) != link.name) return;
    index = static_cast<ifinfomsg*>(nlmsg_data(nlh))->ifi_index;
    if (tb[IFLA_LINK]) peer_index = static_cast<int>(nla_get_u32(tb[IFLA_LINK]));
  });
  // What was known of these names is stale now, and only now: a create the kernel refused
  // (EEXIST) leaves the existing link, and what we know of its peer, as they were.
  forget_link(link.ns, link.name);
  if (pair) forget_link(peer->ns, peer->name);
  if (index > 0 && from == link.ns) st.ifindex[link.name] = index;  // else: in another one
  if (!kind->references(link).empty()) note_upper(link.ns, link.name);
  if (pair) {
    st.peer[link.name] = {peer->ns, peer->name};
    auto& pst = slot(peer->ns);  // its socket opens when first needed
    pst.peer[peer->name] = {link.ns, link.name};
    if (peer_index > 0) pst.ifindex[peer->name] = peer_index;
  }
  // Without an echo (kernels before 6.1) the names stay unknown: the next lookup dumps once.

  // The kernel ignores IFLA_IFALIAS when it creates a link: tag each end right after.
  if (!link.alias.empty()) change_link(link.ns, link.name, {.alias = link.alias});
  if (pair && !peer->alias.empty()) change_link(peer->ns, peer->name, {.alias = peer->alias});
}

// The kind makes the link from inside its namespace; the core's attributes follow in a change
// request the kind sends before the link can outlive this process (LinkKind::create).
void NetlinkKernel::create_by_kind(const LinkKind& kind, const LinkObj& link,
                                   const std::string& what) {
  auto& st = state(link.ns);  // its socket opened before the thread goes in
  int master = link.master.empty() ? 0 : ifindex(link.ns, link.master, what);
  auto tag = [&] {
    LinkPtr orig = checked<LinkPtr>(rtnl_link_alloc());
    LinkPtr c = checked<LinkPtr>(rtnl_link_alloc());
    set_creation_attrs(c.get(), link);
    if (master) rtnl_link_set_master(c.get(), master);
    nl_msg* raw = nullptr;
    int err = rtnl_link_build_change_request(orig.get(), c.get(), 0, &raw);
    NlMsgPtr msg = built(err, raw, what);
    st.sock->request(msg.get(), what);
  };
  {
    Fd target = ns_fd(link.ns);
    ScopedNetns inside(target.get());
    try {
      kind.create(link, tag);
    } catch (const std::system_error& e) {  // the kind's own calls: errno in the code
      throw KernelError(what + ": " + e.what(), e.code().value());
    }
  }
  forget_link(link.ns, link.name);
  if (!kind.references(link).empty()) note_upper(link.ns, link.name);
  // The kernel ignores IFLA_IFALIAS when it creates a link: tag it right after.
  if (!link.alias.empty()) change_link(link.ns, link.name, {.alias = link.alias});
}

// The kernel looks the kind up before anything else of a create request, and refuses an
// unknown one with EOPNOTSUPP; a name with '/' it refuses later, always: nothing is made. The
// base kinds are not asked (a veth would make its peer before the name is refused): their
// create says it plainly.
std::vector<std::string> NetlinkKernel::missing_link_kinds(const std::vector<std::string>& kinds) {
  return link_kinds_.missing(kinds, [&](const std::string& name) {
    const LinkKind* kind = find_link_kind(name);
    return kind && kind->syntax() && kernel_lacks(*kind);
  });
}

bool NetlinkKernel::kernel_lacks(const LinkKind& kind) {
  if (kind.creates_itself()) return !kind.kernel_has();
  const std::string what = "ask the kernel for " + std::string(kind.name()) + " links";
  LinkPtr l(kind.alloc());
  rtnl_link_set_name(l.get(), "netlab/probe");
  nl_msg* raw = nullptr;
  int err = rtnl_link_build_add_request(l.get(), NLM_F_CREATE | NLM_F_EXCL, &raw);
  NlMsgPtr msg = built(err, raw, what);
  try {
    state(kHost).sock->request(msg.get(), what);
  } catch (const KernelError& e) {
    return e.errno_value == EOPNOTSUPP;
  }
  return false;
}

void NetlinkKernel::change_link(const std::string& ns, const std::string& name,
                                const LinkChange& change) {
  if (change.empty()) return;
  std::string what = "change link " + name + " in " + ns + " (";
  const char* sep = "";
  auto part = [&](const std::string& s) {
    what += sep + s;
    sep = ", ";
  };
  if (change.up) part(*change.up ? "up" : "down");
  if (change.master) part(change.master->empty() ? "no master" : "master " + *change.master);
  if (change.alias) part("alias \"" + *change.alias + "\"");
  if (change.mtu) part("mtu " + std::to_string(*change.mtu));
  if (change.mac) part("mac " + format_mac(*change.mac));
  if (change.ipv6_link_local) part(*change.ipv6_link_local ? "link-local" : "no link-local");
  what += ")";
  check_name(name, what);
  // The kernel brings a link up, and with its carrier may make its link-local address, before
  // it applies the address generation mode of the same request: the mode goes first. It
  // checks the mode against the link as it is (no IPv6 below MTU 1280, EAFNOSUPPORT), and
  // applies it after the MTU: a new MTU goes before the mode.
  if (change.ipv6_link_local && (change.up || change.mtu)) {
    LinkChange rest = change;
    if (change.mtu) send_link_change(ns, name, {.mtu = change.mtu}, what);
    send_link_change(ns, name, {.ipv6_link_local = change.ipv6_link_local}, what);
    rest.mtu.reset();
    rest.ipv6_link_local.reset();
    if (!rest.empty()) send_link_change(ns, name, rest, what);
    return;
  }
  send_link_change(ns, name, change, what);
}

void NetlinkKernel::send_link_change(const std::string& ns, const std::string& name,
                                     const LinkChange& change, const std::string& what) {
  auto& st = state(ns);
  // The link itself is addressed by name (the kernel resolves it, so no stale index can hit
  // the wrong link); only the master needs an ifindex.
  LinkPtr orig = checked<LinkPtr>(rtnl_link_alloc());
  LinkPtr c = checked<LinkPtr>(rtnl_link_alloc());
  rtnl_link_set_name(c.get(), name.c_str());
  if (change.up) {
    if (*change.up)
      rtnl_link_set_flags(c.get(), IFF_UP);
    else
      rtnl_link_unset_flags(c.get(), IFF_UP);
  }
  if (change.master)
    rtnl_link_set_master(c.get(), change.master->empty() ? 0 : ifindex(ns, *change.master, what));
  if (change.alias) rtnl_link_set_ifalias(c.get(), change.alias->c_str());
  if (change.mtu) rtnl_link_set_mtu(c.get(), *change.mtu);
  if (change.mac) rtnl_link_set_addr(c.get(), mac_addr(*change.mac).get());
  if (change.ipv6_link_local)
    check_build(
        rtnl_link_inet6_set_addr_gen_mode(
            c.get(), *change.ipv6_link_local ? IN6_ADDR_GEN_MODE_EUI64 : IN6_ADDR_GEN_MODE_NONE),
        what);
  nl_msg* raw = nullptr;
  int err = rtnl_link_build_change_request(orig.get(), c.get(), 0, &raw);
  NlMsgPtr msg = built(err, raw, what);
  st.sock->request(msg.get(), what);
}

void NetlinkKernel::delete_group(const std::string& ns, uint32_t group) {
  std::string what = "delete the links of group " + std::to_string(group) + " in " + ns;
  auto& st = state(ns);
  // ifindex 0 and IFLA_GROUP: the kernel deletes every link of the group in one batch.
  NlMsgPtr msg(nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK));
  if (!msg) throw KernelError(what + ": out of memory", ENOMEM);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  check_build(nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO), what);
  check_build(nla_put_u32(msg.get(), IFLA_GROUP, group), what);
  st.sock->request(msg.get(), what);
  dump_links(ns, st);  // names and ifindexes of the namespace changed wholesale
  forget_uppers();
}

void NetlinkKernel::delete_link(const std::string& ns, const std::string& name) {
  std::string what = "delete link " + name + " in " + ns;
  check_name(name, what);
  auto& st = state(ns);
  LinkPtr l = checked<LinkPtr>(rtnl_link_alloc());
  rtnl_link_set_name(l.get(), name.c_str());
  nl_msg* raw = nullptr;
  int err = rtnl_link_build_delete_request(l.get(), &raw);
  NlMsgPtr msg = built(err, raw, what);
  st.sock->request(msg.get(), what);
  forget_link(ns, name);
  forget_uppers();
}

void NetlinkKernel::note_upper(const std::string& ns, const std::string& name) {
  slot(ns).uppers.insert(name);
  std::lock_guard lock(ns_mutex_);
  upper_ns_.insert(ns);
}

void NetlinkKernel::forget_uppers() {
  std::set<std::string> holders;
  {
    std::lock_guard lock(ns_mutex_);
    holders = upper_ns_;
  }
  for (const auto& ns : holders)
    if (NsState* st = find_slot(ns))
      for (const auto& name : st->uppers) st->ifindex.erase(name);
}

}  // namespace netlab
