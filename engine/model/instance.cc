#include "model/instance.h"

#include <cstdint>

#include "model/names.h"

namespace netlab {
namespace {

constexpr std::size_t kHashChars = 7;  // base 36: over 36 bits

uint64_t fnv1a(std::string_view s, uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::optional<std::string> instance_problem(std::string_view id) {
  return label_problem("instance", id);
}

std::string lab_key(std::string_view lab, std::string_view instance) {
  std::string key(lab);
  if (!instance.empty()) {
    key += '@';  // not "@" + string: a false GCC 12 -Wrestrict in Release
    key += instance;
  }
  return key;
}

std::optional<LabKey> parse_lab_key(std::string_view key) {
  auto at = key.find('@');
  LabKey k{std::string(key.substr(0, at)),
           at == std::string_view::npos ? "" : std::string(key.substr(at + 1))};
  if (lab_name_problem(k.lab)) return std::nullopt;
  if (at != std::string_view::npos && instance_problem(k.instance)) return std::nullopt;
  return k;
}

std::string instance_name(std::string_view name, std::string_view lab, std::string_view id,
                          std::size_t max) {
  std::string plain = std::string(name) + "_" + std::string(lab) + "_" + std::string(id);
  if (plain.size() <= max) return plain;
  // The separators keep ("a_b", "c") and ("a", "b_c") apart.
  uint64_t h = fnv1a(id, fnv1a("\n", fnv1a(lab, fnv1a("\n", fnv1a(name)))));
  std::string hash;
  for (std::size_t i = 0; i < kHashChars; ++i, h /= 36)
    hash += "0123456789abcdefghijklmnopqrstuvwxyz"[h % 36];
  std::size_t head = max > kHashChars + 2 ? max - kHashChars - 2 : 0;
  return std::string(name.substr(0, head)) + "_" + hash + "_";
}

std::string instance_namespace(const std::string& ns, std::string_view lab, std::string_view id) {
  if (id.empty() || ns == "host" || ns.empty()) return ns;
  return instance_name(ns, lab, id, kMaxNamespaceName);
}

std::string private_host_namespace(std::string_view lab, std::string_view id) {
  // Appended in place: GCC 12 warns falsely (-Wrestrict) on "." + string in a Release build.
  std::string plain(lab);
  if (!id.empty()) plain.append(".").append(id);
  plain += ".host";
  if (plain.size() <= kMaxNamespaceName) return plain;
  return instance_name("host", lab, id, kMaxNamespaceName);
}

std::string lab_namespace(const std::string& ns, std::string_view lab, std::string_view id,
                          bool isolated) {
  if (ns == "host" && isolated) return private_host_namespace(lab, id);
  return instance_namespace(ns, lab, id);
}

std::string instance_host_link(std::string_view name, std::string_view lab, std::string_view id) {
  return instance_name(name, lab, id, kMaxInterfaceName);
}

}  // namespace netlab
