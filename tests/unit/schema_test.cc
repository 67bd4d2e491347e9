// The JSON Schema (schema/topology.schema.json, for editors) and the parser must agree on
// the keys of every object kind: a key only one of them knows is a typo one of them misses.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "parse/load.h"

using nlohmann::json;

namespace {

const char* const kSections[] = {"topology", "host", "namespace", "route",   "bridge",
                                 "veth",     "peer", "impair",    "macvlan", "vxlan",
                                 "tun",      "nat",  "test",      "service", "ready"};

json read_schema() {
  std::ifstream in(NETLAB_SOURCE_DIR "/schema/topology.schema.json");
  EXPECT_TRUE(in) << "cannot open schema/topology.schema.json";
  return json::parse(in);
}

// The schema object of a section: the root for "topology", a definition otherwise.
const json& section_schema(const json& schema, const std::string& section) {
  return section == "topology" ? schema : schema.at("definitions").at(section);
}

}  // namespace

TEST(Schema, IsDraft07WithDefinitionsPerSection) {
  json schema = read_schema();
  EXPECT_EQ(schema.value("$schema", ""), "http://json-schema.org/draft-07/schema#");
  for (const char* section : kSections) {
    const json& s = section_schema(schema, section);
    EXPECT_EQ(s.value("type", ""), "object") << section;
    EXPECT_TRUE(s.contains("properties")) << section;
  }
}

TEST(Schema, SectionsMatchParser) {
  std::set<std::string> expected(std::begin(kSections), std::end(kSections));
  std::set<std::string> parser;
  for (const auto& [section, keys] : netlab::topology_keys()) parser.insert(section);
  EXPECT_EQ(parser, expected);
}

TEST(Schema, KeysMatchParser) {
  json schema = read_schema();
  for (const auto& [section, keys] : netlab::topology_keys()) {
    SCOPED_TRACE(section);
    ASSERT_TRUE(section == "topology" || schema.at("definitions").contains(section));
    std::set<std::string> in_schema;
    for (const auto& [key, _] : section_schema(schema, section).at("properties").items())
      in_schema.insert(key);
    EXPECT_EQ(in_schema, std::set<std::string>(keys.begin(), keys.end()));
  }
}

// Strict everywhere: an object with named properties admits no others, and every property
// says what it is for (editors show the description on hover).
TEST(Schema, StrictAndDescribed) {
  json schema = read_schema();
  std::function<void(const json&, const std::string&)> walk = [&](const json& node,
                                                                  const std::string& where) {
    if (node.is_object()) {
      if (node.contains("properties") && where.find("/if") == std::string::npos) {
        EXPECT_EQ(node.value("additionalProperties", json(true)), json(false)) << where;
        for (const auto& [key, prop] : node.at("properties").items())
          EXPECT_TRUE(prop.contains("description") || prop.contains("$ref")) << where << "/" << key;
      }
      for (const auto& [key, child] : node.items()) walk(child, where + "/" + key);
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) walk(node[i], where + "/" + std::to_string(i));
    }
  };
  walk(schema, "");
}
