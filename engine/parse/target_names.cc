#include "parse/target_names.h"

#include "model/lab_hosts.h"
#include "parse/names.h"

namespace netlab {

void resolve_target_names(Topology& t, const ReadGaps& gaps, Diagnostics& diags) {
  std::vector<HostEntry> hosts;
  bool read = false;
  for (auto& test : t.tests) {
    if (!test.to_name) continue;
    if (!read) hosts = lab_hosts(t), read = true;
    if (auto a = find_host(hosts, *test.to_name)) {
      test.to.value = *a;
      continue;
    }
    if (gaps.interfaces_anywhere || !gaps.interfaces.empty() || gaps.namespaces) continue;
    std::vector<std::string> names;
    for (const auto& e : hosts) names.insert(names.end(), e.names.begin(), e.names.end());
    std::string msg = "no address of the lab is named " + quoted(*test.to_name);
    if (auto near = closest_match(*test.to_name, names))
      msg += " (did you mean " + quoted(*near) + "?)";
    else
      msg += " (a namespace's first address is named NS, an interface's NS-IF)";
    diags.error(test.to.pos, msg);
  }
}

}  // namespace netlab
