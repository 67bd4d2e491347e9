// One kind of link the lab makes (veth, bridge, ...), stated in one module: engine/kinds/<kind>.cc.
// The desired-state builder, the planner, the kernel adapter and the fake kernel ask the kind
// what they need to know and never compare kind names; adding a kind means adding a module and
// its line in engine/kinds/registry.cc (docs/architecture.md, "Adding a kind of object").
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/objects.h"

struct rtnl_link;  // libnl's: only the kernel half of a kind sees inside
struct nl_msg;
struct nlattr;  // a raw netlink attribute

namespace netlab {

class LinkSyntax;

// The live links as the planner sees them, for a kind that refers to other links.
class LiveLinks {
 public:
  virtual ~LiveLinks() = default;
  virtual const LinkObj* live_link(const std::string& ns, const std::string& name) const = 0;
  // The link as the file declares it (made before what stands on it), or nullptr.
  virtual const LinkObj* declared(const std::string& ns, const std::string& name) const = 0;
  // The MTU the link has once the plan is done: for one the file declares, its `mtu` or its
  // kind's default (a bridge's ports' smallest); the live one's otherwise. nullopt: not known.
  virtual std::optional<uint32_t> mtu(const std::string& ns, const std::string& name) const {
    const LinkObj* l = live_link(ns, name);
    return l ? l->mtu : std::nullopt;
  }
  // The live links in `ns` that stand on that link and are not the lab's (a macvlan somebody
  // else put on a NIC the lab uses too).
  virtual std::vector<const LinkObj*> others_on(const std::string& /*ns*/,
                                                const std::string& /*name*/) const {
    return {};
  }
};

// New names for what a link's attributes name: namespaces, and links (by the namespace and
// name the file gives them). An instance's kernel names (engine/kernel/instance_kernel.h).
struct Renames {
  std::function<std::string(const std::string& ns)> ns;
  std::function<std::string(const std::string& ns, const std::string& name)> link;
};

// What the kernel adapter offers a kind's create request.
class CreateContext {
 public:
  virtual ~CreateContext() = default;
  // The ifindex of a link in a namespace (the kernel adapter's cache, one dump at most).
  virtual int ifindex(const std::string& ns, const std::string& name) = 0;
};

class LinkKind {
 public:
  virtual ~LinkKind() = default;

  // The kernel's name of the kind (IFLA_INFO_KIND), as the file and `plan` say it.
  virtual std::string_view name() const = 0;
  // Its section of the topology file, for kinds with keys of their own
  // (engine/kinds/link_syntax.h).
  virtual const LinkSyntax* syntax() const { return nullptr; }
  // The kernel option it needs, named when the kernel lacks the kind: "CONFIG_MACVLAN".
  virtual std::string_view kernel_config() const = 0;

  // ---- facts the graph and the planner use ----

  // Made with its peer in one request, each end in its own namespace (a veth).
  virtual bool paired() const { return false; }
  // Other links can be its ports (a bridge).
  virtual bool takes_ports() const { return false; }
  // Its MTU follows its ports' smallest until someone sets it, and the kernel does not say
  // whether someone did (a bridge): the planner sets a declared one after the ports joined.
  virtual bool mtu_follows_ports() const { return false; }
  // It takes its lower link's receive path (the kernel's rx_handler, which a bridge port's
  // bridge holds too): the lower link can be no bridge port while it is there (EBUSY).
  virtual bool holds_lower() const { return false; }
  // The MTU the kernel gives it when nobody sets one, ports aside.
  virtual uint32_t default_mtu() const { return 1500; }
  // The same, where it depends on other links: a link made on another takes that one's, less
  // its own headers (a vxlan). nullopt while that is not known: its MTU is left as it is.
  virtual std::optional<uint32_t> default_mtu_on(const LinkObj&, const LiveLinks&) const {
    return default_mtu();
  }

  // Why the live link cannot become the declared one in place, "" when it can. The core
  // checks what every link has (kind, peer, IPv6 link-local); a kind adds its own attributes.
  virtual std::string remake_reason(const LinkObj& have, const LinkObj& want,
                                    const LiveLinks& live) const;
  // Why the declared link cannot be made at all as things are (a parent that is not there),
  // found at plan time: reported as conflicts, before anything changes.
  virtual std::vector<std::string> problems(const LinkObj& want, const LiveLinks& live) const;
  // The links it stands on (namespace, name): made first, and read.
  virtual std::vector<std::pair<std::string, std::string>> references(const LinkObj&) const {
    return {};
  }
  // Renames what its own attributes name (a macvlan's parent and its namespace); the core
  // renames the link's own namespace, name, master and peer.
  virtual void rename_references(LinkObj& /*l*/, const Renames& /*to*/) const {}
  // How `plan`, `status` and errors name it: "veth v1 (peer eth0 in n1)".
  virtual std::string describe(const LinkObj& l) const;

  // ---- the kernel's rules for it, which the fake kernel copies (each checked with `ip`) ----

  // Its attributes as the kernel reports them back (read()) once the kernel adapter made
  // `made`: the adapter's defaults filled in, in the kernel's spelling.
  virtual std::map<std::string, std::string> kernel_attrs(const LinkObj&) const { return {}; }
  // The largest MTU the kernel lets it have on its lower link (nullopt: no bound of that one).
  virtual std::optional<uint32_t> max_mtu_on(const LinkObj&, const LinkObj& /*lower*/) const {
    return std::nullopt;
  }
  // Whether it carries Ethernet frames: only such a link is a bridge port or a macvlan's
  // parent (EINVAL otherwise).
  virtual bool ethernet(const LinkObj&) const { return true; }
  // Whether a create request for more than that is cut down to it rather than refused (EINVAL).
  virtual bool cuts_mtu_at_create() const { return false; }
  // Whether the kernel brings its MTU down with its lower link's, when that one goes below it.
  virtual bool mtu_follows_lower_down() const { return false; }
  // Whether the kernel refuses to make `made` while `other`, a link of its kind anywhere, is
  // there: the errno, 0 when it does not. Validation refuses such a file first
  // (LinkSyntax::check_all).
  virtual int refused_beside(const LinkObj& /*made*/, const LinkObj& /*other*/) const { return 0; }

  // ---- the kernel half (libnl), used by engine/kernel only ----

  // A libnl link object for the create request, of this kind, owned by the caller.
  virtual rtnl_link* alloc() const;
  // The namespace whose socket sends the create request; the link is born in its own
  // (want.ns). A macvlan is made where its parent is.
  virtual std::string create_in(const LinkObj& want) const { return want.ns; }
  // Its own attributes of the create request (name, MTU, MAC, group are the core's).
  virtual void fill_create(rtnl_link* request, const LinkObj& want, CreateContext& ctx) const;
  // The create request as libnl built it, for an attribute libnl gets wrong or lacks.
  virtual void fill_message(nl_msg* request, const LinkObj& want) const;
  // The other end's half of the create request (paired kinds), a new reference.
  virtual rtnl_link* peer_of(rtnl_link* request) const;
  // Its own attributes, read back from a dumped link.
  virtual void read(rtnl_link* dumped, LinkObj& live) const;
  // libnl keeps IFLA_INFO_DATA only for the kinds it knows: a kind it does not know asks for
  // the raw attribute, given to read_info_data() after read().
  virtual bool reads_info_data() const { return false; }
  virtual void read_info_data(const nlattr* /*info_data*/, LinkObj& /*live*/) const {}

  // A kind the kernel does not make by a create request (a tun/tap: EOPNOTSUPP) makes itself.
  // alloc(), fill_create() and peer_of() are then not asked.
  virtual bool creates_itself() const { return false; }
  // Makes the link with the calling thread inside want.ns (where the kernel puts it). `tag`
  // sets the core's attributes (group, MTU, MAC, master) by a change request: call it before
  // the link can outlive this process, so a run killed in between leaves no link the lab's
  // group cannot prove its own.
  virtual void create(const LinkObj& want, const std::function<void()>& tag) const;
  // A program attached to it holds its namespace (a tun/tap's descriptor does): deleting the
  // namespace would free neither while the program runs, so the link goes on its own first.
  virtual bool held_by_users() const { return false; }
  // Whether this kernel has the kind, for a kind that makes itself (the create request the
  // core probes with is refused either way).
  virtual bool kernel_has() const { return true; }
};

// The kind of that name, or nullptr: not a kind a lab makes (a NIC, a loopback, a foreign one).
const LinkKind* find_link_kind(std::string_view name);
// Every kind a lab can make.
const std::vector<const LinkKind*>& link_kinds();

// Shorthands for the questions the core asks of a link of any kind, known or not: a kind no
// lab makes answers no.
template <bool (LinkKind::*question)() const>
bool kind_says(const LinkObj& l) {
  const LinkKind* k = find_link_kind(l.kind);
  return k && (k->*question)();
}
inline bool paired(const LinkObj& l) {
  return kind_says<&LinkKind::paired>(l);
}
inline bool takes_ports(const LinkObj& l) {
  return kind_says<&LinkKind::takes_ports>(l);
}
inline bool held_by_users(const LinkObj& l) {
  return kind_says<&LinkKind::held_by_users>(l);
}
inline bool mtu_follows_ports(const LinkObj& l) {
  return kind_says<&LinkKind::mtu_follows_ports>(l);
}
// Made on another link (a macvlan on its parent, a vxlan on its underlay): its MTU is bounded
// by that one's, and set once that one's is.
inline bool stands_on_others(const LinkObj& l) {
  const LinkKind* k = find_link_kind(l.kind);
  return k && !k->references(l).empty();
}

}  // namespace netlab
