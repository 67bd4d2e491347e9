// netlab-topology(5): the JSON Schema's descriptions, a section per object of the format.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "pages.h"
#include "roff.h"

namespace netlab::docgen {

namespace {

using Json = nlohmann::ordered_json;

// "#/definitions/veth" -> "veth"; "" when the schema gives no reference.
std::string ref_name(const Json& node) {
  if (node.contains("$ref")) {
    std::string ref = node["$ref"];
    return ref.substr(ref.rfind('/') + 1);
  }
  if (node.contains("allOf") && !node["allOf"].empty()) return ref_name(node["allOf"][0]);
  if (node.contains("items")) return ref_name(node["items"]);
  if (node.contains("additionalProperties") && node["additionalProperties"].is_object())
    return ref_name(node["additionalProperties"]);
  return "";
}

std::string joined(const Json& values, const std::string& separator) {
  std::string out;
  for (const auto& v : values) {
    out += (out.empty() ? "" : separator) + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

// What a value may be: its type, its choices, bounds and default, and the definition it is.
std::string value_of(const Json& node, const Json& definitions) {
  std::vector<std::string> parts;
  std::string ref = ref_name(node);
  if (node.contains("enum")) parts.push_back("one of " + joined(node["enum"], ", "));
  if (node.contains("type")) {
    std::string type = joined(node["type"], " or ");  // a value iterates as itself
    if (type == "array" && !ref.empty()) type = "a list of " + ref;
    if (type == "object" && !ref.empty()) type = "a map of names to " + ref;
    parts.push_back(type);
  } else if (!ref.empty()) {
    parts.push_back(ref + (definitions.contains(ref) && definitions[ref].contains("properties")
                               ? " (see below)"
                               : ""));
  }
  if (node.contains("minimum") && node.contains("maximum"))
    parts.push_back(node["minimum"].dump() + " to " + node["maximum"].dump());
  if (node.contains("default")) parts.push_back("default " + joined(node["default"], ""));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out.empty() ? "" : " [" + out + "]";
}

std::string description_of(const Json& node, const Json& definitions) {
  if (node.contains("description")) return node["description"];
  std::string ref = ref_name(node);
  if (!ref.empty() && definitions.contains(ref) && definitions[ref].contains("description"))
    return definitions[ref]["description"];
  return "";
}

void keys(Roff& page, const Json& object, const Json& definitions) {
  Json required = object.value("required", Json::array());
  for (const auto& [key, node] : object["properties"].items()) {
    bool must = std::find(required.begin(), required.end(), key) != required.end();
    page.item(key + (must ? " (required)" : ""),
              description_of(node, definitions) + value_of(node, definitions));
  }
}

}  // namespace

std::string topology_page(const std::string& schema_json, const std::string& version) {
  Json schema = Json::parse(schema_json);
  const Json& definitions = schema["definitions"];
  Roff page;
  page.header("NETLAB-TOPOLOGY", 5, "netlab " + version, "netlab manual")
      .section("NAME")
      .raw("netlab-topology \\- " + roff_text(schema.value("title", "netlab topology")))
      .section("DESCRIPTION")
      .paragraph(schema.value("description", ""))
      .paragraph(
          "A topology is a YAML file. Its JSON Schema, which this page is made from, is "
          "installed with netlab as netlab/schema/topology.schema.json under share/; the "
          "example labs are in netlab/topologies/. `netlab validate FILE` checks a file.")
      .section("KEYS");
  keys(page, schema, definitions);
  page.section("OBJECTS");
  for (const auto& [name, node] : definitions.items()) {
    if (!node.contains("properties")) continue;
    page.subsection(name);
    if (node.contains("description")) page.paragraph(node["description"].get<std::string>());
    keys(page, node, definitions);
  }
  page.section("VALUES");
  for (const auto& [name, node] : definitions.items()) {
    if (node.contains("properties")) continue;
    page.item(name, description_of(node, definitions) + value_of(node, definitions));
  }
  page.section("SEE ALSO").raw("\\fBnetlab\\fR(1)");
  return page.str();
}

}  // namespace netlab::docgen
