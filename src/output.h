// How netlab talks to people and scripts: colour and progress only on a terminal (and never
// with NO_COLOR), plain lines in pipes and CI logs. Everything for stderr goes through here:
// stdout is flushed first, so that in a log holding both (`2>&1`) each message lands after the
// output it follows.
#pragma once

#include <string>
#include <string_view>

#include "model/printable.h"

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

using netlab::printable;  // model/printable.h
using netlab::printable_lines;

// One line on stdout, made printable.
void print_line(const std::string& text);
// One line on stderr as it is (the caller made it printable), after flushing stdout.
void print_stderr(const std::string& line);
// "netlab: error: ..." on stderr, made printable.
void print_error(const std::string& message);
// "netlab: note: ..." on stderr, made printable.
void print_note(const std::string& message);
// "netlab: warning: ..." on stderr, made printable: something done differently from what
// was asked, for a reason the user must know.
void print_warning(const std::string& message);

}  // namespace netlab::cli
