#include "output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace netlab::cli {

Style Style::detect() {
  Style s;
  const char* no_color = std::getenv("NO_COLOR");
  bool allow = !(no_color && *no_color);
  s.color = allow && isatty(STDOUT_FILENO);
  s.progress = isatty(STDERR_FILENO);
  return s;
}

void print_line(const std::string& text) {
  std::fputs((printable(text) + "\n").c_str(), stdout);
}

void print_stderr(const std::string& line) {
  std::fflush(stdout);
  std::fputs((line + "\n").c_str(), stderr);
}

void print_error(const std::string& message) {
  print_stderr("netlab: error: " + printable_lines(message));
}

void print_note(const std::string& message) {
  print_stderr("netlab: note: " + printable_lines(message));
}

void print_warning(const std::string& message) {
  print_stderr("netlab: warning: " + printable_lines(message));
}

}  // namespace netlab::cli
