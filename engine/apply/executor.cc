#include "apply/executor.h"

#include <map>
#include <optional>
#include <set>

#include "apply/namespace_maker.h"
#include "apply/restore_link.h"
#include "apply/rollback.h"
#include "plan/overload.h"
#include "record/host_settings.h"

namespace netlab {

namespace {

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

// One application of a plan. Journalled a phase at a time: a phase is a run of actions of one
// kind (create the namespaces, then the links, ...). Its intents are written before the first
// of them touches the kernel; the disowns of its done actions when it ends (a record that still
// names a deleted object only costs a later `down` a lookup). A phase of new namespaces is made
// ahead, on a helper thread (NamespaceMaker), while the actions after it go on.
class Run {
 public:
  Run(Kernel& kernel, RecordStore& store, Record& record, const Plan& plan, const std::string& file,
      const Executor::Hooks& hooks)
      : kernel_(kernel),
        store_(store),
        record_(record),
        plan_(plan),
        actions_(plan.actions),
        hooks_(hooks),
        journal_(store.journal(record)) {
    // A run that only starts or stops services changes the lab too: it is of this file now.
    if (!file.empty() && (!actions_.empty() || !plan.services.empty())) journal_.set_file(file);
    if (hooks_.on_finished) finishing_at_ = finishing(actions_);
  }

  ApplyCounts go() {
    std::string error;
    try {
      journal_.own(plan_.adopt);
      for (size_t i = 0; i < actions_.size(); ++i) i = apply_from(i);
      if (auto err = settle_maker(false)) std::rethrow_exception(err);
      report_finished();
      flush_disowned();
      journal_.disown(plan_.forget);
      if (hooks_.verify) hooks_.verify();
      store_.save(record_);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) roll_back_and_throw(error);
    if (!failures_.empty()) throw incomplete(plan_.lab, failures_);
    return counts_;
  }

 private:
  // Applies actions_[i] (or, at the start of a phase of new namespaces, hands the whole phase
  // to the maker); returns the index of the last action it took care of.
  size_t apply_from(size_t i) {
    const Action& a = actions_[i];
    if (hooks_.stop && hooks_.stop->load()) throw std::runtime_error("interrupted");
    if (i == owned_until_) {
      begin_phase(i);
      if (std::holds_alternative<step::CreateNamespace>(a.step)) return start_maker(i);
    }
    wait_for_namespaces(a);
    failed_ = &a;
    try {
      run(a.step);
    } catch (const KernelError& e) {
      // Gone between the read and now (the kernel frees a deleted namespace's veths on its own
      // time, e.g. after a `down` killed half-way): what a delete wanted is so.
      if (a.op != Op::Delete || !already_gone(e.errno_value)) {
        if (!plan_.keep_going) throw;
        return skip(a, e.what());
      }
    } catch (const std::exception& e) {
      if (!plan_.keep_going) throw;
      return skip(a, e.what());
    }
    failed_ = nullptr;
    done_.push_back(&a);
    tally(a);
    finish(i);
    return i;
  }

  size_t skip(const Action& a, const std::string& why) {
    failures_.push_back(format_action(a) + ": " + why);
    failed_ = nullptr;
    return static_cast<size_t>(&a - actions_.data());
  }

  // Write-ahead: the record names the objects of the phase before the kernel has them.
  void begin_phase(size_t i) {
    report_finished();
    flush_disowned();
    std::vector<OwnedEntry> intents;
    for (; owned_until_ < actions_.size() &&
           actions_[owned_until_].step.index() == actions_[i].step.index();
         ++owned_until_)
      intents.insert(intents.end(), actions_[owned_until_].own.begin(),
                     actions_[owned_until_].own.end());
    journal_.own(intents);
  }

  size_t start_maker(size_t i) {
    if (auto err = settle_maker(false)) std::rethrow_exception(err);
    std::vector<std::string> names;
    for (size_t k = i; k < owned_until_; ++k)
      names.push_back(std::get<step::CreateNamespace>(actions_[k].step).name);
    ahead_ = i;
    ahead_tallied_ = 0;
    ahead_done_at_ = done_.size();
    maker_.emplace(kernel_, std::move(names), hooks_.stop);
    for (size_t k = i; k < owned_until_; ++k) finish(k);
    return owned_until_ - 1;
  }

  // Waits until the namespaces the step works in are made, and their identities journalled:
  // nothing goes into a namespace the record could not prove is the lab's.
  void wait_for_namespaces(const Action& a) {
    if (!maker_) return;
    for (const auto& ns : step_namespaces(a.step))
      if (maker_->has(ns) && !maker_->wait(ns)) {
        if (auto err = settle_maker(true)) std::rethrow_exception(err);
        throw std::runtime_error("interrupted");
      }
    tally_made();
  }

  // Counts the namespaces made so far, and journals each one's identity: the proof that it
  // is the lab's own (a namespace made again under its name by somebody else has another).
  void tally_made() {
    std::vector<OwnedEntry> made;
    for (size_t n = maker_->made(); ahead_tallied_ < n; ++ahead_tallied_) {
      const Action& a = actions_[ahead_ + ahead_tallied_];
      tally(a);
      OwnedEntry e{OwnedEntry::Kind::Namespace, kHost,
                   std::get<step::CreateNamespace>(a.step).name};
      e.cookie = maker_->cookie(ahead_tallied_);
      made.push_back(std::move(e));
    }
    journal_.own(made);
  }

  // Joins the maker; its made namespaces go into `done_` where the phase began, before
  // everything that works inside them. Its failure is the run's own unless the run had already
  // failed (then it goes back too).
  std::exception_ptr settle_maker(bool abandon) {
    if (!maker_) return nullptr;
    std::exception_ptr err = maker_->finish(abandon);
    tally_made();
    std::vector<const Action*> made;
    for (size_t k = 0; k < ahead_tallied_; ++k) made.push_back(&actions_[ahead_ + k]);
    done_.insert(done_.begin() + static_cast<std::ptrdiff_t>(ahead_done_at_), made.begin(),
                 made.end());
    if (err) (rolling_back_ ? half_made_ : failed_) = &actions_[ahead_ + ahead_tallied_];
    maker_.reset();
    return err;
  }

  void tally(const Action& a) {
    disowned_.insert(disowned_.end(), a.disown.begin(), a.disown.end());
    if (!a.detail) {
      if (a.op == Op::Create) ++counts_.created;
      if (a.op == Op::Change) ++counts_.changed;
      if (a.op == Op::Delete) ++counts_.deleted;
    }
    if (hooks_.progress) hooks_.progress(a, ++finished_count_, actions_.size());
  }

  void flush_disowned() {
    journal_.disown(disowned_);
    disowned_.clear();
    journal_.own(learned_);  // the values this run's sysctls replaced (set_sysctl)
    learned_.clear();
  }

  // Namespaces this plan makes, reported (on_finished) once no later action works in them.
  void finish(size_t i) {
    if (hooks_.on_finished)
      finished_ns_.insert(finished_ns_.end(), finishing_at_[i].begin(), finishing_at_[i].end());
  }

  void report_finished() {
    if (finished_ns_.empty()) return;
    // A namespace with nothing in it is finished once planned: it may still be in the making.
    for (const auto& ns : finished_ns_)
      if (maker_ && maker_->has(ns) && !maker_->wait(ns)) return;  // never made: the run fails
    hooks_.on_finished(finished_ns_);
    finished_ns_.clear();
  }

  void run(const Step& s) {
    std::visit(Overload{
                   [&](const step::CreateNamespace& x) { kernel_.create_namespace(x.name); },
                   [&](const step::DeleteNamespace& x) { kernel_.delete_namespace(x.name); },
                   [&](const step::CreateLink& x) { kernel_.create_link(x.link, x.peer.get()); },
                   [&](const step::ChangeLink& x) { kernel_.change_link(x.ns, x.name, x.change); },
                   [&](const step::DeleteLink& x) { kernel_.delete_link(x.ns, x.name); },
                   [&](const step::DeleteGroup& x) { kernel_.delete_group(x.ns, x.group); },
                   [&](const step::RestoreLink& x) { restore_link(kernel_, x); },
                   [&](const step::AddAddress& x) { kernel_.add_address(x.addr); },
                   [&](const step::DeleteAddress& x) { kernel_.delete_address(x.addr); },
                   [&](const step::AddRoute& x) { kernel_.add_route(x.route, x.replace); },
                   [&](const step::DeleteRoute& x) { kernel_.delete_route(x.route); },
                   [&](const step::SetSysctl& x) { set_sysctl(x); },
                   [&](const step::HoldSysctl& x) { hold(x); },
                   [&](const step::ReleaseSysctl& x) { release(x); },
                   [&](const step::AddNat& x) { kernel_.add_nat(x.rule); },
                   [&](const step::DeleteNat& x) { kernel_.delete_nat(x.rule); },
                   [&](const step::AddQdisc& x) { kernel_.add_qdisc(x.qdisc, x.replace); },
                   [&](const step::DeleteQdisc& x) { kernel_.delete_qdisc(x.qdisc); },
                   [&](const step::AwaitGone& x) { kernel_.wait_gone(x.links); },
                   [&](const step::Service&) {
                     throw std::logic_error("a service is not the executor's to run");
                   },
               },
               s);
  }

  // A namespace's setting: the value it replaced is learnt from the write (the namespace may
  // not have existed when the plan was made) and journalled with the phase.
  void set_sysctl(const step::SetSysctl& x) {
    std::string old = kernel_.set_sysctl(x.ns, x.key, x.value);
    if (!x.record_old) return;
    learned_.push_back({OwnedEntry::Kind::Sysctl, x.ns, x.key});
    learned_.back().old_value = std::move(old);
  }

  void hold(const step::HoldSysctl& x) {
    HostSettings(store_.dir()).hold(record_.lab, x.ns, x.key, x.value, x.original, [&] {
      return kernel_.set_sysctl(x.ns, x.key, x.value);
    });
  }

  void release(const step::ReleaseSysctl& x) {
    auto set = [&](const std::string& v) {
      if (x.restore) kernel_.set_sysctl(x.ns, x.key, v);
    };
    auto r = HostSettings(store_.dir()).release(record_.lab, x.ns, x.key, set);
    if (r.what == HostSettings::Release::Unknown && !x.fallback.empty()) set(x.fallback);
  }

  // Takes back what this run did, newest first; the failed action may have half-happened.
  [[noreturn]] void roll_back_and_throw(const std::string& error) {
    rolling_back_ = true;
    settle_maker(true);
    std::vector<std::string> failures;
    try {
      flush_disowned();
      forget_unreached();
    } catch (const std::exception& e) {
      failures.push_back(e.what());
    }
    std::vector<const Action*> partial;
    if (failed_) partial.push_back(failed_);
    if (half_made_) partial.push_back(half_made_);
    RollbackResult r =
        roll_back(done_, partial, plan_.flushed_routes, journal_, [&](const Step& s) { run(s); });
    failures.insert(failures.end(), r.failures.begin(), r.failures.end());
    try {
      store_.save(record_);
    } catch (const std::exception& e) {
      failures.push_back(e.what());
    }
    std::string msg = failed_ ? "cannot " + describe_step(failed_->step) + ": " + error : error;
    if (!failures.empty()) {
      msg += "; rollback incomplete";
    } else {
      msg += "; rolled back " + std::to_string(r.undone) + " change(s)";
      // What was deleted stays deleted: it was going anyway, and the record says so.
      if (r.standing) msg += " (" + std::to_string(r.standing) + " deletion(s) stand)";
    }
    throw ApplyError(msg, failures);
  }

  // What never reached the kernel (the rest of the journalled phases): its intents go.
  void forget_unreached() {
    std::set<const Action*> reached(done_.begin(), done_.end());
    if (failed_) reached.insert(failed_);
    if (half_made_) reached.insert(half_made_);
    std::vector<OwnedEntry> never;
    for (size_t i = 0; i < owned_until_; ++i)
      if (!reached.count(&actions_[i]))
        never.insert(never.end(), actions_[i].own.begin(), actions_[i].own.end());
    journal_.disown(never);
  }

  Kernel& kernel_;
  RecordStore& store_;
  Record& record_;
  const Plan& plan_;
  const std::vector<Action>& actions_;
  const Executor::Hooks& hooks_;
  Journal journal_;
  ApplyCounts counts_;
  size_t finished_count_ = 0;
  size_t owned_until_ = 0;  // actions before this index have their intents journalled
  std::vector<OwnedEntry> disowned_;
  std::vector<OwnedEntry> learned_;  // sysctl values replaced, journalled with the phase
  std::vector<const Action*> done_;
  const Action* failed_ = nullptr;
  const Action* half_made_ = nullptr;  // the maker's failure, when the main thread failed too
  bool rolling_back_ = false;
  std::vector<std::string> failures_;  // keep_going: what failed, in order
  std::optional<NamespaceMaker> maker_;
  size_t ahead_ = 0, ahead_tallied_ = 0, ahead_done_at_ = 0;  // the maker's actions_[ahead_...)
  std::vector<std::vector<std::string>> finishing_at_;
  std::vector<std::string> finished_ns_;  // not reported yet
};

}  // namespace

IncompleteError incomplete(const std::string& lab, std::vector<std::string> failures) {
  std::string msg = "lab " + lab + ": " + std::to_string(failures.size()) +
                    " step(s) failed; everything else was done:";
  for (const auto& f : failures) msg += "\n  " + f;
  return IncompleteError(msg, std::move(failures));
}

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
          [](const step::RestoreLink& x) {
            const step::OldLink& o = *x.old;
            return "put back " + o.link.kind + " " + o.link.name + " in " + o.link.ns +
                   (o.peer ? " (peer " + o.peer->name + " in " + o.peer->ns + ")" : "");
          },
          [](const step::AddAddress& x) {
            return "add address " + x.addr.cidr.str() + " to " + x.addr.dev + " in " + x.addr.ns;
          },
          [](const step::DeleteAddress& x) {
            return "delete address " + x.addr.cidr.str() + " from " + x.addr.dev + " in " +
                   x.addr.ns;
          },
          [](const step::AddRoute& x) {
            return (x.replace ? "replace route " : "add route ") + x.route.dst.str() + " in " +
                   x.route.ns;
          },
          [](const step::DeleteRoute& x) {
            return "delete route " + x.route.dst.str() + " in " + x.route.ns;
          },
          [](const step::SetSysctl& x) { return "set " + x.key + "=" + x.value + " in " + x.ns; },
          [](const step::HoldSysctl& x) { return "set " + x.key + "=" + x.value + " in " + x.ns; },
          [](const step::ReleaseSysctl& x) { return "restore " + x.key + " in " + x.ns; },
          [](const step::AddNat& x) { return "add nat rule in " + x.rule.ns; },
          [](const step::DeleteNat& x) { return "delete nat rule in " + x.rule.ns; },
          [](const step::AddQdisc& x) {
            return (x.replace ? "change " : "add ") + x.qdisc.kind + " on " + x.qdisc.dev + " in " +
                   x.qdisc.ns;
          },
          [](const step::DeleteQdisc& x) {
            return "delete " + x.qdisc.kind + " on " + x.qdisc.dev + " in " + x.qdisc.ns;
          },
          [](const step::AwaitGone& x) {
            return "wait for " + std::to_string(x.links.size()) + " link(s) to go";
          },
          [](const step::Service& x) { return "service " + x.name + " in " + x.ns; },
      },
      s);
}

ApplyCounts Executor::apply(const Plan& plan, const std::string& file, const Hooks& hooks) {
  return Run(kernel_, store_, record_, plan, file, hooks).go();
}

}  // namespace netlab
