// How the journal and the record write what a lab owns: one JSON object per entry, written as
// text straight into the output. No document tree: for a lab of a thousand namespaces a tree
// is megabytes of memory touched once, and first touches are what made saving slow
// (bench/README.md).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "record/record.h"

namespace netlab {

// Appends {"kind":"link","ns":"host","name":"veth0",...}: no newline, no spaces.
void append_entry(std::string& out, const OwnedEntry& e);

// Appends `s` as a JSON string: quoted, and escaped by nlohmann::json when it needs escaping.
void append_json_string(std::string& out, std::string_view s);

// Appends "key":"value" for a value that is bytes (a path, a value read from the kernel).
// JSON strings are Unicode: a value that is not UTF-8 is shown readably under `key` (each bad
// byte as U+FFFD) and kept exactly, in hex, under key_hex.
void append_bytes_field(std::string& out, std::string_view key, std::string_view value);

// The value append_bytes_field wrote under `key`, byte for byte; `fallback` if there is none.
std::string bytes_field(const nlohmann::json& j, const std::string& key,
                        const std::string& fallback = "");

// An entry read back (from a record or a journal line). Throws RecordError on an unknown kind
// or a bad route, nlohmann::json's exceptions on missing fields or fields of the wrong type.
OwnedEntry entry_from_json(const nlohmann::json& j);

}  // namespace netlab
