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

namespace {

struct Unit {
  std::string_view name;
  double scale;
};

// A decimal number and one of `units` after it; a bare 0 needs none. nullopt: no such thing.
std::optional<double> with_unit(std::string_view text, std::initializer_list<Unit> units) {
  if (text == "0") return 0.0;
  auto unit_at = text.find_first_not_of("0123456789.");
  if (unit_at == std::string_view::npos) return std::nullopt;
  auto value = decimal(text.substr(0, unit_at));
  for (const auto& u : units)
    if (value && text.substr(unit_at) == u.name) return *value * u.scale;
  return std::nullopt;
}

}  // namespace

std::variant<uint64_t, std::string> parse_rate(std::string_view text) {
  if (!text.empty() && text[0] == '-') return std::string("must not be negative");
  auto bits = with_unit(text, {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}});
  if (!bits)
    return std::string(
        "is not a rate (expected a number with bit, kbit, mbit or gbit, like 10mbit)");
  if (*bits == 0) return uint64_t{0};
  if (*bits > static_cast<double>(kMaxRate)) return std::string("is over 10gbit");
  if (*bits < static_cast<double>(kMinRate)) return std::string("is under 8kbit (0 is none)");
  // The kernel keeps bytes per second: a part of a byte would read back as another rate.
  auto whole = static_cast<uint64_t>(std::llround(*bits));
  if (whole % 8)
    return std::string(
        "is not a whole number of bytes per second (the kernel's unit: a multiple of 8bit, like "
        "10.008kbit)");
  return whole;
}

std::variant<uint32_t, std::string> parse_delay(std::string_view text) {
  if (!text.empty() && text[0] == '-') return std::string("must not be negative");
  auto us = with_unit(text, {{"us", 1}, {"ms", 1e3}, {"s", 1e6}});
  if (!us) return std::string("is not a duration (expected a number with us, ms or s, like 10ms)");
  if (*us > kMaxDelayUs) return std::string("is over 60s");
  return static_cast<uint32_t>(std::llround(*us));
}

std::variant<uint32_t, std::string> parse_percent(std::string_view text) {
  if (!text.empty() && text[0] == '-') return std::string("must not be negative");
  auto pct = with_unit(text, {{"%", 1}});
  if (!pct) return std::string("is not a percentage (expected a number with %, like 0.5%)");
  if (*pct > 100) return std::string("is over 100%");
  return static_cast<uint32_t>(std::llround(*pct / 100 * UINT32_MAX));
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
