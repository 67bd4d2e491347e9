#include "apply/executor.h"

#include "apply/namespace_maker.h"
#include "plan/overload.h"
#include "record/host_settings.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>

namespace netlab {

namespace {

// Undoing a step whose object is already gone is a success.
bool already_gone(int err) {
  return err == ENODEV || err == ENOENT || err == ESRCH || err == EADDRNOTAVAIL;
}

// For each action, the namespaces the plan creates that no later action works in.
std::vector<std::vector<std::string>> finishing(const std::vector<Action>& actions) {
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < actions.size(); ++i) {
    if (const auto* c = std::get_if<step::CreateNamespace>(&actions[i].step))
      last[c->name] = i;
    else
      for (const auto& ns : step_namespaces(actions[i].step))
        if (auto it = last.find(ns); it != last.end()) it->second = i;
  }
  std::vector<std::vector<std::string>> at(actions.size());
  for (const auto& [ns, i] : last) at[i].push_back(ns);
  return at;
}

}  // namespace

std::string describe_step(const Step& s) {
  return std::visit(
      Overload{
          [](const step::CreateNamespace& x) { return "create namespace " + x.name; },
          [](const step::DeleteNamespace& x) { return "delete namespace " + x.name; },
          [](const step::CreateLink& x) {
            return "create " + x.link.kind + " " + x.link.name + " in " + x.link.ns;
          },
          [](const step::ChangeLink& x) { return "configure " + x.name + " in " + x.ns; },
          [](const step::DeleteLink& x) { return "delete " + x.name + " in " + x.ns; },
          [](const step::DeleteGroup& x) {
            return "delete the links of group " + std::to_string(x.group) + " in " + x.ns;
          },
          [](const step::AddAddress& x) {
            return "add address " + x.addr.cidr.str() + " to " + x.addr.dev + " in " + x.addr.ns;
          },
          [](const step::DeleteAddress& x) {
            return "delete address " + x.addr.cidr.str() + " from " + x.addr.dev + " in " +
                   x.addr.ns;
          },
          [](const step::AddRoute& x) {
            return "add route " + x.route.dst.str() + " in " + x.route.ns;
          },
          [](const step::DeleteRoute& x) {
            return "delete route " + x.route.dst.str() + " in " + x.route.ns;
          },
          [](const step::SetSysctl& x) { return "set " + x.key + "=" + x.value + " in " + x.ns; },
          [](const step::HoldSysctl& x) { return "set " + x.key + "=" + x.value + " in " + x.ns; },
          [](const step::ReleaseSysctl& x) { return "restore " + x.key + " in " + x.ns; },
          [](const step::AddNat& x) { return "add nat rule in " + x.rule.ns; },
          [](const step::DeleteNat& x) { return "delete nat rule in " + x.rule.ns; },
          [](const step::AwaitGone& x) {
            return "wait for " + std::to_string(x.links.size()) + " link(s) to go";
          },
      },
      s);
}

void Executor::set_sysctl(const step::SetSysctl& x) {
  std::string old = kernel_.set_sysctl(x.ns, x.key, x.value);
  if (!x.record_old) return;
  learned_.push_back({OwnedEntry::Kind::Sysctl, x.ns, x.key});
  learned_.back().old_value = std::move(old);
}

void Executor::hold_sysctl(const step::HoldSysctl& x) {
  HostSettings(store_.dir()).hold(record_.lab, x.ns, x.key, x.value, x.original, [&] {
    return kernel_.set_sysctl(x.ns, x.key, x.value);
  });
}

void Executor::release_sysctl(const step::ReleaseSysctl& x) {
  auto set = [&](const std::string& v) {
    if (x.restore) kernel_.set_sysctl(x.ns, x.key, v);
  };
  auto r = HostSettings(store_.dir()).release(record_.lab, x.ns, x.key, set);
  if (r.what == HostSettings::Release::Unknown && !x.fallback.empty()) set(x.fallback);
}

void Executor::run(const Step& s) {
  std::visit(Overload{
                 [&](const step::CreateNamespace& x) { kernel_.create_namespace(x.name); },
                 [&](const step::DeleteNamespace& x) { kernel_.delete_namespace(x.name); },
                 [&](const step::CreateLink& x) { kernel_.create_link(x.link, x.peer.get()); },
                 [&](const step::ChangeLink& x) { kernel_.change_link(x.ns, x.name, x.change); },
                 [&](const step::DeleteLink& x) { kernel_.delete_link(x.ns, x.name); },
                 [&](const step::DeleteGroup& x) { kernel_.delete_group(x.ns, x.group); },
                 [&](const step::AddAddress& x) { kernel_.add_address(x.addr); },
                 [&](const step::DeleteAddress& x) { kernel_.delete_address(x.addr); },
                 [&](const step::AddRoute& x) { kernel_.add_route(x.route); },
                 [&](const step::DeleteRoute& x) { kernel_.delete_route(x.route); },
                 [&](const step::SetSysctl& x) { set_sysctl(x); },
                 [&](const step::HoldSysctl& x) { hold_sysctl(x); },
                 [&](const step::ReleaseSysctl& x) { release_sysctl(x); },
                 [&](const step::AddNat& x) { kernel_.add_nat(x.rule); },
                 [&](const step::DeleteNat& x) { kernel_.delete_nat(x.rule); },
                 [&](const step::AwaitGone& x) { kernel_.wait_gone(x.links); },
             },
             s);
}

ApplyCounts Executor::apply(const Plan& plan, const std::string& file, const Progress& progress,
                            const std::atomic<bool>* stop, const Finished& on_finished) {
  ApplyCounts counts;
  auto journal = store_.journal(record_);
  if (!file.empty() && !plan.actions.empty()) journal.set_file(file);
  std::vector<const Action*> done;
  const Action* failed = nullptr;
  const Action* half_made = nullptr;  // the maker's failure, when the main thread failed too
  std::string error;
  const auto& actions = plan.actions;
  // Journalled a phase at a time: a phase is a run of actions of one kind (create the
  // namespaces, then the links, ...). Its intents are written with one sync before the first
  // of them touches the kernel; the disowns of its done actions when it ends (a record that
  // still names a deleted object only costs a later `down` a lookup).
  size_t owned_until = 0;  // actions before this index have their intents journalled
  std::vector<OwnedEntry> disowned;
  auto flush_disowned = [&] {
    journal.disown(disowned);
    disowned.clear();
    journal.own(learned_);  // the values this run's sysctls replaced (set_sysctl)
    learned_.clear();
  };
  size_t finished = 0;
  auto tally = [&](const Action& a) {
    disowned.insert(disowned.end(), a.disown.begin(), a.disown.end());
    if (!a.detail) {
      if (a.op == Op::Create) ++counts.created;
      if (a.op == Op::Change) ++counts.changed;
      if (a.op == Op::Delete) ++counts.deleted;
    }
    if (progress) progress(a, ++finished, actions.size());
  };

  // A phase of new namespaces is made ahead, on a helper thread: actions[ahead, ahead + n).
  // In `done` they go where the phase began, before everything that works inside them.
  std::optional<NamespaceMaker> maker;
  size_t ahead = 0, ahead_tallied = 0, ahead_done_at = 0;
  auto tally_ahead = [&] {
    for (size_t made = maker->made(); ahead_tallied < made; ++ahead_tallied)
      tally(actions[ahead + ahead_tallied]);
  };
  auto settle_ahead = [&](bool abandon) -> std::exception_ptr {
    if (!maker) return nullptr;
    std::exception_ptr err = maker->finish(abandon);
    tally_ahead();
    std::vector<const Action*> made;
    for (size_t k = 0; k < ahead_tallied; ++k) made.push_back(&actions[ahead + k]);
    done.insert(done.begin() + static_cast<std::ptrdiff_t>(ahead_done_at), made.begin(),
                made.end());
    // Its failure is the run's own unless the run had already failed (then it goes back too).
    if (err) (error.empty() ? failed : half_made) = &actions[ahead + ahead_tallied];
    maker.reset();
    return err;
  };

  // Namespaces this plan makes, reported (on_finished) once no later action works in them.
  std::vector<std::vector<std::string>> finishing_at;
  if (on_finished) finishing_at = finishing(actions);
  std::vector<std::string> finished_ns;  // not reported yet
  auto finish = [&](size_t i) {
    if (on_finished)
      finished_ns.insert(finished_ns.end(), finishing_at[i].begin(), finishing_at[i].end());
  };
  auto report_finished = [&] {
    if (finished_ns.empty()) return;
    // A namespace with nothing in it is finished once planned: it may still be in the making.
    for (const auto& ns : finished_ns)
      if (maker && maker->has(ns) && !maker->wait(ns)) return;  // never made: the run fails
    on_finished(finished_ns);
    finished_ns.clear();
  };

  try {
    for (size_t i = 0; i < actions.size(); ++i) {
      const Action& a = actions[i];
      if (stop && stop->load()) throw std::runtime_error("interrupted");
      if (i == owned_until) {
        report_finished();
        flush_disowned();
        // Write-ahead: the record names the objects before the kernel has them.
        std::vector<OwnedEntry> intents;
        for (; owned_until < actions.size() && actions[owned_until].step.index() == a.step.index();
             ++owned_until)
          intents.insert(intents.end(), actions[owned_until].own.begin(),
                         actions[owned_until].own.end());
        journal.own(intents);
        if (std::holds_alternative<step::CreateNamespace>(a.step)) {
          if (auto err = settle_ahead(false)) std::rethrow_exception(err);
          std::vector<std::string> names;
          for (size_t k = i; k < owned_until; ++k)
            names.push_back(std::get<step::CreateNamespace>(actions[k].step).name);
          ahead = i;
          ahead_tallied = 0;
          ahead_done_at = done.size();
          maker.emplace(kernel_, std::move(names), stop);
          for (size_t k = i; k < owned_until; ++k) finish(k);
          i = owned_until - 1;
          continue;
        }
      }
      if (maker) {
        tally_ahead();
        for (const auto& ns : step_namespaces(a.step))
          if (maker->has(ns) && !maker->wait(ns)) {
            if (auto err = settle_ahead(true)) std::rethrow_exception(err);
            throw std::runtime_error("interrupted");
          }
      }
      failed = &a;
      try {
        run(a.step);
      } catch (const KernelError& e) {
        // Gone between the read and now (the kernel frees a deleted namespace's veths on its
        // own time, e.g. after a `down` killed half-way): what a delete wanted is so.
        if (a.op != Op::Delete || !already_gone(e.errno_value)) throw;
      }
      failed = nullptr;
      done.push_back(&a);
      tally(a);
      finish(i);
    }
    if (auto err = settle_ahead(false)) std::rethrow_exception(err);
    report_finished();
    flush_disowned();
    journal.disown(plan.forget);
    store_.save(record_);
    return counts;
  } catch (const std::exception& e) {
    error = e.what();
  }
  settle_ahead(true);

  // Take back what this run did, newest first; the failed action may have half-happened.
  std::vector<std::string> failures;
  // What never reached the kernel (the rest of the journalled phases): its intents go.
  try {
    flush_disowned();
    std::set<const Action*> reached(done.begin(), done.end());
    if (failed) reached.insert(failed);
    if (half_made) reached.insert(half_made);
    std::vector<OwnedEntry> never;
    for (size_t i = 0; i < owned_until; ++i)
      if (!reached.count(&actions[i]))
        never.insert(never.end(), actions[i].own.begin(), actions[i].own.end());
    journal.disown(never);
  } catch (const std::exception& e) {
    failures.push_back(e.what());
  }
  size_t undone = 0, standing = 0;
  auto take_back = [&](const Action& a, bool tolerate_absent) {
    if (!a.undo) {
      standing += a.op == Op::Delete && !a.detail;
      return;
    }
    bool happened = true;
    try {
      run(*a.undo);
    } catch (const KernelError& e) {
      if (!(tolerate_absent && already_gone(e.errno_value))) {
        failures.push_back(describe_step(*a.undo) + ": " + e.what());
        return;
      }
      happened = false;  // the failed step left nothing: nothing to count as taken back
    } catch (const std::exception& e) {
      failures.push_back(describe_step(*a.undo) + ": " + e.what());
      return;
    }
    try {
      for (const auto& e : a.own) journal.disown(e);
    } catch (const std::exception& e) {
      failures.push_back(e.what());
    }
    undone += happened && !a.detail;
  };
  if (failed) take_back(*failed, true);
  if (half_made) take_back(*half_made, true);
  for (auto it = done.rbegin(); it != done.rend(); ++it) take_back(**it, false);
  try {
    store_.save(record_);
  } catch (const std::exception& e) {
    failures.push_back(e.what());
  }

  std::string msg = failed ? "cannot " + describe_step(failed->step) + ": " + error : error;
  if (!failures.empty()) {
    msg += "; rollback incomplete";
  } else {
    msg += "; rolled back " + std::to_string(undone) + " change(s)";
    // What was deleted stays deleted: it was going anyway, and the record says so.
    if (standing) msg += " (" + std::to_string(standing) + " deletion(s) stand)";
  }
  throw ApplyError(msg, failures);
}

}  // namespace netlab
