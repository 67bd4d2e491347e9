// Source positions and the compiler-style messages that point at them.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace netlab {

struct Pos {
  std::shared_ptr<const std::string> file;  // shared: every value of a file carries it
  int line = 0;                             // 1-based; 0 = unknown
  int col = 0;                              // 1-based
  std::string str() const;                  // "file:line:col"
  std::string line_col() const;             // "line:col", for "(first at 3:5)"
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  Pos pos;
  std::string message;
  // "file:line:col: error: message" (or "warning:"), like a compiler.
  std::string str() const;
};

class Diagnostics {
 public:
  void error(const Pos& pos, std::string message);
  void warning(const Pos& pos, std::string message);
  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  // Sorted by file, line, column so a user reads them top to bottom.
  std::vector<Diagnostic> sorted() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace netlab
