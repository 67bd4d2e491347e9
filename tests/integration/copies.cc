#include "copies.h"

#include "sandbox.h"
#include "state_dump.h"

namespace netlab::testing {

std::string all_at_once(int count, const std::string& args, const std::string& dir) {
  std::string script;
  for (int i = 1; i <= count; ++i) {
    const std::string n = std::to_string(i);
    script += std::string("(") + NETLAB_BINARY + " " + args + " -i " + n + " >" + dir + "/log." +
              n + " 2>&1; echo " + n + ":$? >" + dir + "/rc." + n + ") & ";
  }
  sh(script + "wait");
  return sh("cat " + dir + "/rc.* | sort -n").out;
}

std::string all_ok(int count) {
  std::string s;
  for (int i = 1; i <= count; ++i) s += std::to_string(i) + ":0\n";
  return s;
}

std::string machine_state(const std::string& sysctl_pattern) {
  return dump_state() + sh("sysctl -a 2>/dev/null | grep -E '" + sysctl_pattern + "' | sort").out +
         // Removing the lock file would let two holders lock two different files.
         sh("find /run ! -path /run/xtables.lock | sort").out;
}

}  // namespace netlab::testing
