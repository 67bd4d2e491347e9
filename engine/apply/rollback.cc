#include "apply/rollback.h"

#include <algorithm>
#include <set>

#include "apply/kernel.h"
#include "plan/overload.h"

namespace netlab {

namespace {

using NsSet = std::set<std::string>;

class Rollback {
 public:
  Rollback(Journal& journal, const std::function<void(const Step&)>& run,
           const std::vector<const Action*>& partial)
      : journal_(journal), run_(run), partial_(partial.begin(), partial.end()) {}

  RollbackResult take_back(const std::vector<const Action*>& newest_first,
                           const std::vector<RouteObj>& flushed_routes) {
    for (const Action* a : newest_first) {
      if (const auto* c = std::get_if<step::CreateNamespace>(&a->step)) dying_.insert(c->name);
      if (const auto* d = std::get_if<step::DeleteNamespace>(&a->step)) deleted_.insert(d->name);
    }
    std::vector<const Action*> namespaces, inside, routes;
    for (const Action* a : newest_first) {
      if (std::holds_alternative<step::CreateNamespace>(a->step) && a->undo) {
        namespaces.push_back(a);
      } else if (a->undo && goes_with_namespace(*a)) {
        inside.push_back(a);
      } else if (!a->undo || undoes_into_deleted(*a)) {
        result_.standing += a->op == Op::Delete && !a->detail;
      } else if (std::holds_alternative<step::AddRoute>(*a->undo) ||
                 std::holds_alternative<step::DeleteRoute>(*a->undo)) {
        routes.push_back(a);
      } else {
        undo(*a);
      }
    }
    // Routes last: a route needs its link and its gateway's address back first (a link put
    // back by a RestoreLink undo, older than the route's change).
    for (const Action* a : routes) undo(*a);
    restore_routes(flushed_routes);
    NsSet gone;
    for (const Action* a : namespaces)
      if (undo(*a)) gone.insert(std::get<step::CreateNamespace>(a->step).name);
    await_peers(gone);
    for (const Action* a : inside) {
      auto where = step_namespaces(a->step);
      if (!std::any_of(where.begin(), where.end(), [&](const auto& ns) { return gone.count(ns); }))
        continue;  // its namespace stays: the record keeps naming it, for `down`
      disown(*a);
      result_.undone += !a->detail;
    }
    return std::move(result_);
  }

 private:
  // What a namespace made by this run takes with it: everything in it, and a veth with an end
  // in it (the kernel deletes a pair with either end).
  bool goes_with_namespace(const Action& a) {
    auto where = step_namespaces(a.step);
    auto dies = [&](const std::string& ns) { return dying_.count(ns) != 0; };
    if (const auto* c = std::get_if<step::CreateLink>(&a.step); c && c->peer) {
      if (!dies(c->link.ns) && dies(c->peer->ns)) awaited_.push_back({c->link.ns, c->link.name});
      if (dies(c->link.ns) && !dies(c->peer->ns)) awaited_.push_back({c->peer->ns, c->peer->name});
      return dies(c->link.ns) || dies(c->peer->ns);
    }
    return !where.empty() && std::all_of(where.begin(), where.end(), dies);
  }

  // Returns whether the object is gone (taken back, or never there).
  bool undo(const Action& a) {
    bool happened = true;
    try {
      run_(*a.undo);
    } catch (const KernelError& e) {
      if (!never_happened(a, e.errno_value)) {
        result_.failures.push_back(describe(a) + ": " + e.what());
        return false;
      }
      // The create never reached the kernel, or somebody removed it since; the delete that
      // failed left it there.
      happened = false;
    } catch (const std::exception& e) {
      result_.failures.push_back(describe(a) + ": " + e.what());
      return false;
    }
    disown(a);
    result_.undone += happened && !a.detail;
    return true;
  }

  // What an undo that finds nothing to do (or its object there already) says of the action.
  // A link remade is a change to the user, but its undo takes back a create all the same.
  bool never_happened(const Action& a, int err) const {
    if (a.op == Op::Create || std::holds_alternative<step::CreateLink>(a.step))
      return already_gone(err);
    // A route back through a link that is gone: it went with that link's deletion, which
    // stands (and is said), or with an undo that failed (said too).
    if (std::holds_alternative<step::AddRoute>(*a.undo) && err == ENODEV) return true;
    // An address back already: put back with its link (RestoreLink), as it was read.
    if (std::holds_alternative<step::AddAddress>(*a.undo) && err == EEXIST) return true;
    return a.op == Op::Delete && err == EEXIST && partial_.count(&a);
  }

  // An undo that would work in a namespace the run deleted (no longer declared): what it
  // would put back went with that namespace, and stands with its deletion.
  bool undoes_into_deleted(const Action& a) const {
    auto where = step_namespaces(*a.undo);
    return std::any_of(where.begin(), where.end(),
                       [&](const auto& ns) { return deleted_.count(ns) && !dying_.count(ns); });
  }

  // Routes the kernel flushed with a link or address the run changed come back with them, once
  // those are back (a remade link put back by its RestoreLink undo included).
  void restore_routes(const std::vector<RouteObj>& routes) {
    for (const auto& r : routes) {
      if (dying_.count(r.ns)) continue;
      try {
        run_(step::AddRoute{r, true});
      } catch (const KernelError& e) {
        if (!already_gone(e.errno_value))
          result_.failures.push_back("add route " + r.dst.str() + " in " + r.ns + ": " + e.what());
      } catch (const std::exception& e) {
        result_.failures.push_back("add route " + r.dst.str() + " in " + r.ns + ": " + e.what());
      }
    }
  }
  static std::string describe(const Action& a) { return format_action(a); }

  void await_peers(const NsSet& gone) {
    std::vector<std::pair<std::string, std::string>> links;
    for (const auto& l : awaited_)
      if (!dying_.count(l.first)) links.push_back(l);
    if (links.empty() || gone.empty()) return;
    try {
      run_(step::AwaitGone{links});
    } catch (const std::exception& e) {
      result_.failures.push_back(e.what());
    }
  }

  void disown(const Action& a) {
    try {
      for (const auto& e : a.own) journal_.disown(e);
      for (const auto& e : a.reown) journal_.own(e);
    } catch (const std::exception& e) {
      result_.failures.push_back(e.what());
    }
  }

  Journal& journal_;
  const std::function<void(const Step&)>& run_;
  NsSet dying_;
  NsSet deleted_;                    // namespaces the run deleted
  std::set<const Action*> partial_;  // failed, and may not have happened
  std::vector<std::pair<std::string, std::string>> awaited_;
  RollbackResult result_;
};

}  // namespace

RollbackResult roll_back(const std::vector<const Action*>& done,
                         const std::vector<const Action*>& partial,
                         const std::vector<RouteObj>& flushed_routes, Journal& journal,
                         const std::function<void(const Step&)>& run) {
  std::vector<const Action*> newest_first(partial.begin(), partial.end());
  newest_first.insert(newest_first.end(), done.rbegin(), done.rend());
  return Rollback(journal, run, partial).take_back(newest_first, flushed_routes);
}

}  // namespace netlab
