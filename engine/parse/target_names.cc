#include "parse/target_names.h"

#include "model/lab_hosts.h"
#include "parse/names.h"

namespace netlab {

namespace {

class Resolver {
 public:
  Resolver(const Topology& t, const ReadGaps& gaps, Diagnostics& d) : t_(t), gaps_(gaps), d_(d) {}

  void resolve(Test& test) {
    if (!test.to_name) return;
    if (!read_) hosts_ = lab_hosts(t_), read_ = true;
    if (auto a = find_host(hosts_, *test.to_name)) {
      test.to.value = *a;
      return;
    }
    if (gaps_.interfaces_anywhere || !gaps_.interfaces.empty() || gaps_.namespaces) return;
    std::vector<std::string> names;
    for (const auto& e : hosts_) names.insert(names.end(), e.names.begin(), e.names.end());
    std::string msg = "no address of the lab is named " + quoted(*test.to_name);
    if (auto near = closest_match(*test.to_name, names))
      msg += " (did you mean " + quoted(*near) + "?)";
    else
      msg += " (a namespace's first address is named NS, an interface's NS-IF)";
    d_.error(test.to.pos, msg);
  }

 private:
  const Topology& t_;
  const ReadGaps& gaps_;
  Diagnostics& d_;
  std::vector<HostEntry> hosts_;
  bool read_ = false;
};

}  // namespace

void resolve_target_names(Topology& t, const ReadGaps& gaps, Diagnostics& diags) {
  Resolver r(t, gaps, diags);
  for (auto& test : t.tests) r.resolve(test);
  // A service's readiness check names its target as a check does.
  for (auto& ns : t.namespaces)
    for (auto& service : ns.services)
      if (service.ready && service.ready->check) r.resolve(*service.ready->check);
}

}  // namespace netlab
