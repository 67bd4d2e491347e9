// Rules for the names a topology gives: lab, namespace, interface and sysctl key. Namespace
// names become paths (/run/netns/<name>) and sysctl keys become /proc/sys paths, so these
// rules are what keeps a topology from reaching outside its own objects. In the model, as
// the parser checks a file with them and the kernel layer each name it is handed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netlab {

inline constexpr std::size_t kMaxLabName = 32;
inline constexpr std::size_t kMaxNamespaceName = 64;
inline constexpr std::size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

// Each returns the problem in words (a full message naming the value), or nullopt if fine.
std::optional<std::string> lab_name_problem(std::string_view name);
// The rule of lab names, [a-z0-9][a-z0-9-]{0,31}, for another `what` (an instance ID).
std::optional<std::string> label_problem(std::string_view what, std::string_view name);
std::optional<std::string> namespace_name_problem(std::string_view name);
std::optional<std::string> interface_name_problem(std::string_view name);
std::optional<std::string> sysctl_key_problem(std::string_view key);

// `"` + s + `"`, with control characters and quotes escaped so a message stays on one line.
std::string quoted(std::string_view s);

}  // namespace netlab
