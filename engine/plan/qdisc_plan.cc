#include "plan/qdisc_plan.h"

namespace netlab {

namespace {

bool same_shape(const std::vector<QdiscObj>& want, const std::vector<const QdiscObj*>& have) {
  if (want.size() != have.size()) return false;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i].kind != have[i]->kind || want[i].handle != have[i]->handle ||
        want[i].parent != have[i]->parent)
      return false;
  return true;
}

// netem keeps its corrupt and reorder unless a change states them, and libnl states them only
// when not 0: those go back to 0 only with a new qdisc.
bool kernel_keeps(const QdiscObj& want, const QdiscObj& have) {
  return (have.corrupt && !want.corrupt) || (have.reorder && !want.reorder);
}

// In place only where the change and its undo both can be: the undo of a change that sets a
// corrupt or reorder must set it back to 0.
bool changes_both_ways(const QdiscObj& want, const QdiscObj& have) {
  return !kernel_keeps(want, have) && !kernel_keeps(have, want);
}

std::vector<const QdiscObj*> pointers(const std::vector<QdiscObj>& qdiscs) {
  std::vector<const QdiscObj*> out;
  for (const auto& q : qdiscs) out.push_back(&q);
  return out;
}

std::string why_of(const std::vector<QdiscObj>& want, const std::vector<const QdiscObj*>& have) {
  std::string why = impairment_changes(impairment_of(have), impairment_of(pointers(want)));
  return why.empty() ? "impairment queues sized for the link's MTU" : why;
}

}  // namespace

std::vector<Action> plan_qdiscs(const std::string& ns, const std::string& object,
                                const std::vector<QdiscObj>& want,
                                const std::vector<const QdiscObj*>& have) {
  const std::string why = why_of(want, have);
  std::vector<Action> out;
  bool in_place = same_shape(want, have);
  for (size_t i = 0; in_place && i < want.size(); ++i)
    in_place = changes_both_ways(want[i], *have[i]);
  if (in_place) {
    for (size_t i = 0; i < want.size(); ++i) {
      if (want[i].same_settings(*have[i])) continue;
      Action a{Op::Change, ns, object, why, step::AddQdisc{want[i], true}};
      a.undo = step::AddQdisc{*have[i], true};
      out.push_back(std::move(a));
    }
  } else {
    // The old ones go child first, so a rollback puts back the root before its child.
    for (auto it = have.rbegin(); it != have.rend(); ++it) {
      Action a{Op::Change, ns, object, why, step::DeleteQdisc{**it}};
      a.undo = step::AddQdisc{**it, false};
      out.push_back(std::move(a));
    }
    for (const auto& q : want) {
      Action a{have.empty() ? Op::Create : Op::Change, ns, object,
               have.empty() ? "impair: " + describe_impairment(impairment_of(pointers(want))) : why,
               step::AddQdisc{q, false}};
      if (q.root()) a.undo = step::DeleteQdisc{q};
      out.push_back(std::move(a));
    }
  }
  for (size_t i = 1; i < out.size(); ++i) out[i].detail = true;
  return out;
}

}  // namespace netlab
