// Value syntax of the topology that is plain text in, value out: durations, address:port,
// patterns.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace netlab {

// The longest duration a check may take (a typo of units should not hang CI for days).
inline constexpr std::chrono::milliseconds kMaxCheckDuration = std::chrono::hours(1);

// "2s", "500ms", "1.5s", "1m", or a plain number of seconds. The error says what is wrong
// (negative, no number, unknown unit, too long).
std::variant<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);

// Link impairment values (README: impair). Each returns its value or what is wrong with the
// text; "0" (with or without a unit) is none.
inline constexpr uint64_t kMaxRate = 10'000'000'000;  // bits/s: tbf takes a 32-bit byte rate
inline constexpr uint64_t kMinRate = 8'000;
inline constexpr uint32_t kMaxDelayUs = 60'000'000;
// "10mbit", "512kbit", "1.5gbit", "8000bit": bits per second (units of 1000, as tc's).
std::variant<uint64_t, std::string> parse_rate(std::string_view text);
// "10ms", "250us", "1.5s": microseconds.
std::variant<uint32_t, std::string> parse_delay(std::string_view text);
// "1%", "0.1%", "100%": the kernel's scale, where UINT32_MAX is 100 %.
std::variant<uint32_t, std::string> parse_percent(std::string_view text);

struct HostPort {
  std::string_view addr;
  std::optional<std::string_view> port;  // digits or not: the caller checks
};

// "10.0.0.1:80", "[fd00::1]:80", or an address alone (an IPv6 address alone has no brackets).
HostPort split_host_port(std::string_view text);

enum class PortError { NotDigits, OutOfRange };

// A port number 1..65535 written as digits.
std::variant<uint16_t, PortError> parse_port(std::string_view digits);

inline constexpr std::size_t kMaxPattern = 1024;

// Why `pattern` is no regular expression (or one too long to compile safely) (ECMAScript, as
// std::regex reads it); nullopt if it is.
std::optional<std::string> regex_problem(const std::string& pattern);

}  // namespace netlab
