// JSON output of the verbs (--json). Field names are a contract: docs/json.md.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>

namespace netlab::cli {

using json = nlohmann::ordered_json;  // fields in the documented order

inline void print_json(const json& j) {
  std::fputs((j.dump(2) + "\n").c_str(), stdout);
}

}  // namespace netlab::cli
