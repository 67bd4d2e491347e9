#include "api/engine.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "api/lab_names.h"
#include "api/private_host.h"
#include "api/ready_links.h"
#include "api/services.h"

namespace netlab {

namespace {

ReadRequest merge(ReadRequest a, const ReadRequest& b) {
  // A set of what is there: a lab of many namespaces would compare each with each.
  auto add_unique = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    std::set<std::string_view> have(to.begin(), to.end());
    std::vector<std::string> add;
    for (const auto& x : from)
      if (have.insert(x).second) add.push_back(x);
    to.insert(to.end(), add.begin(), add.end());
  };
  add_unique(a.namespaces, b.namespaces);
  add_unique(a.nat_namespaces, b.nat_namespaces);
  a.qdisc_namespaces.insert(b.qdisc_namespaces.begin(), b.qdisc_namespaces.end());
  add_unique(a.link_kinds, b.link_kinds);
  add_unique(a.qdisc_kinds, b.qdisc_kinds);
  add_unique(a.host_links, b.host_links);
  for (const auto& [ns, keys] : b.sysctl_keys) add_unique(a.sysctl_keys[ns], keys);
  return a;
}

// The part of a request that concerns `names` (no host).
ReadRequest only(const ReadRequest& r, const std::vector<std::string>& names) {
  ReadRequest out;
  out.host = false;
  out.namespaces = names;
  out.link_kinds = r.link_kinds;  // how links are read, wherever they are
  out.qdisc_kinds = r.qdisc_kinds;
  out.host_links = r.host_links;  // how they are named
  for (const auto& ns : names) {
    if (auto it = r.sysctl_keys.find(ns); it != r.sysctl_keys.end())
      out.sysctl_keys[ns] = it->second;
    if (std::find(r.nat_namespaces.begin(), r.nat_namespaces.end(), ns) != r.nat_namespaces.end())
      out.nat_namespaces.push_back(ns);
    if (r.qdisc_namespaces.count(ns)) out.qdisc_namespaces.insert(ns);
  }
  return out;
}

// The rest of a request, once the namespaces in `read` are read.
ReadRequest without(ReadRequest r, const LiveState& read) {
  auto gone = [&](const std::string& ns) { return read.ns.count(ns) != 0; };
  if (gone(kHost)) r.host = false;
  std::erase_if(r.namespaces, gone);
  std::erase_if(r.nat_namespaces, gone);
  std::erase_if(r.qdisc_namespaces, gone);
  std::erase_if(r.sysctl_keys, [&](const auto& kv) { return gone(kv.first); });
  return r;
}

ReadRequest request_for(const DesiredState* desired, const Record& record) {
  ReadRequest req = record_read_request(record);
  if (!desired) return req;  // a qdisc goes with its link: `down` needs not read them
  req.qdisc_namespaces = record.qdisc_namespaces;
  return merge(desired->read_request(), req);
}

// The namespaces a run cannot have changed: no step works in them, and none holds the other end
// of a veth, or a link made on a link, in one that a step works in (the kernel deletes those
// along). Ifindexes are per namespace, so this may count more namespaces touched, never fewer.
std::vector<std::string> untouched(const Plan& plan, const LiveState& before) {
  std::set<std::string> touched;
  for (const auto& a : plan.actions)
    for (auto& ns : step_namespaces(a.step)) touched.insert(std::move(ns));
  std::set<int> indexes;
  for (const auto& ns : touched)
    if (const NsLive* n = before.find(ns))
      for (const auto& l : n->links) indexes.insert(l.ifindex);
  std::vector<std::string> out;
  for (const auto& [ns, n] : before.ns) {
    bool linked = std::any_of(n.links.begin(), n.links.end(), [&](const LinkObj& l) {
      return (l.peer_ifindex && indexes.count(l.peer_ifindex)) ||
             (l.lower_ifindex && indexes.count(l.lower_ifindex));
    });
    if (!touched.count(ns) && !linked) out.push_back(ns);
  }
  return out;
}

std::string difference_text(const std::string& file, const Plan& again) {
  std::string msg = "after up, the kernel still differs from " + file + ":";
  for (const auto& a : again.actions) msg += "\n  " + format_action(a);
  for (const auto& c : again.conflicts) msg += "\n  " + c.str();
  return msg;
}

std::string conflict_text(const std::vector<Conflict>& c) {
  std::string s = "refusing to touch what the lab does not own:";
  for (const auto& x : c) s += "\n  " + x.str();
  return s;
}

}  // namespace

ConflictError::ConflictError(std::vector<Conflict> c)
    : std::runtime_error(conflict_text(c)), conflicts(std::move(c)) {}

HeldSettings Engine::held() const {
  return HostSettings(store_.dir()).held();
}

LiveState Engine::read(const DesiredState* desired, const Record& record) {
  return kernel_.read(request_for(desired, record));
}

HeldSettings Engine::held_for(bool isolated) const {
  return isolated ? HeldSettings{} : held();  // an isolated lab shares its host with no lab
}

void Engine::check_host_view(const std::string& lab, bool private_host) const {
  if (!host_view_ || *host_view_ == private_host) return;
  throw RecordError("lab " + lab + " was brought " +
                    (private_host ? "up isolated" : "down or up on this machine's network") +
                    " by another run while this one waited for it; run this again");
}

Plan Engine::plan_against(const DesiredState& desired, const LiveState& live, const Record& record,
                          PlanOptions options) const {
  Plan plan = make_plan(desired, live, record, held_for(desired.isolated), options);
  // A plan past conflicts is read for its actions only (status): the conflicts and services
  // below are the first plan's.
  if (options.past_conflicts) return plan;
  const NsLive* host = live.find(kHost);
  for (auto& c : private_host_conflicts(desired, record, host ? *host : NsLive{}))
    plan.conflicts.push_back(std::move(c));
  if (etc_)
    for (auto& c : LabNames(*etc_, store_.dir(), desired.lab).conflicts(desired))
      plan.conflicts.push_back(std::move(c));
  plan.services =
      plan_services(desired.services, record, read_services(store_, record), plan.actions);
  return plan;
}

Plan Engine::plan(const DesiredState& desired) {
  Record record = store_.load(desired.lab);
  check_host_view(desired.lab, desired.isolated);
  return plan_against(desired, read(&desired, record), record);
}

Outcome Engine::up(const DesiredState& desired) {
  auto lock = store_.lock(desired.lab, options_.lock_timeout);
  Record record = store_.load(desired.lab);
  check_host_view(desired.lab, desired.isolated || record.private_host);
  // A lab that is not up when this fails (refused, or rolled back) keeps no lock file either,
  // nor a host of its own that this run made.
  bool made_host = false;
  std::optional<LabNames> lab_names;
  if (etc_) lab_names.emplace(*etc_, store_.dir(), desired.lab);
  auto tidy = [&] {
    if (made_host && only_private_host(record))
      remove_private_host(kernel_, store_, record, kernel_.read({}).ns[kHost]);
    if (lab_names) lab_names->drop_unrecorded(desired, record);
    if (!record.empty()) return;
    store_.save(record);  // what a run killed before it changed anything left
    remove_service_files(store_, desired.lab);
    store_.remove_lock(lock);
  };
  LiveState before = read(&desired, record);
  Outcome out{plan_against(desired, before, record), {}};
  if (!out.plan.conflicts.empty()) {
    tidy();
    throw ConflictError(out.plan.conflicts);
  }
  try {
    settle_private_host(desired, kernel_, store_, record, before.ns[kHost], made_host);
  } catch (...) {
    tidy();
    throw;
  }
  if (out.plan.actions.empty() && out.plan.forget.empty() && out.plan.adopt.empty() &&
      out.plan.services.empty() && record.file == desired.file) {
    if (made_host) store_.save(record);
    if (lab_names) lab_names->settle(desired);  // writes only what is not in place
    return out;  // converged: not one write, to the kernel or the record
  }
  // A namespace that goes loses its entries first: the record names it until it is gone.
  if (lab_names) lab_names->drop_undeclared(desired, record);

  // Trust, but verify: read the kernel back and plan again; nothing may be left to do. The
  // namespaces this run makes are read as soon as the plan is done with them, while the
  // kernel is still quiet: the last actions (a bridge coming up) start the lab's IPv6
  // start-up traffic, which slows reads after them several times over (bench/README.md).
  const ReadRequest request = request_for(&desired, record);
  Services services(store_, record, options_.stop);
  LiveState seen;
  // What no step can have changed is verified as it was read: an edit of one namespace of a
  // large lab reads that one back, not the lab.
  for (const auto& ns : untouched(out.plan, before)) seen.ns[ns] = std::move(before.ns[ns]);
  auto read_finished = [&](const std::vector<std::string>& names) {
    for (auto& [ns, live] : kernel_.read(only(request, names)).ns) seen.ns[ns] = std::move(live);
  };
  // Verified before the run counts as done: a kernel that does not end as planned rolls the
  // run back like any failure. Then the links the run started, as far as the read back did not
  // show them carrying traffic yet, are waited for: the user's next command needs them.
  auto verify = [&] {
    LiveState now = kernel_.read(without(request_for(&desired, record), seen));
    now.ns.merge(seen.ns);
    Plan again = make_plan(desired, now, record, held_for(desired.isolated));
    if (!again.actions.empty() || !again.conflicts.empty())
      throw VerifyError(difference_text(desired.file, again));
    auto late = not_ready(links_to_start(desired, out.plan), now);
    if (!late.empty()) kernel_.wait_ready(late);
    // Names before services: a service may look one up as it starts.
    if (lab_names) lab_names->settle(desired);
    // The services once the network is ready: one that does not start rolls the run back.
    services.start_for(out.plan.services, desired.services);
  };
  Executor exec(kernel_, store_, record);
  try {
    // Those going, and those to restart, stop before the network changes under them.
    services.stop_for(out.plan.services);
    out.counts = exec.apply(out.plan, desired.file,
                            {.progress = options_.progress,
                             .stop = options_.stop,
                             .on_finished = read_finished,
                             .verify = verify});
  } catch (...) {
    tidy();
    throw;
  }
  return out;
}

Outcome Engine::down(const std::string& lab) {
  auto lock = store_.lock(lab, options_.lock_timeout);
  Record record = store_.load(lab);
  check_host_view(lab, record.private_host);
  ReadRequest request = request_for(nullptr, record);
  HeldSettings settings = held_for(record.private_host);
  // A lost record (its objects still tagged): its NAT rules in the host carry the lab's tag,
  // and the host settings may still name it as a holder.
  if (record.empty()) {
    request.nat_namespaces.push_back(kHost);
    for (const auto& [key, h] : settings)
      if (std::find(h.labs.begin(), h.labs.end(), lab) != h.labs.end())
        request.sysctl_keys[key.first].push_back(key.second);
  }
  // The services first: a process in a namespace would keep it from being freed.
  std::vector<Action> stopped = plan_services({}, record, {});
  for (auto& a : stopped) a.why = "lab down";
  // One that cannot be stopped stays recorded, for the next `down`; the rest goes on.
  std::vector<std::string> failures = Services(store_, record, options_.stop).stop_all();
  LiveState live = kernel_.read(request);
  Outcome out{make_down_plan(lab, live, record, settings), {}};
  // The names go first, while the record still names the namespaces they belong to.
  if (etc_) LabNames(*etc_, store_.dir(), lab).remove(record);
  out.plan.services = std::move(stopped);
  if (!out.plan.actions.empty() || !out.plan.forget.empty() || !record.empty()) {
    Executor exec(kernel_, store_, record);
    try {
      out.counts = exec.apply(out.plan, "", {.progress = options_.progress, .stop = options_.stop});
    } catch (const IncompleteError& e) {
      if (failures.empty()) throw;
      failures.insert(failures.end(), e.failures.begin(), e.failures.end());
      throw incomplete(lab, std::move(failures));
    }
  }
  // Last, once nothing of the lab is left in it: what the lab had for a host.
  if (record.private_host) {
    remove_private_host(kernel_, store_, record, live.ns[kHost]);
    store_.save(record);
  }
  if (record.empty()) {
    // A run killed before its first change or after its last leaves a record that owns
    // nothing: it goes, so that nothing of the lab is left.
    store_.save(record);
    remove_service_files(store_, lab);
    store_.remove_lock(lock);
  }
  if (!failures.empty()) throw incomplete(lab, std::move(failures));
  return out;
}

}  // namespace netlab
