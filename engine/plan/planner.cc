#include "plan/planner.h"

#include "state/sysctl_value.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace netlab {

namespace {

using Kind = OwnedEntry::Kind;

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

bool route_matches(const RouteObj& want, const RouteObj& have) {
  return want.dst == have.dst && want.metric == have.metric && want.via == have.via &&
         (want.dev.empty() || want.dev == have.dev);
}

class Planner {
 public:
  Planner(const DesiredState* desired, const LiveState& live, const Record& record, std::string lab,
          const HeldSettings& held)
      : d_(desired),
        live_(live),
        rec_(record),
        held_(held),
        lab_(std::move(lab)),
        tag_(lab_tag(lab_)) {
    plan_.lab = lab_;
    for (const auto& [ns, n] : live_.ns)
      for (const auto& l : n.links) live_links_.try_emplace({ns, l.name}, &l);
    if (d_) {
      wanted_addrs_.insert(d_->addrs.begin(), d_->addrs.end());
      wanted_ns_.insert(d_->namespaces.begin(), d_->namespaces.end());
      for (const auto& l : d_->links) wanted_links_.insert({l.ns, l.name});
    }
  }

  Plan run() {
    if (d_) check_conflicts();
    if (!plan_.conflicts.empty()) return std::move(plan_);
    // About an action a vertex: one allocation up front, not a move of every action as it grows.
    if (d_) plan_.actions.reserve(d_->vertices.size() + 16);
    plan_deletions();
    if (d_)
      for (size_t v : d_->graph.order()) plan_vertex(d_->vertices[v]);
    return std::move(plan_);
  }

 private:
  const NsLive* ns_live(const std::string& ns) const {
    const NsLive* n = live_.find(ns);
    return n && n->exists ? n : nullptr;
  }
  const LinkObj* live_link(const std::string& ns, const std::string& name) const {
    auto it = live_links_.find({ns, name});
    return it == live_links_.end() || !ns_live(ns) ? nullptr : it->second;
  }
  bool owns_link(const LinkObj& live) const {
    return rec_.owns_link(live.ns, live.name) || live.alias == tag_;
  }
  bool fresh_ns(const std::string& ns) const { return fresh_ns_.count(ns) != 0; }
  bool fresh_link(const std::string& ns, const std::string& name) const {
    return fresh_links_.count({ns, name}) != 0;
  }

  void add(Action a) { plan_.actions.push_back(std::move(a)); }

  // ---- conflicts: anything the lab would need to touch but does not own ----
  void check_conflicts() {
    for (const auto& ns : d_->namespaces)
      if (ns_live(ns) && !rec_.namespaces.count(ns))
        plan_.conflicts.push_back(
            {"namespace " + ns, "exists and was not made by lab " + lab_ +
                                    "; rename the namespace in the file or remove it"});
    for (const auto& l : d_->links) {
      const LinkObj* have = live_link(l.ns, l.name);
      if (have && !owns_link(*have) && (l.ns == kHost || !plan_ns_foreign(l.ns)))
        plan_.conflicts.push_back(
            {"link " + l.name + " in " + l.ns,
             "exists and was not made by lab " + lab_ +
                 (have->alias.empty() ? std::string(" (it has no netlab tag)")
                                      : " (its alias is \"" + have->alias + "\")") +
                 "; rename the interface in the file"});
    }
    check_held_sysctls();
    for (const auto& r : d_->routes) {
      if (r.ns != kHost) continue;
      const NsLive* n = ns_live(kHost);
      for (const auto& have : n ? n->routes : std::vector<RouteObj>{})
        if (have.dst == r.dst && have.metric == r.metric && !route_matches(r, have) &&
            !(have.protocol == kRouteProtocol && rec_.owns_route(have)))
          plan_.conflicts.push_back(
              {describe_route(have) + " in host",
               "is in the way of " + describe_route(r) + " and was not added by lab " + lab_});
    }
  }
  // A host setting is shared: another lab holding it at another value would be overridden.
  void check_held_sysctls() {
    for (const auto& s : d_->sysctls) {
      if (s.ns != kHost) continue;
      auto h = held_.find({s.ns, s.key});
      if (h == held_.end()) continue;
      if (auto why = held_elsewhere(h->second, lab_, s.key, s.value); !why.empty())
        plan_.conflicts.push_back(
            {"sysctl " + s.key + " in " + s.ns, why + "; lab " + lab_ + " needs " + s.value});
    }
  }
  // A namespace that exists and is not ours is already a conflict; do not pile on its links.
  bool plan_ns_foreign(const std::string& ns) const {
    return ns_live(ns) && !rec_.namespaces.count(ns);
  }

  // ---- deletions: what the lab owns and no longer declares, or what drifted ----
  void plan_deletions() {
    delete_nat();
    delete_routes();
    delete_addresses();
    restore_sysctls();
    delete_namespaces_and_links();
  }

  bool wanted_nat(const NatRule& r) const {
    if (!d_) return false;
    return std::any_of(d_->nat.begin(), d_->nat.end(),
                       [&](const NatRule& w) { return w.ns == r.ns && w.same_rule(r); });
  }

  void delete_nat() {
    std::set<std::string> where = rec_.nat_namespaces;
    if (d_)
      for (const auto& r : d_->nat) where.insert(r.ns);
    for (const auto& ns : where) {
      bool declared = d_ && std::any_of(d_->nat.begin(), d_->nat.end(),
                                        [&](const NatRule& r) { return r.ns == ns; });
      if (const NsLive* n = ns_live(ns))
        for (const auto& r : n->nat)
          if (r.comment == tag_ && !wanted_nat(r))
            add({Op::Delete, ns, "nat rule " + r.str(), d_ ? "no longer declared" : "lab down",
                 step::DeleteNat{r}});
      if (!declared && rec_.nat_namespaces.count(ns)) plan_.forget.push_back(nat_entry(ns));
    }
  }

  bool wanted_route(const RouteObj& r) const {
    if (!d_) return false;
    return std::any_of(d_->routes.begin(), d_->routes.end(),
                       [&](const RouteObj& w) { return w.ns == r.ns && route_matches(w, r); });
  }

  void delete_routes() {
    // Routes in the host: only those the record says the lab added.
    for (const auto& r : rec_.routes) {
      if (wanted_route(r)) continue;
      const NsLive* n = ns_live(r.ns);
      bool present = n && std::any_of(n->routes.begin(), n->routes.end(), [&](const auto& h) {
                       return route_matches(r, h) && h.protocol == kRouteProtocol;
                     });
      Action a{Op::Delete, r.ns, describe_route(r), d_ ? "no longer declared" : "lab down",
               step::DeleteRoute{r}};
      a.disown.push_back(route_entry(r));
      if (!present) {
        plan_.forget.push_back(route_entry(r));  // gone already
        continue;
      }
      add(std::move(a));
    }
    // Routes in the lab's own namespaces that carry netlab's protocol but are not declared
    // (the namespace goes with the lab, so only an `up` needs this).
    if (!d_) return;
    for (const auto& ns : d_->namespaces) {
      const NsLive* n = ns_live(ns);
      if (!n || !rec_.namespaces.count(ns)) continue;
      for (const auto& r : n->routes)
        if (r.protocol == kRouteProtocol && !wanted_route(r))
          add({Op::Delete, ns, describe_route(r), "not declared", step::DeleteRoute{r}});
    }
  }

  void delete_addresses() {
    if (!d_) return;  // addresses go with their links
    // One pass over each namespace's addresses (the host of a star lab has thousands of
    // link-local ones), each looked up by key.
    for (const auto& [ns, n] : live_.ns) {
      if (!n.exists) continue;
      for (const auto& a : n.addrs) {
        if (is_link_local_v6(a.cidr) || wanted_addrs_.count(a)) continue;
        int want = d_->find_link(ns, a.dev);
        const LinkObj* have = live_link(ns, a.dev);
        if (want < 0 || !have || !owns_link(*have) || have->kind != d_->links[want].kind) continue;
        add({Op::Delete, ns, "address " + a.cidr.str() + " on " + a.dev, "not declared",
             step::DeleteAddress{a}});
      }
    }
  }

  void restore_sysctls() {
    for (const auto& [key, old] : rec_.sysctl_old) {
      const auto& [ns, name] = key;
      bool wanted = d_ && std::any_of(d_->sysctls.begin(), d_->sysctls.end(),
                                      [&](const auto& s) { return s.ns == ns && s.key == name; });
      if (wanted) continue;
      if (ns == kHost)
        release_host_sysctl(name, old);
      else
        restore_ns_sysctl(ns, name, old);
    }
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
    if (!wanted_ns_.count(ns) || !ns_live(ns)) return;
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

  // Namespaces go first: the kernel frees a namespace with all its links in one batch, while
  // deleting links one by one costs an RCU grace period each (~20 ms a veth). The host ends
  // of their veths go with them, asynchronously: an AwaitGone action waits for those, so
  // nothing of the lab is left when the plan is done.
  void delete_namespaces_and_links() {
    std::set<std::string> dying;
    for (const auto& ns : rec_.namespaces)
      if (!wanted_ns_.count(ns)) dying.insert(ns);

    // Recorded links plus any live link tagged with this lab (an orphan of a lost record).
    std::map<std::pair<std::string, std::string>, OwnedEntry> owned = rec_.links;
    for (const auto& [ns, n] : live_.ns)
      if (n.exists)
        for (const auto& l : n.links)
          if (l.alias == tag_ && !owned.count({ns, l.name}))
            owned[{ns, l.name}] = OwnedEntry{Kind::Link, ns, l.name};

    // Where every link of the lab's group goes, one request takes them all (and the other
    // ends of their veths): first, so that the namespaces then go with nothing left to wait for.
    std::set<std::pair<std::string, std::string>> gone_with_group;
    std::set<std::string> deleting_in;  // namespaces with links to delete: few, on an up
    for (const auto& [key, e] : owned)
      if (!wanted_links_.count(key) && !dying.count(key.first)) deleting_in.insert(key.first);
    for (const auto& ns : deleting_in)
      if (const NsLive* n = ns_live(ns)) delete_group(ns, *n, owned, gone_with_group);

    for (const auto& ns : dying) {
      if (!ns_live(ns)) {
        plan_.forget.push_back(ns_entry(ns));
        continue;
      }
      Action a{Op::Delete, kHost, "namespace " + ns, d_ ? "no longer declared" : "lab down",
               step::DeleteNamespace{ns}};
      a.disown.push_back(ns_entry(ns));
      add(std::move(a));
    }
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> partner;
    for (const auto& [key, e] : owned)
      if (!e.peer_name.empty()) {
        partner[key] = {e.peer_ns, e.peer_name};
        partner[{e.peer_ns, e.peer_name}] = key;
      }
    // Deleting one end of a veth deletes the other: do not ask twice.
    std::set<std::pair<std::string, std::string>> goes_with_peer;
    for (const auto& [key, e] : owned)
      if (!e.peer_name.empty() && !wanted_links_.count(key) && !dying.count(key.first) &&
          !dying.count(e.peer_ns) && live_link(key.first, key.second))
        goes_with_peer.insert({e.peer_ns, e.peer_name});

    step::AwaitGone await;
    std::vector<OwnedEntry> await_disown;
    for (const auto& [key, e] : owned) {
      if (wanted_links_.count(key) || gone_with_group.count(key)) continue;
      const LinkObj* have = dying.count(key.first) ? nullptr : live_link(key.first, key.second);
      bool ours = have && (have->alias == tag_ || rec_.owns_link(key.first, key.second));
      auto p = partner.find(key);
      if (ours && p != partner.end() && dying.count(p->second.first)) {
        await.links.push_back(key);
        if (rec_.links.count(key)) await_disown.push_back(e);
        continue;
      }
      if (!ours || goes_with_peer.count(key)) {
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
                    const std::map<std::pair<std::string, std::string>, OwnedEntry>& owned,
                    std::set<std::pair<std::string, std::string>>& gone) {
    const uint32_t group = lab_group(lab_);
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
      if (wanted_links_.count(key)) continue;
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
    }
  }

  void plan_namespace(const std::string& ns) {
    const NsLive* have = ns_live(ns);
    if (have && !have->half_made) return;
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
    if (want.kind != "veth") return true;
    const LinkObj* peer = live_link(want.peer_ns, want.peer_name);
    return peer && peer->kind == "veth" && have.peer_ifindex == peer->ifindex &&
           peer->peer_ifindex == have.ifindex;
  }

  void plan_link(size_t index) {
    const LinkObj& want = d_->links[index];
    const bool creates = d_->creates[index];
    if (!creates) return;  // the pair is made (or kept) with its first end
    const LinkObj* have = fresh_ns(want.ns) ? nullptr : live_link(want.ns, want.name);
    std::string why = "missing";
    if (have) {
      if (have->kind == want.kind && pair_intact(*have, want)) return;
      why = have->kind != want.kind ? "is a " + have->kind + ", must be a " + want.kind
                                    : "its peer is not " + want.peer_name + " in " + want.peer_ns;
      add({Op::Delete, want.ns, describe_link(*have), why, step::DeleteLink{want.ns, want.name}});
    }
    if (want.kind == "veth" && !fresh_ns(want.peer_ns)) {
      const LinkObj* stray = live_link(want.peer_ns, want.peer_name);
      if (stray && (!have || have->peer_ifindex != stray->ifindex))
        add({Op::Delete, want.peer_ns, describe_link(*stray), "peer of a veth being remade",
             step::DeleteLink{want.peer_ns, want.peer_name}});
    }
    // Created untagged: the kernel ignores an alias at creation, so tagging would cost a
    // request per end; the configuration request that follows (plan_link_config) tags each
    // end with its bridge and admin state in one. The journal owns them before either.
    LinkObj made = want;
    made.alias.clear();
    Action a{have ? Op::Change : Op::Create, want.ns, describe_link(want), why,
             step::CreateLink{made, nullptr}};
    a.own.push_back(link_entry(want, want.kind == "veth"));
    fresh_links_.insert({want.ns, want.name});
    if (want.kind == "veth") {
      int p = d_->find_link(want.peer_ns, want.peer_name);
      auto peer = std::make_shared<LinkObj>(d_->links.at(p));
      peer->alias.clear();
      std::get<step::CreateLink>(a.step).peer = std::move(peer);
      a.own.push_back(link_entry(d_->links.at(p), false));
      fresh_links_.insert({want.peer_ns, want.peer_name});
    }
    a.undo = step::DeleteLink{want.ns, want.name};
    add(std::move(a));
  }

  void plan_link_config(const LinkObj& want) {
    LinkChange c;
    if (fresh_link(want.ns, want.name)) {
      c.alias = tag_;
      if (!want.master.empty()) c.master = want.master;
      if (want.up) c.up = true;
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
    if (have->master != want.master) {
      c.master = want.master;
      undo.master = have->master;
      why.push_back("bridge " + (have->master.empty() ? "none" : have->master) + " -> " +
                    (want.master.empty() ? "none" : want.master));
    }
    if (want.mtu && have->mtu != want.mtu) {
      c.mtu = want.mtu;
      undo.mtu = have->mtu;
      why.push_back("mtu " + (have->mtu ? std::to_string(*have->mtu) : "?") + " -> " +
                    std::to_string(*want.mtu));
    }
    if (want.mac && have->mac != want.mac) {
      c.mac = want.mac;
      undo.mac = have->mac;
      why.push_back("mac " + (have->mac ? format_mac(*have->mac) : "?") + " -> " +
                    format_mac(*want.mac));
    }
    if (have->up != want.up) {
      c.up = want.up;
      undo.up = have->up;
      why.push_back(want.up ? "down -> up" : "up -> down");
    }
    if (c.empty()) return;
    std::string reason;
    for (const auto& w : why) reason += (reason.empty() ? "" : ", ") + w;
    Action a{Op::Change, want.ns, describe_link(want), reason,
             step::ChangeLink{want.ns, want.name, c}};
    a.undo = step::ChangeLink{want.ns, want.name, undo};
    add(std::move(a));
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

  void plan_address(const AddrObj& want) {
    bool fresh = fresh_link(want.ns, want.dev);
    if (!fresh) {
      const NsLive* n = ns_live(want.ns);
      if (n && std::find(n->addrs.begin(), n->addrs.end(), want) != n->addrs.end()) return;
    }
    Action a{Op::Create, want.ns, "address " + want.cidr.str() + " on " + want.dev, "missing",
             step::AddAddress{want}};
    if (!fresh) a.undo = step::DeleteAddress{want};
    add(std::move(a));
  }

  void plan_route(const RouteObj& want) {
    const NsLive* n = fresh_ns(want.ns) ? nullptr : ns_live(want.ns);
    if (n) {
      for (const auto& have : n->routes) {
        if (!route_matches(want, have)) continue;
        if (have.protocol == kRouteProtocol) return;
        // Same route, made by someone else (ip route add): in the lab's own namespace it is
        // the lab's to take over; in the host it was reported as a conflict.
        break;
      }
    }
    Action a{Op::Create, want.ns, describe_route(want), "missing", step::AddRoute{want}};
    if (want.ns == kHost) a.own.push_back(route_entry(want));
    if (!fresh_ns(want.ns)) a.undo = step::DeleteRoute{want};
    add(std::move(a));
  }

  void plan_sysctl(const SysctlObj& want) {
    const bool fresh = fresh_ns(want.ns);
    const bool host = want.ns == kHost;
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
  Plan plan_;
  std::set<std::string> wanted_ns_;
  std::set<std::pair<std::string, std::string>> wanted_links_;
  std::set<std::string> fresh_ns_;
  std::set<std::pair<std::string, std::string>> fresh_links_;
  // Lookups by key, not scans: a star lab of N namespaces has N links in the host.
  std::map<std::pair<std::string, std::string>, const LinkObj*> live_links_;
  std::set<AddrObj> wanted_addrs_;
};

}  // namespace

Plan make_plan(const DesiredState& desired, const LiveState& live, const Record& record,
               const HeldSettings& held) {
  return Planner(&desired, live, record, desired.lab, held).run();
}

Plan make_down_plan(const std::string& lab, const LiveState& live, const Record& record,
                    const HeldSettings& held) {
  return Planner(nullptr, live, record, lab, held).run();
}

ReadRequest record_read_request(const Record& record) {
  ReadRequest r;
  r.namespaces.assign(record.namespaces.begin(), record.namespaces.end());
  std::set<std::string> listed(record.namespaces.begin(), record.namespaces.end());
  for (const auto& [key, e] : record.links)
    if (key.first != kHost && listed.insert(key.first).second) r.namespaces.push_back(key.first);
  for (const auto& [key, old] : record.sysctl_old) r.sysctl_keys[key.first].push_back(key.second);
  r.nat_namespaces.assign(record.nat_namespaces.begin(), record.nat_namespaces.end());
  return r;
}

}  // namespace netlab
