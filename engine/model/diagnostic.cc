#include "model/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace netlab {

std::string Pos::str() const {
  std::string s = file ? *file : std::string("<input>");
  if (line > 0) {
    // appended: "x" + string draws a false GCC 12 -Wrestrict in Release
    s += ':';
    s += std::to_string(line);
    s += ':';
    s += std::to_string(col);
  }
  return s;
}

std::string Pos::line_col() const {
  return std::to_string(line) + ":" + std::to_string(col);
}

std::string Diagnostic::str() const {
  return pos.str() + (severity == Severity::Error ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(const Pos& pos, std::string message) {
  items_.push_back({Severity::Error, pos, std::move(message)});
}

void Diagnostics::warning(const Pos& pos, std::string message) {
  items_.push_back({Severity::Warning, pos, std::move(message)});
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  auto out = items_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.line, a.pos.col) < std::tie(b.pos.line, b.pos.col);
  });
  return out;
}

}  // namespace netlab
