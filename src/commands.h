// The verbs of the command line. Each returns the process exit status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/topology.h"
#include "output.h"

namespace netlab::cli {

// Exit status of a command line that is not one: sysexits.h's EX_USAGE, documented in
// README.md, and distinct from every verb's own statuses but exec's command's.
inline constexpr int kUsage = 64;

struct Context {
  Style style;
  bool json = false;      // --json: one JSON document on stdout (docs/json.md), messages on stderr
  std::string instance;   // -i: a copy of the lab (engine/model/instance.h); "" for the lab itself
  std::string lab;        // exec --lab: whose instance, when more than one lab has it
  bool isolated = false;  // up/plan --isolated: the lab's host is a namespace of its own
};

// Loads and validates a topology; prints its diagnostics; nullopt when it has errors.
std::optional<Topology> load_or_report(const std::string& file);
// Prints a topology's diagnostics on stderr, top of the file first.
void report(const Diagnostics& diagnostics);

// What a NAME|FILE argument names: a file (loaded) or a lab by name (its record decides).
struct LabRef {
  std::string lab;
  std::optional<Topology> topology;  // set when a file was given
};
// Prints the problem and returns nullopt when the argument is neither.
// `lab` is the lab's key: with -i, that of the instance.
std::optional<LabRef> resolve_lab(const Context& ctx, const std::string& lab_or_file);
// The topology file recorded by a lab's last `up`, loaded (its diagnostics printed); prints
// why not and returns nullopt when the lab has no record or its file cannot be used.
std::optional<Topology> load_recorded(const std::string& lab);

int cmd_validate(const Context& ctx, const std::string& file);
int cmd_graph(const Context& ctx, const std::string& file);
int cmd_plan(const Context& ctx, const std::string& file);
int cmd_up(const Context& ctx, const std::string& file);
int cmd_down(const Context& ctx, const std::string& lab_or_file);
int cmd_exec(const Context& ctx, const std::string& ns, const std::vector<std::string>& command);
// `args`: NS:IF arguments, then the filter's words; `out`: a file, "-" for stdout, or a folder.
int cmd_capture(const Context& ctx, const std::string& lab_or_file,
                const std::vector<std::string>& args, const std::string& out);
// `junit`: a file for a JUnit XML report, "" for none; `capture`: a folder for the captures of
// failing checks, "" for none.
int cmd_test(const Context& ctx, const std::string& lab_or_file, const std::string& junit,
             const std::string& capture);
int cmd_status(const Context& ctx, const std::string& lab_or_file);
int cmd_list(const Context& ctx);
// `which`: "" for every service, NS for those of a namespace, NS:SERVICE for one.
int cmd_logs(const Context& ctx, const std::string& lab_or_file, const std::string& which);

}  // namespace netlab::cli
