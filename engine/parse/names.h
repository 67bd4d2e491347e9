// The parser's help with names: the name rules (model/names.h) and, for a name that breaks
// them or is unknown, the likely one meant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/names.h"

namespace netlab {

// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

// msg + ` (did you mean "candidate"?)` when a candidate is close to `word`, else msg.
std::string with_suggestion(std::string msg, std::string_view word,
                            const std::vector<std::string>& candidates);

}  // namespace netlab
