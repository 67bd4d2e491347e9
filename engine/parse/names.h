// Rules for the names a topology gives: lab, namespace, interface and sysctl key. Namespace
// names become paths (/run/netns/<name>) and sysctl keys become /proc/sys paths, so these
// rules are what keeps a topology from reaching outside its own objects.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netlab {

inline constexpr std::size_t kMaxLabName = 32;
inline constexpr std::size_t kMaxNamespaceName = 64;
inline constexpr std::size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

// Each returns the problem in words (a full message naming the value), or nullopt if fine.
std::optional<std::string> lab_name_problem(std::string_view name);
std::optional<std::string> namespace_name_problem(std::string_view name);
std::optional<std::string> interface_name_problem(std::string_view name);
std::optional<std::string> sysctl_key_problem(std::string_view key);

// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// msg + ` (did you mean "candidate"?)` when a candidate is close to `word`, else msg.
std::string with_suggestion(std::string msg, std::string_view word,
                            const std::vector<std::string>& candidates);

// `"` + s + `"`, with control characters and quotes escaped so a message stays on one line.
std::string quoted(std::string_view s);

}  // namespace netlab
