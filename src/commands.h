// The verbs of the command line. Each returns the process exit status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/topology.h"
#include "output.h"

namespace netlab::cli {

struct Context {
  Style style;
  bool json = false;
};

// Loads and validates a topology; prints its diagnostics; nullopt when it has errors.
std::optional<Topology> load_or_report(const std::string& file);

int cmd_validate(const Context& ctx, const std::string& file);
int cmd_graph(const Context& ctx, const std::string& file);
int cmd_plan(const Context& ctx, const std::string& file);
int cmd_up(const Context& ctx, const std::string& file);
int cmd_down(const Context& ctx, const std::string& lab_or_file);

}  // namespace netlab::cli
