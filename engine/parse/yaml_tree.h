// A YAML document as a small tree of our own, built from yaml-cpp's parser events. We build it
// ourselves (instead of YAML::Node) to keep every key's position, to see duplicate keys (which
// YAML::Node merges silently), to know plain from quoted scalars, and to keep aliases as
// references so an alias bomb costs no memory; readers then walk it with a node budget.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"

namespace netlab {

struct YNode;

struct YEntry {
  std::string key;
  Pos key_pos;
  const YNode* value = nullptr;
};

struct YNode {
  enum class Kind { Null, Scalar, Seq, Map, Alias };
  Kind kind = Kind::Null;
  Pos pos;
  std::string value;                // Scalar
  bool plain = false;               // Scalar: unquoted and untagged, so `true` is a boolean
  std::vector<const YNode*> items;  // Seq
  std::vector<YEntry> entries;      // Map, in file order, duplicates dropped
  const YNode* target = nullptr;    // Alias: the anchored node (maybe an ancestor)
};

// Owns the nodes; pointers between them stay valid for its lifetime.
struct YDocument {
  std::deque<YNode> nodes;
  const YNode* root = nullptr;  // nullptr for an empty document
};

inline constexpr std::size_t kMaxYamlNodes = 100000;

// Parses one YAML document. Syntax errors, duplicate keys, non-scalar keys, extra documents and
// documents of more than kMaxYamlNodes nodes are reported; returns nullptr on syntax errors.
std::unique_ptr<YDocument> read_yaml(std::string_view text,
                                     const std::shared_ptr<const std::string>& file,
                                     Diagnostics& diags);

// "a mapping", "a list", "a string", "null": for messages about the wrong type.
std::string describe(const YNode& node);

}  // namespace netlab
