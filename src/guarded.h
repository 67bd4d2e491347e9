// Runs one engine verb and turns its errors into messages and exit status 1: no exception
// leaves a verb.
#pragma once

#include <unistd.h>

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
    for (const auto& r : e.rollback_failures) print_stderr("  not rolled back: " + printable(r));
    if (!e.rollback_failures.empty())
      print_stderr("  run `netlab down` with the lab's name to remove what is left");
  } catch (const std::exception& e) {
    print_error(e.what());
  } catch (...) {
    print_error("unexpected internal error (not a std::exception)");
  }
  // Most failures of an unprivileged run are that: say so rather than let EPERM speak alone.
  if (geteuid() != 0)
    print_stderr("  netlab changes the kernel's network and /run/netlab: run it as root");
  return 1;
}

}  // namespace netlab::cli
