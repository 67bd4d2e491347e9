#include "state/sysctl_value.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <vector>

namespace netlab {

namespace {

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// One number as proc_get_long reads it: an optional '-', then a digit, then strtoul in base 0
// taking the whole word. "+1" and "08" are not numbers to the kernel.
std::optional<std::string> kernel_number(const std::string& w) {
  size_t i = w.size() > 1 && w[0] == '-' ? 1 : 0;
  if (i >= w.size() || !std::isdigit(static_cast<unsigned char>(w[i]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(w.c_str() + i, &end, 0);
  if (errno != 0 || *end != '\0') return std::nullopt;
  // appended: "x" + string draws a false GCC 12 -Wrestrict in Release
  std::string number = i && v ? "-" : "";
  number += std::to_string(v);
  return number;
}

std::optional<std::string> integer_vector(const std::vector<std::string>& ws) {
  if (ws.empty()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& w : ws) {
    auto n = kernel_number(w);
    if (!n) return std::nullopt;
    out.push_back(*n);
  }
  return join(out, "\t");
}

using Range = std::pair<unsigned long long, unsigned long long>;

std::optional<unsigned long long> bitmap_number(const std::string& s) {
  auto n = kernel_number(s);
  if (!n || n->front() == '-') return std::nullopt;
  return std::stoull(*n);
}

// proc_do_large_bitmap: "N" or "N-M" items, comma-separated; printed back sorted, with
// overlapping and adjacent ranges merged.
std::optional<std::string> bitmap(const std::string& value) {
  auto ws = words(value);
  if (ws.size() > 1) return std::nullopt;
  std::vector<Range> ranges;
  std::istringstream in(ws.empty() ? "" : ws[0]);
  for (std::string item; std::getline(in, item, ',');) {
    auto dash = item.find('-', 1);
    auto lo = bitmap_number(item.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : bitmap_number(item.substr(dash + 1));
    if (!lo || !hi || *hi < *lo) return std::nullopt;
    ranges.emplace_back(*lo, *hi);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> merged;
  for (const auto& r : ranges)
    if (!merged.empty() && r.first <= merged.back().second + 1)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  std::vector<std::string> out;
  for (const auto& [lo, hi] : merged)
    out.push_back(lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi));
  return join(out, ",");
}

// The one network sysctl the kernel keeps as a bitmap (proc_do_large_bitmap).
bool is_bitmap(const std::string& key) {
  return key == "net.ipv4.ip_local_reserved_ports";
}

}  // namespace

std::string sysctl_kernel_spelling(const std::string& key, const std::string& value) {
  if (is_bitmap(key))
    if (auto b = bitmap(value)) return *b;
  auto ws = words(value);
  if (auto v = integer_vector(ws)) return *v;
  return join(ws, " ");
}

bool same_sysctl_value(const std::string& key, const std::string& a, const std::string& b) {
  return sysctl_kernel_spelling(key, a) == sysctl_kernel_spelling(key, b);
}

}  // namespace netlab
