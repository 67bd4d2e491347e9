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
  Rollback(Journal& journal, const std::function<void(const Step&)>& run)
      : journal_(journal), run_(run) {}

  RollbackResult take_back(const std::vector<const Action*>& newest_first,
                           const std::vector<RouteObj>& flushed_routes) {
    for (const Action* a : newest_first)
      if (const auto* c = std::get_if<step::CreateNamespace>(&a->step)) dying_.insert(c->name);
    std::vector<const Action*> namespaces, inside;
    for (const Action* a : newest_first) {
      if (!a->undo) {
        result_.standing += a->op == Op::Delete && !a->detail;
      } else if (std::holds_alternative<step::CreateNamespace>(a->step)) {
        namespaces.push_back(a);
      } else if (goes_with_namespace(*a)) {
        inside.push_back(a);
      } else {
        undo(*a);
      }
    }
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
      if (!already_gone(e.errno_value) || !undoes_a_create(a)) {
        result_.failures.push_back(describe(a) + ": " + e.what());
        return false;
      }
      happened = false;  // the create never reached the kernel, or somebody removed it since
    } catch (const std::exception& e) {
      result_.failures.push_back(describe(a) + ": " + e.what());
      return false;
    }
    disown(a);
    result_.undone += happened && !a.detail;
    return true;
  }

  static bool undoes_a_create(const Action& a) { return a.op == Op::Create; }

  // Routes the kernel flushed with a link or address the run changed come back with them;
  // one whose link the run deleted for good (a remade veth) stays with that deletion.
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
  return Rollback(journal, run).take_back(newest_first, flushed_routes);
}

}  // namespace netlab
