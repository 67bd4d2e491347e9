#include "parse/check_syntax.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <regex>

namespace netlab {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal number without sign or exponent ("1", "0.5", "2."); nullopt otherwise.
std::optional<double> decimal(std::string_view s) {
  auto dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if ((!whole.empty() && !all_digits(whole)) || (!frac.empty() && !all_digits(frac)) ||
      whole.size() + frac.size() == 0 || whole.size() > 9)
    return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

}  // namespace

std::variant<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  if (!text.empty() && text[0] == '-') return std::string("must not be negative");
  auto unit_at = text.find_first_not_of("0123456789.");
  std::string_view number = text.substr(0, unit_at);
  std::string_view unit = unit_at == std::string_view::npos ? "" : text.substr(unit_at);
  double scale = unit.empty() || unit == "s" ? 1000 : unit == "ms" ? 1 : unit == "m" ? 60000 : 0;
  if (scale == 0)
    return "has an unknown unit " + std::string(unit) + " (expected ms, s or m, like 500ms or 2s)";
  auto value = decimal(number);
  if (!value) return std::string("is not a duration (expected a number with ms, s or m, like 2s)");
  double ms = std::ceil(*value * scale);
  if (ms > static_cast<double>(kMaxCheckDuration.count())) return std::string("is over an hour");
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

HostPort split_host_port(std::string_view text) {
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close != std::string_view::npos && close + 1 < text.size() && text[close + 1] == ':')
      return {text.substr(1, close - 1), text.substr(close + 2)};
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    return {text.substr(0, colon), text.substr(colon + 1)};
  }
  return {text, std::nullopt};
}

std::variant<uint16_t, PortError> parse_port(std::string_view digits) {
  if (!all_digits(digits)) return PortError::NotDigits;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size() || v < 1 || v > 65535)
    return PortError::OutOfRange;
  return static_cast<uint16_t>(v);
}

std::optional<std::string> regex_problem(const std::string& pattern) {
  // std::regex compiles by recursion, one level per group: a pattern of the whole file's
  // size could overflow the stack. No line a check looks for needs more.
  if (pattern.size() > kMaxPattern)
    return "longer than " + std::to_string(kMaxPattern) + " characters";
  try {
    std::regex re(pattern);
  } catch (const std::regex_error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace netlab
