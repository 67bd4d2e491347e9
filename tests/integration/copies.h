// Copies of one lab file run by processes at once (instances, isolated labs), and the picture of
// the machine they must leave as they found it.
#pragma once

#include <string>

namespace netlab::testing {

// Runs `netlab ARGS -i N` for N = 1..count at once, each logging to DIR/log.N; the exit
// statuses, one a line ("1:0\n2:0\n...").
std::string all_at_once(int count, const std::string& args, const std::string& dir);
// What all_at_once returns when every run exits 0.
std::string all_ok(int count);

// Everything of the machine a lab could leave behind: links, addresses, routes, NAT and
// ip_forward (dump_state), the sysctls matching `sysctl_pattern` (an extended regex), and what
// is under /run but the iptables tools' lock file, which is shared and stays as they leave it.
std::string machine_state(const std::string& sysctl_pattern);

}  // namespace netlab::testing
