#include "parse/names.h"

#include <algorithm>

namespace netlab {
namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("nmae").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const auto& c : candidates) {
    std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), c.size()) / 3);
    std::size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap > limit) continue;  // cannot be close; also keeps a huge word from costing much
    std::size_t d = edit_distance(word, c);
    if (d <= limit && (!best || d < best_d)) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string with_suggestion(std::string msg, std::string_view word,
                            const std::vector<std::string>& candidates) {
  if (auto near = closest_match(word, candidates)) msg += " (did you mean " + quoted(*near) + "?)";
  return msg;
}

}  // namespace netlab
