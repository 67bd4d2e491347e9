#include "apply/executor.h"

#include "record/host_settings.h"

#include <cerrno>
#include <cstring>

namespace netlab {

namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

// Undoing a step whose object is already gone is a success.
bool already_gone(int err) {
  return err == ENODEV || err == ENOENT || err == ESRCH || err == EADDRNOTAVAIL;
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

void Executor::run(const Step& s) {
  std::visit(Overload{
                 [&](const step::CreateNamespace& x) { kernel_.create_namespace(x.name); },
                 [&](const step::DeleteNamespace& x) { kernel_.delete_namespace(x.name); },
                 [&](const step::CreateLink& x) {
                   kernel_.create_link(x.link, x.peer ? &*x.peer : nullptr);
                 },
                 [&](const step::ChangeLink& x) { kernel_.change_link(x.ns, x.name, x.change); },
                 [&](const step::DeleteLink& x) { kernel_.delete_link(x.ns, x.name); },
                 [&](const step::DeleteGroup& x) { kernel_.delete_group(x.ns, x.group); },
                 [&](const step::AddAddress& x) { kernel_.add_address(x.addr); },
                 [&](const step::DeleteAddress& x) { kernel_.delete_address(x.addr); },
                 [&](const step::AddRoute& x) { kernel_.add_route(x.route); },
                 [&](const step::DeleteRoute& x) { kernel_.delete_route(x.route); },
                 [&](const step::SetSysctl& x) { kernel_.set_sysctl(x.ns, x.key, x.value); },
                 [&](const step::HoldSysctl& x) {
                   HostSettings(store_.dir()).hold(record_.lab, x.ns, x.key, [&] {
                     return kernel_.set_sysctl(x.ns, x.key, x.value);
                   });
                 },
                 [&](const step::ReleaseSysctl& x) {
                   auto set = [&](const std::string& v) { kernel_.set_sysctl(x.ns, x.key, v); };
                   auto r = HostSettings(store_.dir()).release(record_.lab, x.ns, x.key, set);
                   if (r.what == HostSettings::Release::Unknown && !x.fallback.empty())
                     set(x.fallback);
                 },
                 [&](const step::AddNat& x) { kernel_.add_nat(x.rule); },
                 [&](const step::DeleteNat& x) { kernel_.delete_nat(x.rule); },
                 [&](const step::AwaitGone& x) { kernel_.wait_gone(x.links); },
             },
             s);
}

ApplyCounts Executor::apply(const Plan& plan, const std::string& file, const Progress& progress,
                            const std::atomic<bool>* stop) {
  ApplyCounts counts;
  auto journal = store_.journal(record_);
  if (!file.empty() && !plan.actions.empty()) journal.set_file(file);
  std::vector<const Action*> done;
  const Action* failed = nullptr;
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
  };
  try {
    for (size_t i = 0; i < actions.size(); ++i) {
      const Action& a = actions[i];
      if (stop && stop->load()) throw std::runtime_error("interrupted");
      failed = &a;
      if (i == owned_until) {
        flush_disowned();
        // Write-ahead: the record names the objects before the kernel has them.
        std::vector<OwnedEntry> intents;
        for (; owned_until < actions.size() && actions[owned_until].step.index() == a.step.index();
             ++owned_until)
          intents.insert(intents.end(), actions[owned_until].own.begin(),
                         actions[owned_until].own.end());
        journal.own(intents);
      }
      try {
        run(a.step);
      } catch (const KernelError& e) {
        // Gone between the read and now (the kernel frees a deleted namespace's veths on its
        // own time, e.g. after a `down` killed half-way): what a delete wanted is so.
        if (a.op != Op::Delete || !already_gone(e.errno_value)) throw;
      }
      disowned.insert(disowned.end(), a.disown.begin(), a.disown.end());
      failed = nullptr;
      done.push_back(&a);
      if (!a.detail) {
        if (a.op == Op::Create) ++counts.created;
        if (a.op == Op::Change) ++counts.changed;
        if (a.op == Op::Delete) ++counts.deleted;
      }
      if (progress) progress(a, done.size(), plan.actions.size());
    }
    flush_disowned();
    journal.disown(plan.forget);
    store_.save(record_);
    return counts;
  } catch (const std::exception& e) {
    error = e.what();
  }

  // Take back what this run did, newest first; the failed action may have half-happened.
  std::vector<std::string> failures;
  // The rest of the failed phase never reached the kernel: its intents go.
  try {
    flush_disowned();
    std::vector<OwnedEntry> never;
    for (size_t i = done.size() + (failed ? 1 : 0); i < owned_until; ++i)
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
    try {
      run(*a.undo);
    } catch (const KernelError& e) {
      if (!(tolerate_absent && already_gone(e.errno_value))) {
        failures.push_back(describe_step(*a.undo) + ": " + e.what());
        return;
      }
    } catch (const std::exception& e) {
      failures.push_back(describe_step(*a.undo) + ": " + e.what());
      return;
    }
    try {
      for (const auto& e : a.own) journal.disown(e);
    } catch (const std::exception& e) {
      failures.push_back(e.what());
    }
    undone += !a.detail;
  };
  if (failed) take_back(*failed, true);
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
