#include "plan/planner.h"

#include "kinds/link_kind.h"
#include "model/instance.h"
#include "model/sysctl_key.h"
#include "plan/qdisc_plan.h"

#include "state/sysctl_value.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace netlab {

namespace {

using Kind = OwnedEntry::Kind;
using NsName = std::pair<std::string, std::string>;

OwnedEntry ns_entry(const std::string& name) {
  return {Kind::Namespace, kHost, name};
}
OwnedEntry link_entry(const LinkObj& l, bool with_peer) {
  OwnedEntry e{Kind::Link, l.ns, l.name};
  if (with_peer) {
    e.peer_ns = l.peer_ns;
    e.peer_name = l.peer_name;
  }
  return e;
}
OwnedEntry route_entry(const RouteObj& r) {
  OwnedEntry e{Kind::Route, r.ns};
  e.route = r;
  return e;
}
OwnedEntry sysctl_entry(const std::string& ns, const std::string& key, const std::string& old) {
  OwnedEntry e{Kind::Sysctl, ns, key};
  e.old_value = old;
  return e;
}
OwnedEntry nat_entry(const std::string& ns) {
  return {Kind::Nat, ns};
}
OwnedEntry qdisc_entry(const std::string& ns) {
  return {Kind::Qdisc, ns};
}

// Sysctl files print several values separated by tabs; compare them by their words.
std::string words(const std::string& s) {
  std::istringstream in(s);
  std::string w, out;
  while (in >> w) out += (out.empty() ? "" : " ") + w;
  return out;
}

bool is_link_local_v6(const Cidr& c) {
  return c.addr.is_v6() && c.addr.bytes[0] == 0xfe && (c.addr.bytes[1] & 0xc0) == 0x80;
}

// What the kernel makes or a protocol keeps on a link, never drift: its IPv6 link-local
// address, and addresses with a lifetime (SLAAC, DHCP, privacy addresses).
bool kernel_made(const AddrObj& a) {
  return is_link_local_v6(a.cidr) || !a.permanent;
}

std::string describe_via(const RouteObj& r) {
  return r.via ? "via " + r.via->str() : "dev " + (r.dev.empty() ? std::string("?") : r.dev);
}

class Planner : private LiveLinks {
 public:
  Planner(const DesiredState* desired, const LiveState& live, const Record& record, std::string lab,
          const HeldSettings& held, PlanOptions options = {})
      : d_(desired),
        live_(live),
        rec_(record),
        held_(held),
        lab_(std::move(lab)),
        tag_(lab_tag(lab_)),
        shared_host_(!(d_ ? d_->isolated : rec_.private_host)),
        options_(options) {
    plan_.lab = lab_;
    plan_.keep_going = !d_;
    for (const auto& [ns, n] : live_.ns)
      for (const auto& l : n.links) live_links_.try_emplace({ns, l.name}, &l);
    for (const auto& [key, e] : rec_.links)
      if (!e.peer_name.empty()) recorded_peer_of_[{e.peer_ns, e.peer_name}] = key;
    for (const auto& [ns, n] : live_.ns)
      for (const auto& q : n.qdiscs) {
        if (q.ours()) {  // the root first: a child's parent is the root's handle
          auto& mine = live_qdiscs_[{ns, q.dev}];
          mine.insert(q.root() ? mine.begin() : mine.end(), &q);
        } else if (q.root() && q.handle != 0) {
          foreign_qdisc_[{ns, q.dev}] = &q;
        }
      }
    if (d_) {
      wanted_addrs_.insert(d_->addrs.begin(), d_->addrs.end());
      for (const auto& r : d_->routes) wanted_route_keys_.insert({r.ns, r.dst, r.metric});
      wanted_ns_.insert(d_->namespaces.begin(), d_->namespaces.end());
      for (const auto& l : d_->links) wanted_links_.insert({l.ns, l.name});
    }
  }

  Plan run() {
    if (d_) check_conflicts();
    if (!plan_.conflicts.empty() && !options_.past_conflicts) return std::move(plan_);
    pretend_ = options_.past_conflicts;
    // About an action a vertex: one allocation up front, not a move of every action as it grows.
    if (d_) plan_.actions.reserve(d_->vertices.size() + 16);
    // What must go before anything new can take its place; then the file, vertex by vertex in
    // dependency order; then what the lab no longer declares. A run that fails before the end
    // has deleted nothing that it cannot put back, but what is in the way of the new
    // (delete_first).
    if (d_) find_going_links();
    if (d_) delete_ports_holding_bridges_down();
    delete_addresses();
    if (d_)
      for (size_t v : d_->graph.order()) plan_vertex(d_->vertices[v]);
    delete_routes();
    delete_nat();
    delete_qdiscs();
    restore_sysctls();
    delete_namespaces_and_links();
    if (d_) keep_bridge_mtus();
    for (auto& a : late_routes_) add(std::move(a));
    if (d_) keep_flushed_routes();
    return std::move(plan_);
  }

 private:
  // LiveLinks, for the kinds: what is there, and what the file declares.
  const LinkObj* live_link(const std::string& ns, const std::string& name) const override {
    auto it = live_links_.find({ns, name});
    return it == live_links_.end() || !ns_live(ns) ? nullptr : it->second;
  }
  const LinkObj* declared(const std::string& ns, const std::string& name) const override {
    return d_ ? desired_link(ns, name) : nullptr;
  }
  std::optional<uint32_t> mtu(const std::string& ns, const std::string& name) const override {
    const LinkObj* want = declared(ns, name);
    if (!want) return LiveLinks::mtu(ns, name);
    // Links standing on each other in a loop (a vxlan on the bridge it is a port of): the
    // kernel's MTU then depends on the order things happened in; left as it is.
    if (!asking_mtu_.insert({ns, name}).second) return std::nullopt;
    auto m = mtu_of(*want);
    asking_mtu_.erase({ns, name});
    return m;
  }
  std::vector<const LinkObj*> others_on(const std::string& ns,
                                        const std::string& name) const override {
    std::vector<const LinkObj*> out;
    const LinkObj* lower = live_link(ns, name);
    if (!lower) return out;
    for (const auto& l : ns_live(ns)->links)
      if (l.lower_ifindex == lower->ifindex && !owns_link(l)) out.push_back(&l);
    return out;
  }
  const NsLive* ns_live(const std::string& ns) const {
    const NsLive* n = live_.find(ns);
    return n && n->exists ? n : nullptr;
  }
  const LinkObj* desired_link(const std::string& ns, const std::string& name) const {
    int i = d_->find_link(ns, name);
    return i < 0 ? nullptr : &d_->links[i];
  }

  // ---- ownership: proved by the live object, never by a name in the record alone ----

  // A link proves it is the lab's by its tag. Between its creation and its tagging (a run
  // killed in between) the record must name it, and it must be in the lab's link group, which
  // the kernel sets at creation on the end a request makes; the other end of such a veth (the
  // kernel leaves its group alone) proves it by being that end's peer.
  bool owns_link(const LinkObj& live) const {
    if (pretend_ && wanted_links_.count({live.ns, live.name})) return true;
    if (live.alias == tag_) return true;
    if (!rec_.owns_link(live.ns, live.name)) return false;
    if (live.group == lab_group(lab_)) return true;
    auto made_with = recorded_peer_of_.find({live.ns, live.name});
    if (!paired(live) || made_with == recorded_peer_of_.end()) return false;
    const LinkObj* first = live_link(made_with->second.first, made_with->second.second);
    return first && (first->alias == tag_ || first->group == lab_group(lab_)) &&
           first->peer_ifindex == live.ifindex && live.peer_ifindex == first->ifindex;
  }
  // A namespace proves it by the identity recorded when the lab made it. One recorded without
  // (a run killed between making it and journalling it) must still be as it was made: empty.
  bool owns_ns(const std::string& ns) const {
    if (pretend_ && wanted_ns_.count(ns)) return true;
    if (!rec_.namespaces.count(ns)) return false;
    const NsLive* n = ns_live(ns);
    if (!n || n->half_made) return true;
    auto it = rec_.ns_cookies.find(ns);
    if (it != rec_.ns_cookies.end()) return it->second == n->cookie;
    return pristine(*n);
  }
  // As a namespace is made: its loopback (with the addresses the kernel gives it), nothing else.
  static bool pristine(const NsLive& n) {
    return n.routes.empty() &&
           std::all_of(n.links.begin(), n.links.end(),
                       [](const LinkObj& l) { return l.kind == "loopback"; }) &&
           std::all_of(n.addrs.begin(), n.addrs.end(),
                       [](const AddrObj& a) { return a.dev == "lo"; });
  }
  // Routes in the host: recorded by this lab, and still carrying netlab's protocol.
  // Protocol 151 is every lab's: the live route must also be the one the record says, gateway
  // and device, or it is another lab's that took the place of one that went.
  bool owns_host_route(const RouteObj& live) const {
    if (pretend_ && wanted_route_key(live)) return true;
    const RouteObj* recorded = rec_.route(live);
    return live.protocol == kRouteProtocol && recorded && recorded->matches(live);
  }

  bool fresh_ns(const std::string& ns) const { return fresh_ns_.count(ns) != 0; }
  bool fresh_link(const std::string& ns, const std::string& name) const {
    return fresh_links_.count({ns, name}) != 0;
  }

  void add(Action a) { plan_.actions.push_back(std::move(a)); }

  // ---- conflicts: anything the lab would need to touch but does not own ----
  void check_conflicts() {
    for (const auto& ns : d_->namespaces)
      if (ns_live(ns) && !owns_ns(ns))
        conflict("ns:" + ns, "namespace " + ns,
                 rec_.namespaces.count(ns)
                     ? "is not the one lab " + lab_ +
                           " made: it was deleted and made again by somebody else; remove it or "
                           "rename the namespace in the file"
                     : "exists and was not made by lab " + lab_ +
                           "; rename the namespace in the file or remove it");
    for (const auto& l : d_->links) {
      const LinkObj* have = live_link(l.ns, l.name);
      if (have && !owns_link(*have) && (l.ns == kHost || owns_ns(l.ns)))
        conflict(link_vertex(l.ns, l.name), "link " + l.name + " in " + l.ns,
                 "exists and was not made by lab " + lab_ +
                     (have->alias.empty() ? std::string(" (it has no netlab tag)")
                                          : " (its alias is \"" + have->alias + "\")") +
                     "; rename the interface in the file");
    }
    check_link_kinds();
    check_impairs();
    check_held_sysctls();
    check_copies_share_host();
    check_ipv6_room();
    const NsLive* host = ns_live(kHost);
    for (const auto& r : d_->routes) {
      if (r.ns != kHost || !host) continue;
      for (const auto& have : host->routes)
        if (have.same_key(r) && !owns_host_route(have))
          conflict(route_vertex(r), describe_route(have) + " in host",
                   (r.matches(have) ? "is the same route, "
                                    : "is in the way of " + describe_route(r) + ", ") +
                       (have.protocol == kRouteProtocol
                            ? "added by another netlab lab (see `netlab list`), not by lab " + lab_
                            : "not added by lab " + lab_) +
                       "; change its metric in the file to add another");
    }
  }
  // Copies of a lab on the machine's own network share its routing: the same host address on
  // each copy's bridge would leave all but one unreachable, whichever the kernel picks.
  void check_copies_share_host() {
    auto key = parse_lab_key(lab_);
    if (!key || key->instance.empty() || !shared_host_) return;
    for (const auto& a : d_->addrs)
      if (a.ns == kHost)
        conflict("addr:" + a.ns + "/" + a.dev + "/" + a.cidr.str(),
                 "address " + a.cidr.str() + " on " + a.dev + " in host",
                 "instance " + key->instance + " is a copy of lab " + key->lab +
                     " on this machine's network, and every " +
                     "copy would put this address on the host; give the host no address in " +
                     "the file (a copy holds addresses in its own namespaces only), or make " +
                     "the lab isolated (`host: {isolated: true}` or `netlab up --isolated`)");
  }

  // Below MTU 1280 a link has no IPv6, and the kernel refuses it an IPv6 address. Validation
  // checks the file's own MTUs; a link whose MTU follows another's (a vxlan's underlay less its
  // headers) is known only here.
  void check_ipv6_room() {
    for (const auto& a : d_->addrs) {
      const LinkObj* link = a.cidr.addr.is_v6() ? desired_link(a.ns, a.dev) : nullptr;
      auto m = link ? mtu_of(*link) : std::nullopt;
      if (!m || has_ipv6(m)) continue;
      conflict("addr:" + a.ns + "/" + a.dev + "/" + a.cidr.str(),
               "address " + a.cidr.str() + " on " + a.dev + " in " + a.ns,
               "IPv6 needs an mtu of at least 1280, and " + a.dev + " will have " +
                   std::to_string(*m) + " (" + describe_link(*link) +
                   "); give the link it stands on a larger mtu, or keep IPv6 off it");
    }
  }

  // What a kind finds at plan time: a kernel without the kind, a parent that is not there.
  void check_link_kinds() {
    const auto& missing = live_.missing_link_kinds;
    for (const auto& l : d_->links) {
      const LinkKind* kind = find_link_kind(l.kind);
      std::string object = describe_link(l) + " in " + l.ns;
      if (std::find(missing.begin(), missing.end(), l.kind) != missing.end()) {
        conflict(link_vertex(l.ns, l.name), object,
                 "this kernel has no " + l.kind + " links (" + std::string(kind->kernel_config()) +
                     "); use another kind, or a kernel with it");
        continue;
      }
      for (auto& why : kind->problems(l, *this))
        conflict(link_vertex(l.ns, l.name), object, std::move(why));
    }
  }
  // A kernel without netem or tbf, for the keys that need it; a qdisc somebody else put on the
  // link.
  void check_impairs() {
    const auto& missing = live_.missing_qdisc_kinds;
    const bool no_netem = std::find(missing.begin(), missing.end(), "netem") != missing.end();
    const bool no_tbf = std::find(missing.begin(), missing.end(), "tbf") != missing.end();
    for (const auto& m : d_->impairs) {
      std::string vertex = impair_vertex(m.ns, m.dev);
      std::string object = "impairment on " + m.dev + " in " + m.ns;
      if (no_netem && m.needs_netem())
        conflict(vertex, object,
                 "this kernel has no netem, which " + netem_keys(m.value) +
                     " need(s): sch_netem (CONFIG_NET_SCH_NETEM); load the module, use a kernel "
                     "with it, or keep to `rate`");
      if (no_tbf && m.value.rate)
        conflict(vertex, object,
                 "this kernel has no tbf, which rate needs: sch_tbf (CONFIG_NET_SCH_TBF); load "
                 "the module, use a kernel with it, or drop `rate`");
      auto foreign = foreign_qdisc_.find({m.ns, m.dev});
      const LinkObj* link = live_link(m.ns, m.dev);
      if (foreign != foreign_qdisc_.end() && link && owns_link(*link))
        conflict(vertex, object,
                 "the link has a " + foreign->second->kind + " qdisc (handle " +
                     handle_text(foreign->second->handle) + ") that lab " + lab_ +
                     " did not put there; remove it (tc qdisc del dev " + m.dev +
                     " root) or drop `impair` from the file");
    }
  }
  static std::string handle_text(uint32_t handle) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x:", handle >> 16);
    return buf;
  }

  void conflict(std::string vertex, std::string object, std::string reason) {
    plan_.conflicts.push_back({std::move(object), std::move(reason), std::move(vertex)});
  }

  // A host setting is shared: another lab holding it at another value would be overridden.
  void check_held_sysctls() {
    for (const auto& s : d_->sysctls) {
      if (s.ns != kHost) continue;
      auto h = held_.find({s.ns, s.key});
      if (h == held_.end()) continue;
      if (auto why = held_elsewhere(h->second, lab_, s.key, s.value); !why.empty())
        conflict("sysctl:" + s.ns + "/" + s.key, "sysctl " + s.key + " in " + s.ns,
                 why + "; lab " + lab_ + " needs " + s.value);
    }
  }

  // ---- addresses: the primary of each subnet first, what is not declared goes ----

  // Before the vertices: an address that goes may be in the way of one that comes (the
  // primary of its subnet), and the kernel takes a primary's secondaries with it.
  void delete_addresses() {
    if (!d_) return;                                          // addresses go with their links
    std::map<NsName, std::vector<const AddrObj*>> wanted_v4;  // per link, in the file's order
    for (const auto& a : d_->addrs)
      if (!a.cidr.addr.is_v6()) wanted_v4[{a.ns, a.dev}].push_back(&a);
    // One pass over each namespace's addresses (the host of a star lab has thousands of
    // link-local ones), each looked up by key.
    for (const auto& [ns, n] : live_.ns) {
      if (!n.exists) continue;
      std::map<std::string, std::vector<const AddrObj*>> live_v4;  // per link, as listed
      for (const auto& a : n.addrs)
        if (!a.cidr.addr.is_v6() && ours_to_compare(a) && !kernel_made(a))
          live_v4[a.dev].push_back(&a);
      std::set<std::string> reorder;
      for (const auto& [dev, have] : live_v4)
        if (!v4_order_follows(have, wanted_v4[{ns, dev}])) reorder.insert(dev);
      // Secondaries before their primary: the kernel would take them along.
      std::map<std::string, int> v4_kept;  // per link: its IPv4 addresses that stay
      for (const auto& a : n.addrs)
        if (!a.cidr.addr.is_v6()) ++v4_kept[a.dev];
      for (bool primaries : {false, true})
        for (const auto& a : n.addrs) {
          if (!ours_to_compare(a) || kernel_made(a) || a.secondary == primaries) continue;
          bool wanted = wanted_addrs_.count(a) != 0;
          bool reordered = !a.cidr.addr.is_v6() && reorder.count(a.dev);
          if (wanted && !reordered) continue;
          if (reordered) readd_.insert(a);
          Action x{Op::Delete, ns, "address " + a.cidr.str() + " on " + a.dev,
                   wanted ? "re-added in the file's order" : "not declared",
                   step::DeleteAddress{a}};
          x.undo = step::AddAddress{a};
          add(std::move(x));
          // A link left without IPv4 address loses its IPv4 routes.
          if (!a.cidr.addr.is_v6() && --v4_kept[a.dev] == 0) flushed_[{ns, a.dev}] |= kV4;
        }
      for (const auto& dev : reorder)  // all of them come back, in order
        for (const AddrObj* w : wanted_v4[{ns, dev}]) readd_.insert(*w);
    }
  }

  // The IPv4 addresses of a link are listed as the kernel keeps them: each subnet's first
  // address is its primary (the source the kernel picks), primaries in the order they came,
  // secondaries after. Whether adding what is missing (and deleting what is not declared) to
  // `have` ends as a fresh link given the file's `want` would, or all must be added again.
  static bool v4_order_follows(const std::vector<const AddrObj*>& have,
                               const std::vector<const AddrObj*>& want) {
    auto subnet = [](const AddrObj& a) { return a.cidr.network(); };
    auto kernel_order = [&](std::vector<AddrObj> list, const AddrObj& add) {
      bool primary = std::none_of(list.begin(), list.end(),
                                  [&](const AddrObj& x) { return subnet(x) == subnet(add); });
      auto at = list.end();
      if (primary)  // after the last primary
        for (size_t i = 0; i < list.size(); ++i)
          if (!list[i].secondary) at = list.begin() + static_cast<std::ptrdiff_t>(i) + 1;
      AddrObj made = add;
      made.secondary = !primary;
      list.insert(at, made);
      return list;
    };
    std::vector<AddrObj> fresh, kept;
    for (const AddrObj* w : want) fresh = kernel_order(std::move(fresh), *w);
    std::set<AddrObj> wanted;
    for (const AddrObj* w : want) wanted.insert(*w);
    for (const AddrObj* h : have) {
      if (wanted.count(*h)) {
        kept.push_back(*h);
      } else if (!h->secondary && std::any_of(have.begin(), have.end(), [&](const AddrObj* x) {
                   return x->secondary && subnet(*x) == subnet(*h) && wanted.count(*x);
                 })) {
        return false;  // a primary that goes takes wanted secondaries with it
      }
    }
    for (const AddrObj* w : want)
      if (!std::count(kept.begin(), kept.end(), *w)) kept = kernel_order(std::move(kept), *w);
    if (kept.size() != fresh.size()) return false;
    for (size_t i = 0; i < kept.size(); ++i)
      if (!(kept[i] == fresh[i]) || kept[i].secondary != fresh[i].secondary) return false;
    return true;
  }

  // Addresses on a link the lab owns and declares with the same kind.
  bool ours_to_compare(const AddrObj& a) const {
    int want = d_->find_link(a.ns, a.dev);
    const LinkObj* have = live_link(a.ns, a.dev);
    return want >= 0 && have && owns_link(*have) && have->kind == d_->links[want].kind;
  }

  void plan_address(const AddrObj& want) {
    const bool again = down_v6_.count(want) != 0;
    if (!fresh_link(want.ns, want.dev) && !readd_.count(want) && !again) {
      const NsLive* n = ns_live(want.ns);
      if (n && std::find(n->addrs.begin(), n->addrs.end(), want) != n->addrs.end()) return;
    }
    std::string why = readd_.count(want) ? "in the file's order"
                      : again            ? "re-added: its link goes down"
                                         : "missing";
    Action a{Op::Create, want.ns, "address " + want.cidr.str() + " on " + want.dev, why,
             step::AddAddress{want}};
    if (!fresh_link(want.ns, want.dev)) a.undo = step::DeleteAddress{want};
    add(std::move(a));
  }

  // ---- routes: one per key; a changed gateway or device is replaced in one request ----

  // Whether the kernel flushes the routes of a family through a link in this plan: the link is
  // remade or goes down (every route), or loses its last IPv4 address (IPv4 routes).
  bool flushed(const std::string& ns, const std::string& dev, bool v6) const {
    auto it = flushed_.find({ns, dev});
    return it != flushed_.end() && (it->second & (v6 ? kV6 : kV4));
  }
  void flush(const std::string& ns, const std::string& dev) { flushed_[{ns, dev}] = kV4 | kV6; }

  // A live route the kernel flushes in this plan (it goes by its device) is added again.
  bool disturbed(const RouteObj& want, const RouteObj& have) const {
    return flushed(have.ns, have.dev, have.dst.addr.is_v6()) ||
           (!want.dev.empty() && flushed(want.ns, want.dev, want.dst.addr.is_v6()));
  }

  const RouteObj* live_route(const RouteObj& want) const {
    const NsLive* n = ns_live(want.ns);
    if (!n) return nullptr;
    for (const auto& have : n->routes)
      if (have.same_key(want)) return &have;
    return nullptr;
  }

  void plan_route(const RouteObj& want) {
    const RouteObj* have = fresh_ns(want.ns) ? nullptr : live_route(want);
    bool again = have && disturbed(want, *have);
    bool late = through_a_going_link(want, have);
    if (have && want.matches(*have) && have->protocol == kRouteProtocol && !again && !late) {
      if (want.ns != kHost || rec_.route(want)) return;
    }
    std::string why = !have                  ? "missing"
                      : !want.matches(*have) ? describe_via(*have) + " -> " + describe_via(want)
                      : have->protocol != kRouteProtocol ? "made by hand; taken over"
                      : again                            ? "re-added: its link or address changes"
                      : late                             ? "re-added: its link goes"
                                                         : "recorded";
    Action a{have ? Op::Change : Op::Create, want.ns, describe_route(want), why,
             step::AddRoute{want, have != nullptr}};
    if (want.ns == kHost) {
      a.own.push_back(route_entry(want));
      if (const RouteObj* old = rec_.route(want)) a.reown.push_back(route_entry(*old));
    }
    if (have)
      a.undo = step::AddRoute{*have, true};
    else if (!fresh_ns(want.ns))
      a.undo = step::DeleteRoute{want};
    // Added now, the kernel could put it through a link that goes at the end of the plan,
    // taking the route with it: it is added once that link is gone.
    (late ? late_routes_ : plan_.actions).push_back(std::move(a));
  }

  // Whether a route goes, or could go, through a link this plan deletes: it does now, or its
  // gateway is on a subnet of such a link.
  bool through_a_going_link(const RouteObj& want, const RouteObj* have) const {
    if (going_.empty()) return false;
    if (have && going_.count({have->ns, have->dev})) return true;
    const NsLive* n = want.via ? ns_live(want.ns) : nullptr;
    return n && std::any_of(n->addrs.begin(), n->addrs.end(), [&](const AddrObj& a) {
             return going_.count({a.ns, a.dev}) && a.cidr.contains(*want.via);
           });
  }

  // The links the plan deletes as no longer declared, and their veths' other ends.
  void find_going_links() {
    for (const auto& [ns, n] : live_.ns) {
      if (!n.exists || (ns != kHost && !owns_ns(ns))) continue;
      for (const auto& l : n.links)
        if (!wanted_links_.count({ns, l.name}) && owns_link(l)) going_.insert({ns, l.name});
    }
    for (const auto& [key, e] : rec_.links)
      if (going_.count(key) && !e.peer_name.empty()) going_.insert({e.peer_ns, e.peer_name});
  }

  // A bridge that loses a port follows the ports left, unless its MTU was changed by a
  // request since it was made, which the kernel does not say: a declared one is set again
  // once its ports are gone (a no-op where it did not move).
  void keep_bridge_mtus() {
    for (const auto& br : d_->links) {
      if (!mtu_follows_ports(br) || !br.mtu || fresh_link(br.ns, br.name)) continue;
      const NsLive* n = ns_live(br.ns);
      if (!n || !std::any_of(n->links.begin(), n->links.end(), [&](const LinkObj& l) {
            return l.master == br.name && going_.count({br.ns, l.name});
          }))
        continue;
      Action a{Op::Change, br.ns, "mtu of " + br.name, "its ports change",
               step::ChangeLink{br.ns, br.name, {.mtu = br.mtu}}};
      a.detail = true;
      add(std::move(a));
    }
  }

  // The lab's routes the kernel flushes with a link in this plan: a rollback puts them back.
  void keep_flushed_routes() {
    if (flushed_.empty()) return;
    for (const auto& [ns, n] : live_.ns) {
      if (!n.exists || (ns != kHost && !owns_ns(ns))) continue;
      for (const auto& r : n.routes)
        if ((goes_with_its_link(r) || restoring_.count({ns, r.dev})) &&
            (ns == kHost ? owns_host_route(r) : handmade_route(r)))
          plan_.flushed_routes.push_back(r);
    }
  }

  bool goes_with_its_link(const RouteObj& live) const {
    return flushed(live.ns, live.dev, live.dst.addr.is_v6());
  }

  bool wanted_route_key(const RouteObj& r) const {
    return wanted_route_keys_.count({r.ns, r.dst, r.metric}) != 0;
  }

  // After the vertices: routes no longer declared (a declared key is replaced in place).
  void delete_routes() {
    // In the host: only those the record says the lab added.
    for (const auto& r : rec_.routes) {
      if (wanted_route_key(r)) continue;
      const RouteObj* have = live_route(r);
      // Gone already, going with its link (a delete of what is gone would take another route
      // of its destination: the kernel matches any metric), or somebody else's since.
      if (!have || goes_with_its_link(*have) || !owns_host_route(*have)) {
        plan_.forget.push_back(route_entry(r));
        continue;
      }
      Action a{Op::Delete, r.ns, describe_route(r), d_ ? "no longer declared" : "lab down",
               step::DeleteRoute{*have}};
      a.disown.push_back(route_entry(r));
      a.undo = step::AddRoute{*have, false};
      add(std::move(a));
    }
    // In the lab's own namespaces (an `up` only: they go with the lab), every route the file
    // decides and does not declare: netlab's, and those made by hand.
    if (!d_) return;
    for (const auto& ns : d_->namespaces) {
      const NsLive* n = ns_live(ns);
      if (!n || !owns_ns(ns)) continue;
      for (const auto& r : n->routes)
        if (handmade_route(r) && !wanted_route_key(r) && !goes_with_its_link(r)) {
          Action a{Op::Delete, ns, describe_route(r), "not declared", step::DeleteRoute{r}};
          a.undo = step::AddRoute{r, false};
          add(std::move(a));
        }
    }
  }

  // ---- NAT rules: the lab's carry its tag ----

  bool wanted_nat(const NatRule& r) const {
    if (!d_) return false;
    return std::any_of(d_->nat.begin(), d_->nat.end(),
                       [&](const NatRule& w) { return w.ns == r.ns && w.same_rule(r); });
  }

  void delete_nat() {
    std::set<std::string> declared;
    if (d_)
      for (const auto& r : d_->nat) declared.insert(r.ns);
    // Every table read: the recorded and declared namespaces, and the host's when the record
    // is lost (an orphan's rules still carry the lab's tag).
    for (const auto& [ns, n] : live_.ns) {
      if (!n.exists || (ns != kHost && !owns_ns(ns))) continue;
      for (const auto& r : n.nat)
        if (r.comment == tag_ && !wanted_nat(r)) {
          Action a{Op::Delete, ns, "nat rule " + r.str(), d_ ? "no longer declared" : "lab down",
                   step::DeleteNat{r}};
          a.undo = step::AddNat{r};
          add(std::move(a));
        }
    }
    for (const auto& ns : rec_.nat_namespaces)
      if (!declared.count(ns)) plan_.forget.push_back(nat_entry(ns));
  }

  void restore_sysctls() {
    for (const auto& [key, old] : rec_.sysctl_old) {
      const std::string& ns = key.first;  // not a structured binding: lambdas capture it
      const std::string& name = key.second;
      bool wanted = d_ && std::any_of(d_->sysctls.begin(), d_->sysctls.end(),
                                      [&](const auto& s) { return s.ns == ns && s.key == name; });
      if (wanted) continue;
      if (ns == kHost && shared_host_)
        release_host_sysctl(name, old);
      else
        restore_ns_sysctl(ns, name, old);
    }
    // A lost record: the host settings still name the lab as a holder.
    if (d_ || !shared_host_) return;
    for (const auto& [key, h] : held_)
      if (key.first == kHost && !rec_.sysctl_old.count(key) &&
          std::find(h.labs.begin(), h.labs.end(), lab_) != h.labs.end())
        release_host_sysctl(key.second, h.original);
  }

  // The live value of a sysctl; nullptr when its file is gone (its interface is).
  const std::string* live_sysctl(const std::string& ns, const std::string& key) const {
    const NsLive* n = ns_live(ns);
    auto it = n ? n->sysctl.find(key) : decltype(n->sysctl.end()){};
    return n && it != n->sysctl.end() ? &it->second : nullptr;
  }

  static std::string shown(const std::string& v) { return v.empty() ? "\"\"" : words(v); }

  // What letting go of a host setting does, in words (the executor decides under the host
  // settings' lock; this is what it will find unless another run gets there first).
  std::string release_why(const std::string& key, const std::string& old, const std::string* live,
                          bool& restore) const {
    auto h = held_.find({kHost, key});
    std::string others;
    size_t count = 0;
    if (h != held_.end())
      for (const auto& l : h->second.labs)
        if (l != lab_) others += (count++ ? ", lab " : "lab ") + l;
    if (!live) {
      restore = false;
      return "let go; gone with its interface: nothing to restore";
    }
    if (count) return "let go; " + others + (count > 1 ? " still hold it" : " still holds it");
    if (h == held_.end()) return "restores " + shown(old);
    const HeldSetting& held = h->second;
    if (held.value && !same_sysctl_value(key, *live, *held.value)) {
      restore = false;
      return "left at " + shown(*live) + ": changed since the lab set " + shown(*held.value) +
             "; it was " + shown(held.original);
    }
    return "restores " + shown(held.original);
  }

  void release_host_sysctl(const std::string& key, const std::string& old) {
    bool restore = true;
    std::string why = release_why(key, old, live_sysctl(kHost, key), restore);
    step::ReleaseSysctl release{kHost, key, old};
    release.restore = restore;
    Action a{Op::Change, kHost, "sysctl " + key, why, release};
    a.disown.push_back(sysctl_entry(kHost, key, old));
    add(std::move(a));
  }

  // A namespace's setting the file no longer declares returns to its value before the lab.
  // A namespace that goes takes its settings with it (Record::disown).
  void restore_ns_sysctl(const std::string& ns, const std::string& key, const std::string& old) {
    if (!rec_.namespaces.count(ns) && !ns_live(ns)) {
      plan_.forget.push_back(sysctl_entry(ns, key, old));  // nothing will take it away
      return;
    }
    // An isolated lab's own host stays while the lab is up; a lab namespace that goes takes it.
    const bool stays = ns == kHost ? d_ != nullptr : wanted_ns_.count(ns) != 0;
    if (!stays || !ns_live(ns)) return;
    const std::string* live = live_sysctl(ns, key);
    if (!live || same_sysctl_value(key, *live, old)) {
      plan_.forget.push_back(sysctl_entry(ns, key, old));
      return;
    }
    Action a{Op::Change, ns, "sysctl " + key, "no longer declared; back to " + shown(old),
             step::SetSysctl{ns, key, old}};
    a.disown.push_back(sysctl_entry(ns, key, old));
    a.undo = step::SetSysctl{ns, key, *live};
    add(std::move(a));
  }

  // ---- namespaces and links the lab no longer declares ----

  // Namespaces go first: the kernel frees a namespace with all its links in one batch, while
  // deleting links one by one costs an RCU grace period each (~20 ms a veth). The host ends
  // of their veths go with them, asynchronously: an AwaitGone action waits for those, so
  // nothing of the lab is left when the plan is done.
  void delete_namespaces_and_links() {
    std::set<std::string> dying;
    for (const auto& ns : rec_.namespaces) {
      if (wanted_ns_.count(ns)) continue;
      if (!ns_live(ns)) {
        plan_.forget.push_back(ns_entry(ns));
      } else if (!owns_ns(ns)) {
        plan_.left.push_back(
            {"namespace " + ns, "is not the one lab " + lab_ +
                                    " made (deleted and made again by somebody else): left alone"});
        plan_.forget.push_back(ns_entry(ns));
      } else {
        dying.insert(ns);
      }
    }

    // Recorded links plus any live link tagged with this lab (an orphan of a lost record).
    std::map<NsName, OwnedEntry> owned = rec_.links;
    for (const auto& [ns, n] : live_.ns)
      if (n.exists)
        for (const auto& l : n.links)
          if (l.alias == tag_ && !owned.count({ns, l.name}))
            owned[{ns, l.name}] = OwnedEntry{Kind::Link, ns, l.name};

    // Where every link of the lab's group goes, one request takes them all (and the other
    // ends of their veths): first, so that the namespaces then go with nothing left to wait for.
    std::set<NsName> gone_with_group;
    std::set<std::string> deleting_in;  // namespaces with links to delete: few, on an up
    for (const auto& [key, e] : owned)
      if (!wanted_links_.count(key) && !dying.count(key.first)) deleting_in.insert(key.first);
    for (const auto& ns : deleting_in)
      if (const NsLive* n = ns_live(ns)) delete_group(ns, *n, owned, gone_with_group);

    for (const auto& ns : dying) {
      delete_links_on_others(ns);
      Action a{Op::Delete, kHost, "namespace " + ns, d_ ? "no longer declared" : "lab down",
               step::DeleteNamespace{ns}};
      a.disown.push_back(ns_entry(ns));
      add(std::move(a));
    }
    delete_links(owned, dying, gone_with_group);
  }

  // A link made on another (a macvlan on a host NIC) keeps what it set on that one
  // (promiscuity, addresses) until the kernel frees its namespace, in the background: it goes
  // on its own first, so its parent is as it was when the run returns. A link a program holds
  // (a tap) would keep the namespace, and itself, alive: it goes first too.
  void delete_links_on_others(const std::string& ns) {
    const NsLive* n = ns_live(ns);
    if (!n) return;
    for (const auto& l : n->links)
      if ((l.lower_ifindex || held_by_users(l)) && owns_link(l) && !cleared_.count({ns, l.name})) {
        Action a{Op::Delete, ns, describe_link(l), "before its namespace",
                 step::DeleteLink{ns, l.name}};
        a.detail = true;
        add(std::move(a));
      }
  }

  void delete_links(const std::map<NsName, OwnedEntry>& owned, const std::set<std::string>& dying,
                    const std::set<NsName>& gone_with_group) {
    std::map<NsName, NsName> partner;
    for (const auto& [key, e] : owned)
      if (!e.peer_name.empty()) {
        partner[key] = {e.peer_ns, e.peer_name};
        partner[{e.peer_ns, e.peer_name}] = key;
      }
    // Deleting one end of a veth deletes the other: do not ask twice.
    std::set<NsName> goes_with_peer;
    for (const auto& [key, e] : owned)
      if (!e.peer_name.empty() && !wanted_links_.count(key) && !dying.count(key.first) &&
          !dying.count(e.peer_ns) && live_link(key.first, key.second) &&
          owns_link(*live_link(key.first, key.second)))
        goes_with_peer.insert({e.peer_ns, e.peer_name});

    step::AwaitGone await;
    std::vector<OwnedEntry> await_disown;
    for (const auto& [key, e] : owned) {
      if (wanted_links_.count(key) || gone_with_group.count(key) || cleared_.count(key)) continue;
      const LinkObj* have = dying.count(key.first) ? nullptr : live_link(key.first, key.second);
      bool ours = have && owns_link(*have);
      auto p = partner.find(key);
      if (ours && p != partner.end() && dying.count(p->second.first)) {
        await.links.push_back(key);
        if (rec_.links.count(key)) await_disown.push_back(e);
        continue;
      }
      // Gone already with a link deleted early (which a rollback puts back with it).
      if (!ours || goes_with_peer.count(key) || restoring_.count(key)) {
        if (rec_.links.count(key)) plan_.forget.push_back(e);
        continue;
      }
      LinkObj shown = *have;
      shown.peer_ns = e.peer_ns;
      shown.peer_name = e.peer_name;
      Action a{Op::Delete, key.first, describe_link(shown), d_ ? "no longer declared" : "lab down",
               step::DeleteLink{key.first, key.second}};
      if (rec_.links.count(key)) a.disown.push_back(e);
      if (!e.peer_name.empty() && rec_.links.count({e.peer_ns, e.peer_name}))
        a.disown.push_back(rec_.links.at({e.peer_ns, e.peer_name}));
      add(std::move(a));
    }
    if (await.links.empty()) return;
    Action a{Op::Delete, kHost, std::to_string(await.links.size()) + " veth end(s)",
             "going with their namespaces", std::move(await)};
    a.disown = std::move(await_disown);
    a.detail = true;
    add(std::move(a));
  }

  // Deletes the lab's links of namespace `ns` with one request by group, when that takes
  // exactly the links to delete: each of them is in the lab's group and carries its tag, and
  // no other link of the namespace (a kept one, or anyone else's) is in the group.
  void delete_group(const std::string& ns, const NsLive& n,
                    const std::map<NsName, OwnedEntry>& owned, std::set<NsName>& gone) {
    const uint32_t group = lab_group(lab_);
    // Links this plan makes are in the group too, and made before the deletions.
    if (std::any_of(fresh_links_.begin(), fresh_links_.end(),
                    [&](const NsName& l) { return l.first == ns; }))
      return;
    std::vector<OwnedEntry> disown;
    size_t in_group = 0;
    for (const auto& l : n.links) {
      if (l.group != group) continue;
      ++in_group;
      auto it = owned.find({ns, l.name});
      if (it == owned.end() || wanted_links_.count(it->first) || l.alias != tag_) return;
    }
    for (auto it = owned.lower_bound({ns, ""}); it != owned.end() && it->first.first == ns; ++it) {
      const auto& [key, e] = *it;
      if (wanted_links_.count(key) || cleared_.count(key)) continue;
      const LinkObj* l = n.link(key.second);
      if (l && l->group != group) return;  // made before groups: one by one, as before
      if (rec_.links.count(key)) disown.push_back(e);
      if (!e.peer_name.empty() && rec_.links.count({e.peer_ns, e.peer_name}))
        disown.push_back(rec_.links.at({e.peer_ns, e.peer_name}));
    }
    if (in_group < 2) return;  // one link is deleted as cheaply by name
    for (const auto& e : disown) gone.insert({e.ns, e.name});
    Action a{Op::Delete, ns,
             std::to_string(in_group) + " links of the lab (group " + std::to_string(group) + ")",
             d_ ? "no longer declared" : "lab down", step::DeleteGroup{ns, group}};
    a.disown = std::move(disown);
    add(std::move(a));
  }

  // ---- creations and changes, vertex by vertex in dependency order ----
  void plan_vertex(const VertexRef& v) {
    switch (v.facet) {
      case Facet::Namespace:
        plan_namespace(d_->namespaces[v.index]);
        break;
      case Facet::Link:
        plan_link(v.index);
        break;
      case Facet::LinkConfig:
        plan_link_config(d_->links[v.index]);
        break;
      case Facet::Loopback:
        plan_loopback(d_->loopbacks[v.index]);
        break;
      case Facet::Address:
        plan_address(d_->addrs[v.index]);
        break;
      case Facet::Route:
        plan_route(d_->routes[v.index]);
        break;
      case Facet::Sysctl:
        plan_sysctl(d_->sysctls[v.index]);
        break;
      case Facet::Nat:
        plan_nat(d_->nat[v.index]);
        break;
      case Facet::Impair:
        plan_impair(d_->impairs[v.index]);
        break;
    }
  }

  void plan_namespace(const std::string& ns) {
    const NsLive* have = ns_live(ns);
    if (have && !have->half_made) {
      // Made by a run killed before it journalled its identity, and proved by being as made:
      // the identity is journalled now, before anything goes into it.
      if (!rec_.ns_cookies.count(ns) && have->cookie) {
        OwnedEntry e = ns_entry(ns);
        e.cookie = have->cookie;
        plan_.adopt.push_back(std::move(e));
      }
      return;
    }
    if (have)  // the lab's own (else a conflict): a create of an earlier run cut short
      add({Op::Delete, kHost, "namespace " + ns, "half made by an interrupted run",
           step::DeleteNamespace{ns}});
    fresh_ns_.insert(ns);
    Action a{Op::Create, kHost, "namespace " + ns, "missing", step::CreateNamespace{ns}};
    a.own.push_back(ns_entry(ns));
    a.undo = step::DeleteNamespace{ns};
    add(std::move(a));
  }

  // Whether a live veth pair is the one the file declares: both ends present and each the
  // other's peer.
  bool pair_intact(const LinkObj& have, const LinkObj& want) const {
    if (!paired(want)) return true;
    const LinkObj* peer = live_link(want.peer_ns, want.peer_name);
    return peer && peer->kind == want.kind && have.peer_ifindex == peer->ifindex &&
           peer->peer_ifindex == have.ifindex;
  }

  // Why a live link cannot become the declared one in place ("" when it can). The kernel
  // makes a link-local address when a link comes up, or never: turning it on means a new link.
  // (Turned off, the link keeps the one it has: plan_link_config.)
  std::string remake_reason(const LinkObj& have, const LinkObj& want) const {
    if (have.kind != want.kind) return "is a " + have.kind + ", must be a " + want.kind;
    if (!pair_intact(have, want))
      return "its peer is not " + want.peer_name + " in " + want.peer_ns;
    const LinkObj* peer = paired(want) ? desired_link(want.peer_ns, want.peer_name) : nullptr;
    for (const LinkObj* w : {&want, peer}) {
      const LinkObj* h = w == &want ? &have : w ? live_link(w->ns, w->name) : nullptr;
      if (h && h->ipv6_link_local == false && w->ipv6_link_local == true)
        return "IPv6 link-local off -> on" + (w == peer ? " on " + w->name : std::string());
    }
    return find_link_kind(want.kind)->remake_reason(have, want, *this);
  }

  // A link on a bridge whose ports change: the bridge follows a smaller port for a moment
  // (until its own mtu is set again), and takes the link down with it.
  bool lower_may_dip(const LinkObj& want) const {
    for (const auto& [ns, name] : find_link_kind(want.kind)->references(want))
      if (const LinkObj* lower = declared(ns, name); lower && mtu_follows_ports(*lower))
        if (ports_change(*lower)) return true;
    return false;
  }

  // Below MTU 1280 a link has no IPv6: the kernel refuses to be told its address generation
  // mode (EAFNOSUPPORT). An MTU not known is taken for one with IPv6.
  static bool has_ipv6(std::optional<uint32_t> mtu) { return !mtu || *mtu >= 1280; }

  // Whether the kernel took the live link with the one it stands on, remade in this plan (a
  // macvlan with its parent). One on a link that merely has the same name as a new one
  // stands on another, which goes at the end: it is remade here.
  bool on_remade_link(const LinkObj& want, const LinkObj& live) const {
    for (const auto& [ns, name] : find_link_kind(want.kind)->references(want)) {
      const LinkObj* old = live_link(ns, name);
      if (fresh_link(ns, name) && old && old->ifindex == live.lower_ifindex) return true;
    }
    return false;
  }

  void plan_link(size_t index) {
    const LinkObj& want = d_->links[index];
    const bool creates = d_->creates[index];
    if (!creates) return;  // the pair is made (or kept) with its first end
    planned_.insert({want.ns, want.name});
    const LinkObj* live = fresh_ns(want.ns) ? nullptr : live_link(want.ns, want.name);
    // The kernel takes a link made on another (a macvlan) with it: on a remade one it is new.
    const bool lower_remade = live && on_remade_link(want, *live);
    auto cleared = cleared_.find({want.ns, want.name});
    const LinkObj* have = lower_remade || cleared != cleared_.end() ? nullptr : live;
    std::string why = !live                       ? "missing"
                      : lower_remade              ? "re-made with the link it is on"
                      : cleared != cleared_.end() ? "re-made: " + cleared->second
                                                  : "";
    if (have) {
      why = remake_reason(*have, want);
      if (why.empty()) return;
      delete_to_remake(want.ns, *have, why);
    }
    if (paired(want) && !fresh_ns(want.peer_ns)) {
      const LinkObj* stray = live_link(want.peer_ns, want.peer_name);
      // The peer's name is the lab's (a conflict was reported otherwise): its old pair goes.
      if (stray && (!have || have->peer_ifindex != stray->ifindex))
        delete_to_remake(want.peer_ns, *stray, "peer of a veth being remade");
    }
    clear_the_way(want);
    // Created untagged: the kernel ignores an alias at creation, so tagging would cost a
    // request per end; the configuration request that follows (plan_link_config) tags each
    // end with its bridge and admin state in one. The journal owns them before either, and
    // the lab's link group, set at creation, proves them the lab's in between.
    LinkObj made = want;
    made.alias.clear();
    // A bridge's MTU given at its creation is not the user's to the kernel: it would follow its
    // ports as they join and leave. It is set after the ports joined (plan_link_config). A link
    // on another may have no more than that one's, which may grow later in the plan: it is set
    // once that one is configured.
    if (mtu_follows_ports(made) || stands_on_others(made)) made.mtu.reset();
    Action a{have ? Op::Change : Op::Create, want.ns, describe_link(want), why,
             step::CreateLink{made, nullptr}};
    a.own.push_back(link_entry(want, paired(want)));
    remade(want.ns, want.name);
    if (paired(want)) {
      int p = d_->find_link(want.peer_ns, want.peer_name);
      auto peer = std::make_shared<LinkObj>(d_->links.at(p));
      peer->alias.clear();
      std::get<step::CreateLink>(a.step).peer = std::move(peer);
      a.own.push_back(link_entry(d_->links.at(p), false));
      remade(want.peer_ns, want.peer_name);
    }
    a.undo = step::DeleteLink{want.ns, want.name};
    add(std::move(a));
    // A bridge keeps an MTU set before any port joins; one set as it already is (its ports'
    // smallest) changes nothing, the kernel's flag included, and it would follow its ports.
    if (mtu_follows_ports(want) && want.mtu && *want.mtu != mtu_without_ports(want)) {
      Action set{Op::Create, want.ns, "mtu of " + want.name, "new",
                 step::ChangeLink{want.ns, want.name, {.mtu = want.mtu}}};
      set.detail = true;
      add(std::move(set));
    }
  }
  // The lab's live links the kernel refuses the new one beside (a passthru macvlan and another
  // on one parent, two vxlans of a VNI): each is going, or remade later in the plan (the
  // file, validated, has no such pair), so it goes now.
  void clear_the_way(const LinkObj& want) {
    const LinkKind* kind = find_link_kind(want.kind);
    LinkObj made = want;
    for (const auto& [ns, name] : kind->references(want)) {
      const LinkObj* lower = fresh_link(ns, name) ? nullptr : live_link(ns, name);
      made.lower_ifindex = lower ? lower->ifindex : 0;
    }
    if (!live_by_kind_) {  // made when first needed: most plans make no link
      live_by_kind_.emplace();
      for (const auto& [key, l] : live_links_) (*live_by_kind_)[l->kind].emplace_back(key.first, l);
    }
    auto same_kind = live_by_kind_->find(want.kind);
    if (same_kind == live_by_kind_->end()) return;
    for (const auto& [ns, l] : same_kind->second) {
      NsName key{ns, l->name};
      if (!ns_live(ns) || fresh_ns(ns) || key == NsName{want.ns, want.name} ||
          planned_.count(key) || cleared_.count(key) || !owns_link(*l) ||
          !kind->refused_beside(made, *l))
        continue;
      delete_first(ns, *l, "in the way of " + describe_link(want) + " in " + want.ns);
    }
  }

  // A bridge follows its ports' smallest MTU. A port that goes, below what the file leaves the
  // bridge, would hold it down until the end of the run, where the lab's links go; what comes
  // before needs the bridge's final MTU (its IPv6: none below 1280; the links on it, whose MTU
  // is the bridge's at most). So such a port goes first.
  void delete_ports_holding_bridges_down() {
    for (const auto& br : d_->links) {
      const NsLive* n = mtu_follows_ports(br) ? ns_live(br.ns) : nullptr;
      auto target = n ? mtu_of(br) : std::nullopt;
      if (!target || fresh_ns(br.ns)) continue;
      for (const auto& l : n->links)
        if (l.master == br.name && going_.count({br.ns, l.name}) && l.mtu && *l.mtu < *target &&
            !cleared_.count({br.ns, l.name}) && owns_link(l))
          delete_first(br.ns, l, "its MTU holds bridge " + br.name + "'s down");
    }
  }

  // Deletes a live link of the lab now, not at the end of the plan with the others (a veth
  // with its other end).
  void delete_first(const std::string& ns, const LinkObj& l, const std::string& why) {
    std::vector<NsName> gone{{ns, l.name}};
    auto rec = rec_.links.find({ns, l.name});
    LinkObj shown = l;
    if (rec != rec_.links.end() && !rec->second.peer_name.empty()) {
      gone.push_back({rec->second.peer_ns, rec->second.peer_name});
      shown.peer_ns = rec->second.peer_ns;
      shown.peer_name = rec->second.peer_name;
    }
    Action a{Op::Delete, ns, describe_link(shown), why, step::DeleteLink{ns, l.name}};
    for (const auto& key : gone) {
      if (!wanted_links_.count(key) && rec_.links.count(key))
        a.disown.push_back(rec_.links.at(key));
      cleared_[key] = why;
      flush(key.first, key.second);
    }
    undo_by_restoring(a, ns, l);
    add(std::move(a));
  }

  // Deletes a live link of the lab that is made again under its name.
  void delete_to_remake(const std::string& ns, const LinkObj& l, const std::string& why) {
    Action a{Op::Delete, ns, describe_link(l), why, step::DeleteLink{ns, l.name}};
    undo_by_restoring(a, ns, l);
    add(std::move(a));
  }

  // A link deleted before the end of the plan comes back as it was read if a later action
  // fails, named again in the record (the rollback of what took its name disowns that first).
  // A veth and a bridge: a link made on another, or by a program, stands deleted.
  void undo_by_restoring(Action& a, const std::string& ns, const LinkObj& l) {
    if (!(paired(l) || takes_ports(l)) || restoring_.count({ns, l.name})) return;
    auto old = std::make_shared<step::OldLink>();
    old->link = l;
    old->link.ns = ns;
    if (paired(l)) {
      old->peer = live_peer(ns, l);
      if (!old->peer) return;  // not a pair the record names as it is: nothing to make it of
      old->link.peer_ns = old->peer->ns;
      old->link.peer_name = old->peer->name;
    }
    if (const NsLive* n = takes_ports(l) ? ns_live(ns) : nullptr)
      for (const auto& p : n->links)
        if (p.master == l.name) old->ports.push_back(p.name);
    for (const LinkObj* end : {&old->link, old->peer ? &*old->peer : nullptr}) {
      if (!end) continue;
      add_old_addresses(*end, old->addrs);
      restoring_.insert({end->ns, end->name});
      if (auto e = rec_.links.find({end->ns, end->name}); e != rec_.links.end())
        a.reown.push_back(e->second);
    }
    a.undo = step::RestoreLink{std::move(old)};
  }

  // A veth's other end as the record names it, when both ends are still each other's.
  std::optional<LinkObj> live_peer(const std::string& ns, const LinkObj& l) const {
    NsName key{ns, l.name}, other;
    if (auto e = rec_.links.find(key); e != rec_.links.end() && !e->second.peer_name.empty())
      other = {e->second.peer_ns, e->second.peer_name};
    else if (auto p = recorded_peer_of_.find(key); p != recorded_peer_of_.end())
      other = p->second;
    const LinkObj* peer = other.second.empty() || fresh_ns(other.first)
                              ? nullptr
                              : live_link(other.first, other.second);
    if (!peer || peer->peer_ifindex != l.ifindex || l.peer_ifindex != peer->ifindex) return {};
    LinkObj out = *peer;
    out.ns = other.first;
    return out;
  }

  // The link's addresses as listed, but for what the kernel makes: IPv4 in that order, IPv6
  // the other way round (the kernel lists the newest first).
  void add_old_addresses(const LinkObj& l, std::vector<AddrObj>& out) const {
    const NsLive* n = ns_live(l.ns);
    if (!n) return;
    std::vector<AddrObj> v6;
    for (const auto& a : n->addrs)
      if (a.dev == l.name && !kernel_made(a)) (a.cidr.addr.is_v6() ? v6 : out).push_back(a);
    out.insert(out.end(), v6.rbegin(), v6.rend());
  }

  void remade(const std::string& ns, const std::string& name) {
    fresh_links_.insert({ns, name});
    flush(ns, name);
  }

  static uint32_t mtu_without_ports(const LinkObj& want) {
    return find_link_kind(want.kind)->default_mtu();
  }
  // The MTU a link must have: the file's, else the kernel's default for its kind, which for a
  // bridge is the smallest of its ports' (the kernel's own rule while nobody set it).
  // nullopt: the kernel's default depends on a link not there yet (the link is made now).
  std::optional<uint32_t> mtu_of(const LinkObj& want) const {
    if (want.mtu) return *want.mtu;
    if (!mtu_follows_ports(want)) return find_link_kind(want.kind)->default_mtu_on(want, *this);
    uint32_t least = 0;
    for (const auto& l : d_->links)
      if (l.ns == want.ns && l.master == want.name) {
        uint32_t m = mtu_of(l).value_or(mtu_without_ports(l));
        least = least ? std::min(least, m) : m;
      }
    return least ? least : mtu_without_ports(want);
  }

  // Whether a port joins the bridge in this plan, or changes its MTU.
  bool ports_change(const LinkObj& bridge) const {
    for (const auto& l : d_->links) {
      if (l.ns != bridge.ns || l.master != bridge.name) continue;
      if (fresh_link(l.ns, l.name)) return true;
      const LinkObj* have = live_link(l.ns, l.name);
      if (!have || have->master != bridge.name) return true;
      if (auto m = mtu_of(l); m && have->mtu != m) return true;
    }
    return false;
  }

  void plan_link_config(const LinkObj& want) {
    LinkChange c;
    if (fresh_link(want.ns, want.name)) {
      c.alias = tag_;
      if (!want.master.empty()) c.master = want.master;
      if (want.up) c.up = true;
      // Stated (the machine's default may differ), where the link will have IPv6.
      if (has_ipv6(mtu_of(want))) c.ipv6_link_local = want.ipv6_link_local;
      // A bridge follows its ports' MTU as they join, unless its own was set after: now.
      if (mtu_follows_ports(want) && want.mtu) c.mtu = want.mtu;
      // The kernel gave a link on another that one's MTU of the moment (less its headers).
      if (stands_on_others(want)) c.mtu = mtu_of(want);
      Action a{Op::Create, want.ns, "configure " + want.name, "new",
               step::ChangeLink{want.ns, want.name, c}};
      a.detail = true;
      add(std::move(a));
      return;
    }
    const LinkObj* have = live_link(want.ns, want.name);
    if (!have) return;  // a conflict was reported, or the pair is remade with its first end
    LinkChange undo;
    std::vector<std::string> why;
    if (have->alias != tag_) {
      c.alias = tag_;
      undo.alias = have->alias;
      why.push_back("tag");
    }
    // The kernel lets a bridge's ports go with it: a bridge remade takes them again.
    const bool let_go = !have->master.empty() && fresh_link(want.ns, have->master);
    if (have->master != want.master || let_go) {
      c.master = want.master;
      undo.master = have->master;
      why.push_back(have->master == want.master
                        ? "bridge " + want.master + " remade"
                        : "bridge " + (have->master.empty() ? "none" : have->master) + " -> " +
                              (want.master.empty() ? "none" : want.master));
    }
    // A bridge nobody set follows its ports' smallest MTU, but one somebody set keeps it, and
    // the two look alike: it is set, after its ports (graph order).
    const bool on_others = stands_on_others(want);
    if (auto mtu = mtu_of(want); mtu && have->mtu != mtu) {
      c.mtu = mtu;
      undo.mtu = have->mtu;
      why.push_back("mtu " + (have->mtu ? std::to_string(*have->mtu) : "?") + " -> " +
                    std::to_string(*mtu) + (want.mtu ? "" : " (the default)"));
    } else if (mtu_follows_ports(want) && want.mtu && ports_change(want)) {
      // Its ports change first (graph order), and a bridge whose MTU nobody set since its
      // creation follows theirs: set again (a no-op where it did not move).
      c.mtu = mtu;
      undo.mtu = have->mtu;
    } else if (mtu && on_others && lower_may_dip(want)) {
      // Its lower link may have taken it down for a moment: set again.
      c.mtu = mtu;
      undo.mtu = have->mtu;
    }
    if (want.mac && have->mac != want.mac) {
      c.mac = want.mac;
      undo.mac = have->mac;
      why.push_back("mac " + (have->mac ? format_mac(*have->mac) : "?") + " -> " +
                    format_mac(*want.mac));
    }
    const bool ipv6 = has_ipv6(c.mtu ? c.mtu : have->mtu);
    if (have->ipv6_link_local == true && want.ipv6_link_local == false && ipv6) {
      c.ipv6_link_local = false;
      undo.ipv6_link_local = true;
      why.push_back("IPv6 link-local on -> off");
    } else if (!has_ipv6(have->mtu) && ipv6) {
      // IPv6 comes anew, in the kernel's default mode: the file's is stated again.
      c.ipv6_link_local = want.ipv6_link_local;
    }
    if (have->up != want.up) {
      c.up = want.up;
      undo.up = have->up;
      why.push_back(want.up ? "down -> up" : "up -> down");
      if (!want.up) going_down(want);
    }
    if (c.empty()) return;
    std::string reason;
    for (const auto& w : why) reason += (reason.empty() ? "" : ", ") + w;
    Action a{Op::Change, want.ns, describe_link(want), reason,
             step::ChangeLink{want.ns, want.name, c}};
    a.undo = step::ChangeLink{want.ns, want.name, undo};
    a.detail = why.empty();  // only the MTU it keeps as its ports change
    add(std::move(a));
  }

  // A link that goes down loses its routes, and its IPv6 addresses (keep_addr_on_down is
  // 0): the file's come back after (addresses come after their link's configuration).
  void going_down(const LinkObj& want) {
    flush(want.ns, want.name);
    for (const auto& a : d_->addrs)
      if (a.ns == want.ns && a.dev == want.name && a.cidr.addr.is_v6()) down_v6_.insert(a);
  }

  void plan_loopback(const Loopback& lo) {
    if (fresh_ns(lo.ns)) {
      if (!lo.up) return;  // a new namespace's loopback is down
      LinkChange c;
      c.up = true;
      Action a{Op::Create, lo.ns, "loopback lo", "up", step::ChangeLink{lo.ns, "lo", c}};
      a.detail = true;
      add(std::move(a));
      return;
    }
    const LinkObj* have = live_link(lo.ns, "lo");
    if (!have || have->up == lo.up) return;
    LinkChange c, undo;
    c.up = lo.up;
    undo.up = have->up;
    Action a{Op::Change, lo.ns, "loopback lo", lo.up ? "down -> up" : "up -> down",
             step::ChangeLink{lo.ns, "lo", c}};
    a.undo = step::ChangeLink{lo.ns, "lo", undo};
    add(std::move(a));
  }

  void plan_sysctl(const SysctlObj& want) {
    // A setting of a link this plan makes (or remakes) is the kernel's default until set.
    const std::string dev = sysctl_key_device(want.key);
    const bool fresh = fresh_ns(want.ns) || (!dev.empty() && fresh_link(want.ns, dev));
    const bool host = want.ns == kHost && shared_host_;  // shared with other labs
    auto recorded = rec_.sysctl_old.find({want.ns, want.key});
    const bool held = recorded != rec_.sysctl_old.end();
    const std::string* live = fresh ? nullptr : live_sysctl(want.ns, want.key);
    const std::string have = live ? *live : "";
    if (live && same_sysctl_value(want.key, have, want.value) && (held || !host)) return;
    Action a{fresh ? Op::Create : Op::Change, want.ns, "sysctl " + want.key,
             (live ? words(have) : std::string("set")) + " -> " + want.value,
             step::SetSysctl{want.ns, want.key, want.value, !host && !held}};
    if (host) {
      // A host setting is shared with other labs: hold it (at its new value), so that only
      // the last lab to let go restores the host's value (record/host_settings.h).
      std::optional<std::string> original;
      if (held) original = recorded->second;
      a.step = step::HoldSysctl{want.ns, want.key, want.value, original};
      if (held) {
        a.undo = step::HoldSysctl{want.ns, want.key, have, original};
      } else {
        if (live && same_sysctl_value(want.key, have, want.value))
          a.why = "already " + have + "; held by this lab too";
        a.own.push_back(sysctl_entry(want.ns, want.key, have));
        a.undo = step::ReleaseSysctl{want.ns, want.key, have};
      }
    } else if (live) {
      a.undo = step::SetSysctl{want.ns, want.key, have};
    }
    add(std::move(a));
  }

  // A link's impairment: its qdiscs, changed in place where the kernel allows.
  void plan_impair(const ImpairObj& want) {
    const LinkObj* link = desired_link(want.ns, want.dev);
    const bool fresh = fresh_ns(want.ns) || fresh_link(want.ns, want.dev);
    std::vector<const QdiscObj*> have;
    if (!fresh) {
      auto it = live_qdiscs_.find({want.ns, want.dev});
      if (it != live_qdiscs_.end()) have = it->second;
      if (!live_link(want.ns, want.dev)) return;  // a conflict was reported
    }
    auto actions = plan_qdiscs(want.ns, describe_link(*link), impair_qdiscs(want), have);
    const bool recorded = rec_.qdisc_namespaces.count(want.ns) || adopted_qdiscs_.count(want.ns);
    if (actions.empty()) {
      // In place, yet not in the record (lost with its journal): recorded now, so that the
      // namespace's qdiscs are read once the file no longer impairs it.
      if (!recorded && adopted_qdiscs_.insert(want.ns).second)
        plan_.adopt.push_back(qdisc_entry(want.ns));
      return;
    }
    if (!recorded) actions.front().own.push_back(qdisc_entry(want.ns));
    for (auto& a : actions) {
      if (fresh) a.undo.reset();  // the qdiscs go with the new link
      add(std::move(a));
    }
  }

  // The lab's qdiscs on links it keeps but no longer impairs (on a link that goes, they go
  // with it, and so on `down`). Read only where the file or the record has impairment.
  void delete_qdiscs() {
    std::set<NsName> declared;
    std::set<std::string> declared_ns;
    if (d_)
      for (const auto& m : d_->impairs) {
        declared.insert({m.ns, m.dev});
        declared_ns.insert(m.ns);
      }
    for (const auto& [key, have] : live_qdiscs_) {
      // A link kept (never one on `down`: none is wanted), ours, in a namespace of ours, with
      // our root qdisc (not only our handle under somebody else's root).
      const LinkObj* link = live_link(key.first, key.second);
      if (declared.count(key) || !wanted_links_.count(key) || !link || !owns_link(*link) ||
          (key.first != kHost && !owns_ns(key.first)) || fresh_link(key.first, key.second) ||
          !have.front()->root())
        continue;
      const std::string object = describe_link(*desired_link(key.first, key.second));
      for (auto& a : plan_qdiscs(key.first, object, {}, have)) add(std::move(a));
    }
    for (const auto& ns : rec_.qdisc_namespaces)
      if (!declared_ns.count(ns)) plan_.forget.push_back(qdisc_entry(ns));
  }

  void plan_nat(const NatRule& want) {
    if (!fresh_ns(want.ns)) {
      const NsLive* n = ns_live(want.ns);
      if (n && std::any_of(n->nat.begin(), n->nat.end(),
                           [&](const NatRule& h) { return h.same_rule(want); }))
        return;
    }
    Action a{Op::Create, want.ns, "nat rule " + want.str(), "missing", step::AddNat{want}};
    if (!rec_.nat_namespaces.count(want.ns)) a.own.push_back(nat_entry(want.ns));
    if (!fresh_ns(want.ns)) a.undo = step::DeleteNat{want};
    add(std::move(a));
  }

  const DesiredState* d_;
  const LiveState& live_;
  const Record& rec_;
  const HeldSettings& held_;
  std::string lab_;
  std::string tag_;
  // The host is the machine's, shared with other labs; not an isolated lab's own namespace.
  bool shared_host_;
  PlanOptions options_;
  bool pretend_ = false;  // past_conflicts, once the conflicts are found
  Plan plan_;
  std::set<std::string> wanted_ns_;
  std::set<NsName> wanted_links_;
  std::set<std::string> fresh_ns_;
  std::set<NsName> fresh_links_;
  // Links whose routes the kernel flushes in this plan, and of which families.
  static constexpr int kV4 = 1, kV6 = 2;
  std::map<NsName, int> flushed_;
  std::set<NsName> going_;                 // links deleted as no longer declared
  mutable std::set<NsName> asking_mtu_;    // links whose MTU mtu() is working out
  std::set<NsName> planned_;               // links whose vertex came
  std::map<NsName, std::string> cleared_;  // live links deleted early, and why
  std::set<NsName> restoring_;             // live links deleted that a rollback puts back
  std::vector<Action> late_routes_;        // routes added once those are gone
  std::set<AddrObj> readd_;    // present, but deleted and added again in the file's order
  std::set<AddrObj> down_v6_;  // present, but gone with their link going down
  // Lookups by key, not scans: a star lab of N namespaces has N links in the host.
  std::map<NsName, const LinkObj*> live_links_;
  // The same by kind: what a new link may be refused beside is of its kind.
  std::optional<std::map<std::string, std::vector<std::pair<std::string, const LinkObj*>>>>
      live_by_kind_;
  std::map<NsName, NsName> recorded_peer_of_;  // a veth's other end -> the end made with it
  // The live qdiscs of netlab's handles per link, the root first; the root qdiscs of others.
  std::map<NsName, std::vector<const QdiscObj*>> live_qdiscs_;
  std::map<NsName, const QdiscObj*> foreign_qdisc_;
  std::set<std::string> adopted_qdiscs_;  // namespaces whose qdiscs the plan records as found
  std::set<AddrObj> wanted_addrs_;
  // RouteObj::key of every declared route: looked up for each live route, not scanned.
  std::set<std::tuple<std::string, Cidr, uint32_t>> wanted_route_keys_;
};

}  // namespace

Plan make_plan(const DesiredState& desired, const LiveState& live, const Record& record,
               const HeldSettings& held, PlanOptions options) {
  return Planner(&desired, live, record, desired.lab, held, options).run();
}

Plan make_down_plan(const std::string& lab, const LiveState& live, const Record& record,
                    const HeldSettings& held) {
  return Planner(nullptr, live, record, lab, held).run();
}

ReadRequest record_read_request(const Record& record) {
  ReadRequest r;
  r.namespaces.assign(record.namespaces.begin(), record.namespaces.end());
  std::set<std::string> listed(record.namespaces.begin(), record.namespaces.end());
  for (const auto& [key, e] : record.links) {
    if (key.first == kHost) r.host_links.push_back(key.second);
    if (key.first != kHost && listed.insert(key.first).second) r.namespaces.push_back(key.first);
  }
  for (const auto& [key, old] : record.sysctl_old) r.sysctl_keys[key.first].push_back(key.second);
  r.nat_namespaces.assign(record.nat_namespaces.begin(), record.nat_namespaces.end());
  return r;
}

}  // namespace netlab
