// Runs one engine verb and turns its errors into messages and exit status 1.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <exception>

#include "apply/executor.h"
#include "output.h"

namespace netlab::cli {

template <class F>
int guarded(F&& f) {
  try {
    return f();
  } catch (const ApplyError& e) {
    print_error(e.what());
    for (const auto& r : e.rollback_failures)
      std::fprintf(stderr, "  not rolled back: %s\n", r.c_str());
    if (!e.rollback_failures.empty())
      std::fprintf(stderr, "  run `netlab down` with the lab's name to remove what is left\n");
  } catch (const std::exception& e) {
    print_error(e.what());
  }
  // Most failures of an unprivileged run are that: say so rather than let EPERM speak alone.
  if (geteuid() != 0)
    std::fprintf(stderr, "  netlab changes the kernel's network and /run/netlab: run it as root\n");
  return 1;
}

}  // namespace netlab::cli
