#include "fake_kernel_rules.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace netlab::testing {

bool reserved_link_name(const std::string& name) {
  return name == "all" || name == "default";
}

bool valid_link_name(const std::string& name) {
  if (name.empty() || name.size() > 15 || name == "." || name == ".." || reserved_link_name(name))
    return false;
  return std::none_of(name.begin(), name.end(),
                      [](unsigned char c) { return c == '/' || c == ':' || std::isspace(c); });
}

namespace {

std::optional<long long> parse_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno || *end) return std::nullopt;
  return v;
}

std::optional<std::string> fold_ports(const std::string& value) {
  std::vector<std::pair<long long, long long>> ranges;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
    if (item.empty()) continue;
    auto dash = item.find('-');
    auto lo = parse_int(item.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : parse_int(item.substr(dash + 1));
    if (!lo || !hi || *lo > *hi || *lo < 0 || *hi > 65535) return std::nullopt;
    ranges.push_back({*lo, *hi});
  }
  std::sort(ranges.begin(), ranges.end());
  std::string out;
  for (size_t i = 0; i < ranges.size();) {
    auto [lo, hi] = ranges[i++];
    while (i < ranges.size() && ranges[i].first <= hi + 1) hi = std::max(hi, ranges[i++].second);
    if (!out.empty()) out += ",";
    out += std::to_string(lo) + (lo == hi ? "" : "-" + std::to_string(hi));
  }
  return out;
}

}  // namespace

std::optional<std::string> sysctl_spelling(const std::string& key, const std::string& value) {
  if (key.ends_with(".ip_local_reserved_ports")) return fold_ports(value);
  std::stringstream in(value);
  std::string word, out;
  while (in >> word) {
    auto v = parse_int(word);
    if (!v) return value;  // not a number: a string sysctl, kept as written
    out += (out.empty() ? "" : "\t") + std::to_string(*v);
  }
  return out.empty() ? std::nullopt : std::optional(out);
}

std::string sysctl_link(const std::string& key) {
  for (const char* p : {"net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh."}) {
    std::string prefix = p;
    if (!key.starts_with(prefix)) continue;
    auto dot = key.find('.', prefix.size());
    if (dot == std::string::npos) return "";
    std::string dev = key.substr(prefix.size(), dot - prefix.size());
    return dev == "all" || dev == "default" ? "" : dev;
  }
  return "";
}

bool same_subnet(const Cidr& a, const Cidr& b) {
  return a.prefix == b.prefix && a.network() == b.network();
}

}  // namespace netlab::testing
