// How netlab talks to people and scripts: colour and progress only on a terminal (and never
// with NO_COLOR), plain lines in pipes and CI logs.
#pragma once

#include <string>

namespace netlab::cli {

struct Style {
  bool color = false;     // stdout is a TTY and NO_COLOR is unset
  bool progress = false;  // stderr is a TTY
  static Style detect();
  std::string green(const std::string& s) const { return wrap("32", s); }
  std::string yellow(const std::string& s) const { return wrap("33", s); }
  std::string red(const std::string& s) const { return wrap("31", s); }
  std::string bold(const std::string& s) const { return wrap("1", s); }

 private:
  std::string wrap(const char* code, const std::string& s) const {
    return color ? "\033[" + std::string(code) + "m" + s + "\033[0m" : s;
  }
};

// "netlab: error: ..." on stderr.
void print_error(const std::string& message);
// Something done differently from what was asked, for a reason the user must know.
void print_warning(const std::string& message);

}  // namespace netlab::cli
