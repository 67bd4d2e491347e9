// JSON output of the verbs (--json). Field names are a contract: docs/json.md.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "model/instance.h"

namespace netlab::cli {

using json = nlohmann::ordered_json;  // fields in the documented order

// Strings from files and the kernel need not be UTF-8 (a path is any bytes): those bytes
// become U+FFFD rather than an exception.
inline void print_json(const json& j) {
  std::fputs((j.dump(2, ' ', false, json::error_handler_t::replace) + "\n").c_str(), stdout);
}

// The instance of a lab key (LAB@ID), null for the lab itself.
inline json instance_json(const std::string& lab) {
  auto key = parse_lab_key(lab);
  return key && !key->instance.empty() ? json(key->instance) : json(nullptr);
}

}  // namespace netlab::cli
