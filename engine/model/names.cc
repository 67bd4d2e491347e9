#include "model/names.h"

#include <algorithm>
#include <cstdio>

namespace netlab {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::optional<std::string> label_problem(std::string_view what, std::string_view name) {
  bool ok =
      !name.empty() && name.size() <= kMaxLabName && is_lower_alnum(name[0]) &&
      std::all_of(name.begin(), name.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
  if (ok) return std::nullopt;
  return std::string(what) + " " + quoted(name) +
         " must match [a-z0-9][a-z0-9-]{0,31} (lowercase letters, digits and '-', at most 32)";
}

std::optional<std::string> lab_name_problem(std::string_view name) {
  return label_problem("lab name", name);
}

std::optional<std::string> namespace_name_problem(std::string_view name) {
  std::string q = "namespace name " + quoted(name);
  if (name.empty()) return std::string("namespace name must not be empty");
  if (name == "." || name == "..") return q + " is not allowed";
  if (name == "host") return q + " is reserved for the root namespace";
  if (name.size() > kMaxNamespaceName)
    return q + " is longer than " + std::to_string(kMaxNamespaceName) + " characters";
  for (char c : name)
    if (!is_lower_alnum(c) && c != '-' && c != '_' && c != '.')
      return q + " may contain only a-z, 0-9, '-', '_' and '.'";
  if (name.find("..") != std::string_view::npos) return q + " must not contain \"..\"";
  return std::nullopt;
}

std::optional<std::string> interface_name_problem(std::string_view name) {
  std::string q = "interface name " + quoted(name);
  if (name.empty()) return std::string("interface name must not be empty");
  if (name.size() > kMaxInterfaceName)
    return q + " is longer than " + std::to_string(kMaxInterfaceName) + " characters";
  if (name == "." || name == "..") return q + " is not allowed";
  // The kernel's own settings directories, /proc/sys/net/*/conf/{all,default}.
  if (name == "all" || name == "default")
    return q + " is reserved by the kernel (/proc/sys/net/ipv4/conf/" + std::string(name) + ")";
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == ':' || u <= 0x20 || u == 0x7F)
      return q + " must not contain '/', ':' or blanks";
    if (u == 0xA0) return q + " contains byte 0xa0, a blank to the kernel";  // its isspace()
    if (c == '%')
      return q + " must not contain '%' (the kernel takes it for a template and picks a free name)";
  }
  return std::nullopt;
}

std::optional<std::string> sysctl_key_problem(std::string_view key) {
  std::string q = "sysctl key " + quoted(key);
  if (key.substr(0, 4) != "net.") return q + " must start with \"net.\"";
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t dot = key.find('.', start);
    if (dot == std::string_view::npos) dot = key.size();
    std::string_view part = key.substr(start, dot - start);
    if (part.empty()) return q + " has an empty component (like net.ipv4.ip_forward)";
    for (char c : part) {
      bool ok = is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
      if (!ok) return q + " may contain only letters, digits, '_', '-' and '.' separators";
    }
    start = dot + 1;
  }
  return std::nullopt;
}
}  // namespace netlab
