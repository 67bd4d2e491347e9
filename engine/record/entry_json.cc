#include "record/entry_json.h"

#include <nlohmann/json.hpp>

#include "record/store.h"

namespace netlab {

namespace {

const char* kind_name(OwnedEntry::Kind k) {
  switch (k) {
    case OwnedEntry::Kind::Namespace:
      return "namespace";
    case OwnedEntry::Kind::Link:
      return "link";
    case OwnedEntry::Kind::Route:
      return "route";
    case OwnedEntry::Kind::Sysctl:
      return "setting";
    case OwnedEntry::Kind::Nat:
      return "nat";
    case OwnedEntry::Kind::Host:
      return "host";
    case OwnedEntry::Kind::Service:
      return "service";
    case OwnedEntry::Kind::Qdisc:
      return "qdisc";
  }
  return "?";
}

// Printable ASCII without quote or backslash reads the same in JSON: names nearly always are.
bool plain(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

void field(std::string& out, const char* key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, value);
}

bool valid_utf8(std::string_view s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

std::string hex(std::string_view s) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string& s) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw RecordError("bad hex string \"" + s + "\" in record");
  };
  if (s.size() % 2) throw RecordError("bad hex string \"" + s + "\" in record");
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2)
    out += static_cast<char>(nibble(s[i]) << 4 | nibble(s[i + 1]));
  return out;
}

}  // namespace

void append_bytes_field(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":";
  if (plain(value) || valid_utf8(value)) {
    append_json_string(out, value);
    return;
  }
  out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += ",\"";
  out += key;
  out += "_hex\":\"" + hex(value) + '"';
}

std::string bytes_field(const nlohmann::json& j, const std::string& key,
                        const std::string& fallback) {
  if (auto it = j.find(key + "_hex"); it != j.end()) return unhex(it->get<std::string>());
  return j.value(key, fallback);
}

void append_json_string(std::string& out, std::string_view s) {
  if (!plain(s)) {
    out += nlohmann::json(s).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void append_entry(std::string& out, const OwnedEntry& e) {
  out += "{\"kind\":\"";
  out += kind_name(e.kind);
  out += '"';
  field(out, "ns", e.ns);
  if (!e.name.empty()) field(out, "name", e.name);
  if (!e.peer_name.empty()) {
    field(out, "peer_ns", e.peer_ns);
    field(out, "peer_name", e.peer_name);
  }
  if (e.kind == OwnedEntry::Kind::Route) {
    field(out, "dst", e.route.dst.str());
    if (e.route.via) field(out, "via", e.route.via->str());
    if (!e.route.dev.empty()) field(out, "dev", e.route.dev);
    out += ",\"metric\":" + std::to_string(e.route.metric);
  }
  if (e.kind == OwnedEntry::Kind::Sysctl) {
    out += ',';
    append_bytes_field(out, "old", e.old_value);
  }
  if (e.cookie) out += ",\"cookie\":" + std::to_string(e.cookie);
  if (e.kind == OwnedEntry::Kind::Service) {
    field(out, "token", e.token);
    field(out, "digest", e.digest);
    out += ",\"pid\":" + std::to_string(e.pid) + ",\"start_time\":" + std::to_string(e.start_time);
  }
  out += '}';
}

OwnedEntry entry_from_json(const nlohmann::json& j) {
  OwnedEntry e;
  const std::string kind = j.at("kind").get<std::string>();
  if (kind == "namespace")
    e.kind = OwnedEntry::Kind::Namespace;
  else if (kind == "link")
    e.kind = OwnedEntry::Kind::Link;
  else if (kind == "route")
    e.kind = OwnedEntry::Kind::Route;
  else if (kind == "setting")
    e.kind = OwnedEntry::Kind::Sysctl;
  else if (kind == "nat")
    e.kind = OwnedEntry::Kind::Nat;
  else if (kind == "host")
    e.kind = OwnedEntry::Kind::Host;
  else if (kind == "service")
    e.kind = OwnedEntry::Kind::Service;
  else if (kind == "qdisc")
    e.kind = OwnedEntry::Kind::Qdisc;
  else
    throw RecordError("unknown entry kind " + kind);
  e.ns = j.value("ns", "");
  e.name = j.value("name", "");
  e.peer_ns = j.value("peer_ns", "");
  e.peer_name = j.value("peer_name", "");
  if (e.kind == OwnedEntry::Kind::Route) {
    e.route.ns = e.ns;
    auto dst = Cidr::parse(j.at("dst").get<std::string>());
    if (!dst) throw RecordError("bad route in record");
    e.route.dst = *dst;
    if (j.contains("via")) e.route.via = IpAddr::parse(j["via"].get<std::string>());
    e.route.dev = j.value("dev", "");
    e.route.metric = j.value("metric", 0u);
  }
  e.old_value = bytes_field(j, "old");
  e.cookie = j.value("cookie", uint64_t{0});
  e.token = j.value("token", "");
  e.digest = j.value("digest", "");
  e.pid = j.value("pid", 0);
  e.start_time = j.value("start_time", uint64_t{0});
  return e;
}

}  // namespace netlab
