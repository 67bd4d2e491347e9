#include "api/engine.h"

#include <algorithm>

namespace netlab {

namespace {

ReadRequest merge(ReadRequest a, const ReadRequest& b) {
  auto add_unique = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    for (const auto& x : from)
      if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
  };
  add_unique(a.namespaces, b.namespaces);
  add_unique(a.nat_namespaces, b.nat_namespaces);
  for (const auto& [ns, keys] : b.sysctl_keys) add_unique(a.sysctl_keys[ns], keys);
  return a;
}

std::string conflict_text(const std::vector<Conflict>& c) {
  std::string s = "refusing to touch what the lab does not own:";
  for (const auto& x : c) s += "\n  " + x.str();
  return s;
}

}  // namespace

ConflictError::ConflictError(std::vector<Conflict> c)
    : std::runtime_error(conflict_text(c)), conflicts(std::move(c)) {}

LiveState Engine::read(const DesiredState* desired, const Record& record) {
  ReadRequest req = record_read_request(record);
  if (desired) req = merge(desired->read_request(), req);
  return kernel_.read(req);
}

Plan Engine::plan(const DesiredState& desired) {
  Record record = store_.load(desired.lab);
  return make_plan(desired, read(&desired, record), record);
}

Outcome Engine::up(const DesiredState& desired) {
  auto lock = store_.lock(desired.lab, options_.lock_timeout);
  Record record = store_.load(desired.lab);
  // A lab that is not up when this fails (refused, or rolled back) keeps no lock file either.
  auto tidy = [&] {
    if (record.empty()) store_.remove_lock(lock);
  };
  Outcome out{make_plan(desired, read(&desired, record), record), {}};
  if (!out.plan.conflicts.empty()) {
    tidy();
    throw ConflictError(out.plan.conflicts);
  }
  if (out.plan.actions.empty() && out.plan.forget.empty() && record.file == desired.file)
    return out;  // converged: not one write, to the kernel or the record

  Executor exec(kernel_, store_, record);
  try {
    out.counts = exec.apply(out.plan, desired.file, options_.progress, options_.stop);
  } catch (...) {
    tidy();
    throw;
  }

  // Trust, but verify: read the kernel back and plan again; nothing may be left to do.
  Plan again = make_plan(desired, read(&desired, record), record);
  if (!again.actions.empty()) {
    std::string msg = "after up, the kernel still differs from " + desired.file + ":";
    for (const auto& a : again.actions) msg += "\n  " + format_action(a);
    throw VerifyError(msg);
  }
  return out;
}

Outcome Engine::down(const std::string& lab) {
  auto lock = store_.lock(lab, options_.lock_timeout);
  Record record = store_.load(lab);
  Outcome out{make_down_plan(lab, read(nullptr, record), record), {}};
  if (!out.plan.actions.empty() || !out.plan.forget.empty() || !record.empty()) {
    Executor exec(kernel_, store_, record);
    out.counts = exec.apply(out.plan, "", options_.progress, options_.stop);
  }
  if (record.empty()) store_.remove_lock(lock);
  return out;
}

}  // namespace netlab
