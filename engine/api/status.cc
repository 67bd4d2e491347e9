#include "api/status.h"

#include "api/services.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <variant>

namespace netlab {

namespace {

// Keys that tie a plan's step to the declared object it is about.
std::string link_key(const std::string& ns, const std::string& name) {
  return "link|" + ns + "|" + name;
}
std::string addr_key(const AddrObj& a) {
  return "addr|" + a.ns + "|" + a.dev + "|" + a.cidr.str();
}
std::string route_key(const RouteObj& r) {
  return "route|" + r.ns + "|" + describe_route(r);
}
std::string sysctl_key(const std::string& ns, const std::string& key) {
  return "sysctl|" + ns + "|" + key;
}
std::string nat_key(const NatRule& r) {
  return "nat|" + r.ns + "|" + r.str();
}
std::string impair_key(const std::string& ns, const std::string& dev) {
  return "impair|" + ns + "|" + dev;
}

std::vector<std::string> step_keys(const Step& step) {
  return std::visit(
      [](const auto& s) -> std::vector<std::string> {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, step::CreateNamespace> ||
                      std::is_same_v<T, step::DeleteNamespace>)
          return {"ns|" + s.name};
        else if constexpr (std::is_same_v<T, step::CreateLink>)
          return {link_key(s.link.ns, s.link.name), link_key(s.link.peer_ns, s.link.peer_name)};
        else if constexpr (std::is_same_v<T, step::ChangeLink> ||
                           std::is_same_v<T, step::DeleteLink>)
          return {link_key(s.ns, s.name)};
        else if constexpr (std::is_same_v<T, step::AddAddress> ||
                           std::is_same_v<T, step::DeleteAddress>)
          return {addr_key(s.addr)};
        else if constexpr (std::is_same_v<T, step::AddRoute> ||
                           std::is_same_v<T, step::DeleteRoute>)
          return {route_key(s.route)};
        else if constexpr (std::is_same_v<T, step::SetSysctl> ||
                           std::is_same_v<T, step::HoldSysctl> ||
                           std::is_same_v<T, step::ReleaseSysctl>)
          return {sysctl_key(s.ns, s.key)};
        else if constexpr (std::is_same_v<T, step::AddNat> || std::is_same_v<T, step::DeleteNat>)
          return {nat_key(s.rule)};
        else if constexpr (std::is_same_v<T, step::AddQdisc> ||
                           std::is_same_v<T, step::DeleteQdisc>)
          return {impair_key(s.qdisc.ns, s.qdisc.dev)};
        else
          return {};
      },
      step);
}

std::string link_live(const NsLive* n, const std::string& name) {
  const LinkObj* l = n ? n->link(name) : nullptr;
  if (!l) return "absent";
  std::string s = l->up ? "up" : "down";
  if (l->mtu) s += ", mtu " + std::to_string(*l->mtu);
  if (!l->master.empty()) s += ", bridge " + l->master;
  return s;
}

// netlab's qdiscs by namespace and link, from one pass over what was read.
using QdiscsByLink = std::map<std::pair<std::string, std::string>, std::vector<const QdiscObj*>>;
QdiscsByLink our_qdiscs(const LiveState& live) {
  QdiscsByLink out;
  for (const auto& [ns, n] : live.ns)
    for (const auto& q : n.qdiscs)
      if (q.ours()) out[{ns, q.dev}].push_back(&q);
  return out;
}

std::string impairment_live(const LiveState& live, const QdiscsByLink& ours, const ImpairObj& m) {
  const NsLive* n = live.find(m.ns);
  if (!n || !n->link(m.dev)) return "absent";
  auto it = ours.find({m.ns, m.dev});
  return it == ours.end() ? "absent" : describe_impairment(impairment_of(it->second));
}

bool has_route(const NsLive* n, const RouteObj& want) {
  return n && std::any_of(n->routes.begin(), n->routes.end(),
                          [&](const RouteObj& h) { return want.matches(h); });
}

std::string sysctl_live(const NsLive* n, const std::string& key) {
  if (!n || !n->exists) return "absent";
  auto it = n->sysctl.find(key);
  return it == n->sysctl.end() ? "unknown" : it->second;
}

// The key of the declared object a conflict stands in the way of; "" for none.
std::string conflict_key(const DesiredState& d, const Conflict& c) {
  if (c.vertex.rfind("ns:", 0) == 0) return "ns|" + c.vertex.substr(3);
  for (const auto& m : d.impairs)
    if (c.vertex == impair_vertex(m.ns, m.dev)) return impair_key(m.ns, m.dev);
  for (const auto& l : d.links)
    if (c.vertex == link_vertex(l.ns, l.name)) return link_key(l.ns, l.name);
  for (const auto& r : d.routes)
    if (c.vertex == route_vertex(r)) return route_key(r);
  return "";
}

class Builder {
 public:
  void add(std::string key, std::string ns, std::string object, std::string live) {
    index_[key] = entries_.size();
    entries_.push_back({Drift::Ok, std::move(ns), std::move(object), "", std::move(live)});
  }

  // Marks the declared objects an action is about; an action about none is extra.
  void apply(const Action& a) {
    bool matched = false;
    for (const auto& k : step_keys(a.step)) {
      auto it = index_.find(k);
      if (it == index_.end()) continue;
      matched = true;
      StatusEntry& e = entries_[it->second];
      Drift d = a.op == Op::Create ? Drift::Missing : Drift::Changed;
      e.state = e.state == Drift::Ok || e.state == d ? d : Drift::Changed;
      e.why += (e.why.empty() ? "" : "; ") + a.why;
    }
    if (!matched) extra_.push_back({Drift::Extra, a.ns, a.object, a.why, "present"});
  }

  // Marks the declared object a conflict is about; false when it is about none.
  bool conflict(const std::string& key, const Conflict& c) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    StatusEntry& e = entries_[it->second];
    e.state = Drift::Conflict;
    e.why = c.reason;
    return true;
  }

  // What the kernel lacks is missing, whatever the plan says (a namespace's loopback comes
  // with the namespace; a plan that stopped at conflicts says nothing at all).
  void judge_by_presence() {
    for (auto& e : entries_)
      if (e.state == Drift::Ok && e.live == "absent") {
        e.state = Drift::Missing;
        e.why = "missing";
      }
  }

  void drop_extras_in(const std::set<std::string>& namespaces) {
    std::erase_if(extra_, [&](const StatusEntry& e) { return namespaces.count(e.ns) != 0; });
  }

  std::vector<StatusEntry> take() {
    entries_.insert(entries_.end(), extra_.begin(), extra_.end());
    return std::move(entries_);
  }

 private:
  std::map<std::string, size_t> index_;
  std::vector<StatusEntry> entries_, extra_;
};

}  // namespace

const char* drift_name(Drift d) {
  switch (d) {
    case Drift::Ok:
      return "ok";
    case Drift::Missing:
      return "missing";
    case Drift::Changed:
      return "changed";
    case Drift::Extra:
      return "extra";
    case Drift::Conflict:
      return "conflict";
  }
  return "?";
}

bool Status::in_sync() const {
  return conflicts.empty() && std::all_of(entries.begin(), entries.end(),
                                          [](const auto& e) { return e.state == Drift::Ok; });
}

namespace {

// The services' entries and states: against the file's services (and the plan's `actions` for
// them) when given, else as recorded.
void add_services(Status& st, const RecordStore& store, const Record& record,
                  const std::vector<ServiceSpec>* wanted, const std::vector<Action>& actions) {
  ServicesLive live = read_services(store, record);
  std::vector<std::pair<std::string, std::string>> keys;
  if (wanted)
    for (const auto& s : *wanted) keys.emplace_back(s.ns, s.name);
  for (const auto& [key, e] : record.services)
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  for (const auto& [ns, name] : keys) {
    auto l = live.find({ns, name});
    const ServiceLive now = l == live.end() ? ServiceLive{} : l->second;
    ServiceStatus ss{ns,
                     name,
                     now.running       ? "running"
                     : now.exit_status ? "exited"
                                       : "not running",
                     now.exit_status,
                     now.running ? record.services.at({ns, name}).pid : 0,
                     service_log(store, record.lab, ns, name)};
    StatusEntry e{Drift::Ok, ns, "service " + name, "", service_state_text(now)};
    if (now.running) e.live += ", pid " + std::to_string(ss.pid);
    // By the entry's fields: a lambda may not capture a structured binding (before C++20's
    // P1091, which clang 14 lacks).
    auto a = std::find_if(actions.begin(), actions.end(), [&e = ss](const Action& x) {
      const auto* s = std::get_if<step::Service>(&x.step);
      return s && s->ns == e.ns && s->name == e.name;
    });
    if (a != actions.end()) {
      e.state = a->op == Op::Create   ? Drift::Missing
                : a->op == Op::Change ? Drift::Changed
                                      : Drift::Extra;
      e.why = a->why.empty() ? "not started" : a->why;
    } else if (!wanted && !now.running) {
      e.state = Drift::Missing;
      e.why = "recorded but not running";
    }
    st.entries.push_back(std::move(e));
    st.services.push_back(std::move(ss));
  }
}

}  // namespace

Status lab_status(Engine& engine, const DesiredState& d) {
  Record record = engine.store().load(d.lab);
  LiveState live = engine.read(&d, record);
  Plan plan = engine.plan_against(d, live, record);

  Builder b;
  for (const auto& ns : d.namespaces) {
    const NsLive* n = live.find(ns);
    b.add("ns|" + ns, kHost, "namespace " + ns, n && n->exists ? "exists" : "absent");
  }
  for (const auto& l : d.links)
    b.add(link_key(l.ns, l.name), l.ns, describe_link(l), link_live(live.find(l.ns), l.name));
  for (const auto& lo : d.loopbacks)
    b.add(link_key(lo.ns, "lo"), lo.ns, "loopback lo", link_live(live.find(lo.ns), "lo"));
  for (const auto& a : d.addrs) {
    const NsLive* n = live.find(a.ns);
    bool here = n && std::find(n->addrs.begin(), n->addrs.end(), a) != n->addrs.end();
    b.add(addr_key(a), a.ns, "address " + a.cidr.str() + " on " + a.dev,
          here ? "present" : "absent");
  }
  for (const auto& r : d.routes)
    b.add(route_key(r), r.ns, describe_route(r),
          has_route(live.find(r.ns), r) ? "present" : "absent");
  for (const auto& s : d.sysctls)
    b.add(sysctl_key(s.ns, s.key), s.ns, "sysctl " + s.key + " = " + s.value,
          sysctl_live(live.find(s.ns), s.key));
  for (const auto& r : d.nat) {
    const NsLive* n = live.find(r.ns);
    bool here = n && std::any_of(n->nat.begin(), n->nat.end(),
                                 [&](const NatRule& h) { return h.same_rule(r); });
    b.add(nat_key(r), r.ns, "nat rule " + r.str(), here ? "present" : "absent");
  }
  const QdiscsByLink ours = our_qdiscs(live);
  for (const auto& m : d.impairs)
    b.add(impair_key(m.ns, m.dev), m.ns,
          "impairment on " + m.dev + ": " + describe_impairment(m.value),
          impairment_live(live, ours, m));
  // The planner stops at conflicts. To show the real drift of everything else, plan on past
  // them as if the lab owned what it declares; such a plan is only read, never applied.
  std::optional<Plan> past;
  if (!plan.conflicts.empty())
    past = engine.plan_against(d, live, record, {.past_conflicts = true});
  for (const auto& a : (past ? *past : plan).actions)
    if (!a.detail) b.apply(a);
  b.judge_by_presence();
  std::set<std::string> foreign;
  for (const auto& c : plan.conflicts) {
    b.conflict(conflict_key(d, c), c);
    if (c.vertex.rfind("ns:", 0) == 0) foreign.insert(c.vertex.substr(3));
  }
  // Extras found only by pretending to own a foreign namespace are not the lab's.
  b.drop_extras_in(foreign);
  Status st{d.lab, d.file, false, b.take(), plan.conflicts, {}};
  add_services(st, engine.store(), record, &d.services, plan.services);
  return st;
}

Status lab_status_from_record(Engine& engine, const std::string& lab) {
  Record rec = engine.store().load(lab);
  LiveState live = engine.read(nullptr, rec);
  Status st{lab, rec.file, true, {}, {}, {}};
  auto add = [&](bool here, std::string ns, std::string object, std::string live_text) {
    st.entries.push_back({here ? Drift::Ok : Drift::Missing, std::move(ns), std::move(object),
                          here ? "" : "recorded but gone", std::move(live_text)});
  };
  for (const auto& ns : rec.namespaces) {
    const NsLive* n = live.find(ns);
    bool here = n && n->exists;
    add(here, kHost, "namespace " + ns, here ? "exists" : "absent");
  }
  for (const auto& [key, entry] : rec.links) {
    std::string text = link_live(live.find(key.first), key.second);
    add(text != "absent", key.first, "link " + key.second, text);
  }
  for (const auto& r : rec.routes) {
    bool here = has_route(live.find(r.ns), r);
    add(here, r.ns, describe_route(r), here ? "present" : "absent");
  }
  for (const auto& [key, old] : rec.sysctl_old) {
    std::string now = sysctl_live(live.find(key.first), key.second);
    add(now != "absent", key.first, "sysctl " + key.second + " (was " + old + ")", now);
  }
  const std::string tag = lab_tag(lab);
  for (const auto& ns : rec.nat_namespaces) {
    const NsLive* n = live.find(ns);
    size_t count = n ? std::count_if(n->nat.begin(), n->nat.end(),
                                     [&](const NatRule& r) { return r.comment == tag; })
                     : 0;
    add(count > 0, ns, "nat rules tagged " + tag, std::to_string(count) + " rule(s)");
  }
  add_services(st, engine.store(), rec, nullptr, {});
  return st;
}

}  // namespace netlab
