// Checks on the raw text before yaml-cpp sees it: size, encoding and nesting depth. yaml-cpp
// recurses once per nesting level, so a hostile `[[[[...` must be refused here, not there.
#pragma once

#include <cstddef>
#include <string_view>

#include "model/diagnostic.h"

namespace netlab {

inline constexpr std::size_t kMaxTopologyBytes = 1024 * 1024;
inline constexpr int kMaxNestingDepth = 64;

// Reports the first problem found; returns false if the text must not be parsed.
bool prescan_text(std::string_view text, const std::shared_ptr<const std::string>& file,
                  Diagnostics& diags);

// The depth as the pre-scan estimates it (never less than the real YAML nesting); for tests.
int estimate_nesting_depth(std::string_view text);

}  // namespace netlab
