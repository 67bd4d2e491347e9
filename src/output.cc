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

void print_error(const std::string& message) {
  std::fflush(stdout);  // after what it follows, when both go to one log
  std::fprintf(stderr, "netlab: error: %s\n", message.c_str());
}

void print_warning(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "netlab: warning: %s\n", message.c_str());
}

}  // namespace netlab::cli
