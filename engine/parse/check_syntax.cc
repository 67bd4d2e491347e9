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

namespace {

struct Unit {
  std::string_view name;
  double scale;
};

enum class Wrong { None, Negative, Unit, Number };
struct Measured {
  double value = 0;
  Wrong wrong = Wrong::None;
  std::string_view unit;  // the one not known, for Wrong::Unit
};

// A decimal number with one of `units` right after it, scaled (an empty name takes a bare
// number); a bare 0 needs no unit. The unit is looked at before the number.
Measured with_unit(std::string_view text, std::initializer_list<Unit> units) {
  if (!text.empty() && text[0] == '-') return {.wrong = Wrong::Negative};
  if (text == "0") return {};
  const size_t unit_at = std::min(text.find_first_not_of("0123456789."), text.size());
  const std::string_view unit = text.substr(unit_at);
  auto u = std::find_if(units.begin(), units.end(), [&](const Unit& x) { return x.name == unit; });
  if (u == units.end()) return {.wrong = Wrong::Unit, .unit = unit};
  auto value = decimal(text.substr(0, unit_at));
  if (!value) return {.wrong = Wrong::Number};
  return {.value = *value * u->scale};
}

// The scaled value, or what is wrong: a sign, or `expected` for a wrong number or unit.
std::variant<double, std::string> measured(std::string_view text, std::initializer_list<Unit> units,
                                           const char* expected) {
  Measured m = with_unit(text, units);
  if (m.wrong == Wrong::Negative) return std::string("must not be negative");
  if (m.wrong != Wrong::None) return std::string(expected);
  return m.value;
}

}  // namespace

std::variant<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
  Measured m = with_unit(text, {{"", 1000}, {"s", 1000}, {"ms", 1}, {"m", 60000}});
  if (m.wrong == Wrong::Negative) return std::string("must not be negative");
  if (m.wrong == Wrong::Unit)
    return "has an unknown unit " + std::string(m.unit) +
           " (expected ms, s or m, like 500ms or 2s)";
  if (m.wrong == Wrong::Number)
    return std::string("is not a duration (expected a number with ms, s or m, like 2s)");
  double ms = std::ceil(m.value);
  if (ms > static_cast<double>(kMaxCheckDuration.count())) return std::string("is over an hour");
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

std::variant<uint64_t, std::string> parse_rate(std::string_view text) {
  auto bits =
      measured(text, {{"bit", 1}, {"kbit", 1e3}, {"mbit", 1e6}, {"gbit", 1e9}},
               "is not a rate (expected a number with bit, kbit, mbit or gbit, like 10mbit)");
  if (auto* wrong = std::get_if<std::string>(&bits)) return *wrong;
  const double b = std::get<double>(bits);
  if (b == 0) return uint64_t{0};
  if (b > static_cast<double>(kMaxRate)) return std::string("is over 10gbit");
  if (b < static_cast<double>(kMinRate)) return std::string("is under 8kbit (0 is none)");
  // The kernel keeps bytes per second: a part of a byte would read back as another rate.
  auto whole = static_cast<uint64_t>(std::llround(b));
  if (whole % 8)
    return std::string(
        "is not a whole number of bytes per second (the kernel's unit: a multiple of 8bit, like "
        "10.008kbit)");
  return whole;
}

std::variant<uint32_t, std::string> parse_delay(std::string_view text) {
  auto us = measured(text, {{"us", 1}, {"ms", 1e3}, {"s", 1e6}},
                     "is not a duration (expected a number with us, ms or s, like 10ms)");
  if (auto* wrong = std::get_if<std::string>(&us)) return *wrong;
  if (std::get<double>(us) > kMaxDelayUs) return std::string("is over 60s");
  return static_cast<uint32_t>(std::llround(std::get<double>(us)));
}

std::variant<uint32_t, std::string> parse_percent(std::string_view text) {
  auto pct =
      measured(text, {{"%", 1}}, "is not a percentage (expected a number with %, like 0.5%)");
  if (auto* wrong = std::get_if<std::string>(&pct)) return *wrong;
  if (std::get<double>(pct) > 100) return std::string("is over 100%");
  return static_cast<uint32_t>(std::llround(std::get<double>(pct) / 100 * UINT32_MAX));
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
