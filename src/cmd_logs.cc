// netlab logs: the output of a lab's services, from their log files (README.md, "Services").
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "api/machine.h"
#include "api/services.h"
#include "commands.h"
#include "guarded.h"

namespace netlab::cli {

int cmd_logs(const Context& ctx, const std::string& lab_or_file, const std::string& which) {
  auto ref = resolve_lab(ctx, lab_or_file);
  if (!ref) return 1;
  return guarded([&] {
    RecordStore store = machine_records();
    Record record = store.load(ref->lab);
    if (record.empty()) {
      print_error("no lab " + ref->lab + " on this machine");
      return 1;
    }
    const auto colon = which.find(':');
    const std::string ns = which.substr(0, colon);
    const std::string name = colon == std::string::npos ? "" : which.substr(colon + 1);
    std::vector<std::pair<std::string, std::string>> shown;
    for (const auto& [key, e] : record.services)
      if ((ns.empty() || key.first == ns) && (name.empty() || key.second == name))
        shown.push_back(key);
    if (shown.empty()) {
      print_error("lab " + ref->lab + " has no service" + (which.empty() ? "" : " " + which));
      return 1;
    }
    std::cout.flush();
    std::vector<std::string> unreadable;
    for (const auto& [n, s] : shown) {
      if (shown.size() > 1) std::cout << "==> " << n << ":" << s << " <==\n";
      const std::string path = service_log(store, ref->lab, n, s);
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        unreadable.push_back(path + ": " + std::strerror(errno));
        continue;
      }
      std::cout << in.rdbuf();  // as the service wrote it
      std::cout.clear();        // an empty log sets failbit
    }
    std::cout.flush();
    for (const auto& u : unreadable) print_error("cannot read the log " + u);
    return unreadable.empty() ? 0 : 1;
  });
}

}  // namespace netlab::cli
