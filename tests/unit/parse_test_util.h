// Helpers for the parser and validator tests: load a YAML text, get the messages as strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parse/load.h"

namespace netlab::testing {

// Every diagnostic as "t.yaml:line:col: error: message", sorted by position.
inline std::vector<std::string> messages(std::string_view yaml) {
  std::vector<std::string> out;
  for (const auto& d : load_topology_text(yaml, "t.yaml").diagnostics.sorted())
    out.push_back(d.str());
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace netlab::testing
