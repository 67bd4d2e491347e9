#include "api/ready_links.h"

#include <set>

#include "plan/overload.h"

namespace netlab {

namespace {

const LinkObj* desired_link(const DesiredState& d, const std::string& ns, const std::string& name) {
  int i = d.find_link(ns, name);
  return i < 0 ? nullptr : &d.links[static_cast<size_t>(i)];
}

class Carriers {
 public:
  explicit Carriers(const DesiredState& d) : d_(d) {
    for (const auto& l : d.links)
      if (!l.master.empty() && veth_carries(l)) bridges_with_port_.insert({l.ns, l.master});
  }

  bool carries(const LinkObj& l) const {
    if (l.kind == "veth") return veth_carries(l);
    if (l.kind == "bridge") return l.up && bridges_with_port_.count({l.ns, l.name});
    return false;
  }

 private:
  // Its carrier comes with its peer's `up`; a port forwards only on a bridge that is up.
  bool veth_carries(const LinkObj& l) const {
    const LinkObj* peer = desired_link(d_, l.peer_ns, l.peer_name);
    const LinkObj* bridge = l.master.empty() ? nullptr : desired_link(d_, l.ns, l.master);
    return l.up && peer && peer->up && (l.master.empty() || (bridge && bridge->up));
  }

  const DesiredState& d_;
  std::set<LinkRef> bridges_with_port_;
};

// What a step starts: the link, and what its carrier reaches (a veth's peer, their bridges).
void started(const DesiredState& d, const std::string& ns, const std::string& name,
             std::set<LinkRef>& out) {
  const LinkObj* l = desired_link(d, ns, name);
  if (!l) return;
  for (const LinkObj* end : {l, desired_link(d, l->peer_ns, l->peer_name)})
    if (end) {
      out.insert({end->ns, end->name});
      if (!end->master.empty()) out.insert({end->ns, end->master});
    }
}

}  // namespace

std::vector<LinkRef> links_to_start(const DesiredState& desired, const Plan& plan) {
  std::set<LinkRef> touched;
  for (const auto& a : plan.actions)
    std::visit(
        Overload{
            [&](const step::CreateLink& x) { started(desired, x.link.ns, x.link.name, touched); },
            [&](const step::ChangeLink& x) {
              if ((x.change.up && *x.change.up) || (x.change.master && !x.change.master->empty()))
                started(desired, x.ns, x.name, touched);
            },
            [](const auto&) {}},
        a.step);
  Carriers carriers(desired);
  std::vector<LinkRef> out;
  for (const auto& ref : touched)
    if (const LinkObj* l = desired_link(desired, ref.first, ref.second); l && carriers.carries(*l))
      out.push_back(ref);
  return out;
}

std::vector<LinkRef> not_ready(const std::vector<LinkRef>& links, const LiveState& live) {
  std::vector<LinkRef> out;
  for (const auto& ref : links) {
    const NsLive* n = live.find(ref.first);
    const LinkObj* l = n ? n->link(ref.second) : nullptr;
    if (!l || !l->ready) out.push_back(ref);
  }
  return out;
}

}  // namespace netlab
