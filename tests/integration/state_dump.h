// A normalized picture of the kernel state of a sandbox, for comparing what netlab built with
// what the seeds' own commands build: links, addresses, routes, ip_forward and nat rules of
// the host and of every named namespace, read independently with `ip -j` and
// iptables-legacy-save.
//
// Left out because they differ between two identical builds: ifindexes, random MACs, IPv6
// link-local addresses and routes (derived from the MACs), carrier and operstate (the kernel
// reports carrier changes asynchronously), netnsids, counters. Left out because netlab adds
// them by design (docs/architecture.md, Ownership): the alias `netlab:<lab>`, the link group of the
// lab and the nat comment `netlab:<lab>`; netlab's route protocol is shown as "static", like a
// route `ip route add`s.
#pragma once

#include <string>

namespace netlab::testing {

// One line per fact, sorted, so a failing comparison shows a readable diff.
std::string dump_state();

// Forks a child that enters a fresh sandbox of its own, runs `script` there with sh, and
// returns dump_state() of the result (or "script failed: ..." with its output).
std::string dump_after_script_in_new_sandbox(const std::string& script);
// The same for a command line.
std::string dump_after_script_in_new_sandbox_cmd(const std::string& command);

}  // namespace netlab::testing
