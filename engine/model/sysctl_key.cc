#include "model/sysctl_key.h"

#include <algorithm>
#include <array>

namespace netlab {

namespace {

constexpr std::array<std::string_view, 4> kPerInterface = {"net.ipv4.conf.", "net.ipv6.conf.",
                                                           "net.ipv4.neigh.", "net.ipv6.neigh."};

// The prefix of a per-interface key, and where its device ends; {0, 0} if none.
std::pair<std::size_t, std::size_t> device_span(std::string_view key) {
  for (auto prefix : kPerInterface) {
    if (!key.starts_with(prefix)) continue;
    auto last = key.rfind('.');
    if (last <= prefix.size()) return {0, 0};
    return {prefix.size(), last};
  }
  return {0, 0};
}

}  // namespace

std::string sysctl_key_device(std::string_view key) {
  auto [begin, end] = device_span(key);
  return std::string(key.substr(begin, end - begin));
}

std::string sysctl_key_path(std::string_view key) {
  auto [begin, end] = device_span(key);
  std::string path(key);
  for (std::size_t i = 0; i < path.size(); ++i)
    if (path[i] == '.' && (i < begin || i >= end)) path[i] = '/';
  return path;
}

std::string sysctl_key_renamed(std::string_view key,
                               const std::function<std::string(const std::string&)>& rename) {
  auto [begin, end] = device_span(key);
  if (begin == end) return std::string(key);
  return std::string(key.substr(0, begin)) + rename(std::string(key.substr(begin, end - begin))) +
         std::string(key.substr(end));
}

}  // namespace netlab
