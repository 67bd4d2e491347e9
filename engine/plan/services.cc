#include "plan/services.h"

#include <set>

namespace netlab {

namespace {

Action service_action(Op op, const std::string& ns, const std::string& name, std::string why) {
  Action a;
  a.op = op;
  a.ns = ns;
  a.object = "service " + name;
  a.why = std::move(why);
  a.step = step::Service{ns, name};
  return a;
}

}  // namespace

std::string service_state_text(const ServiceLive& s) {
  if (s.running) return "running";
  if (s.exit_status) return "exited " + std::to_string(*s.exit_status);
  return "not running";
}

std::vector<Action> plan_services(const std::vector<ServiceSpec>& wanted, const Record& record,
                                  const ServicesLive& live, const std::vector<Action>& network) {
  std::set<std::string> made;
  for (const auto& a : network)
    if (const auto* c = std::get_if<step::CreateNamespace>(&a.step)) made.insert(c->name);
  std::vector<Action> out;
  std::set<std::pair<std::string, std::string>> declared;
  for (const auto& s : wanted) {
    declared.insert({s.ns, s.name});
    auto it = record.services.find({s.ns, s.name});
    if (it == record.services.end()) {
      out.push_back(service_action(Op::Create, s.ns, s.name, ""));
      continue;
    }
    auto l = live.find({s.ns, s.name});
    ServiceLive now = l == live.end() ? ServiceLive{} : l->second;
    std::string changed = digest_difference(it->second.digest, s.digest());
    if (!changed.empty())
      out.push_back(service_action(Op::Change, s.ns, s.name, "restarted: " + changed + " changed"));
    else if (!now.running)
      out.push_back(
          service_action(Op::Change, s.ns, s.name, "restarted: " + service_state_text(now)));
    else if (made.count(s.kernel_ns))
      out.push_back(
          service_action(Op::Change, s.ns, s.name, "restarted: its namespace is made anew"));
  }
  for (const auto& [key, e] : record.services)
    if (!declared.count(key))
      out.push_back(service_action(Op::Delete, key.first, key.second, "no longer declared"));
  return out;
}

}  // namespace netlab
