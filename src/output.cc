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
  std::fprintf(stderr, "netlab: error: %s\n", message.c_str());
}

}  // namespace netlab::cli
