#include "kernel/xtables_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "apply/kernel.h"

namespace netlab::nat {

static std::string span(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

std::string XtablesLock::path() {
  const char* env = std::getenv("XTABLES_LOCKFILE");
  return env && *env ? env : "/run/xtables.lock";
}

XtablesLock::XtablesLock(std::chrono::milliseconds wait) {
  const std::string file = path();
  // Same open as iptables (O_CREAT, 0600): whoever comes first creates it.
  fd_ = open(file.c_str(), O_CREAT | O_CLOEXEC | O_RDONLY, 0600);
  if (fd_ < 0) {
    int err = errno;
    throw KernelError("cannot open the xtables lock " + file + ": " + std::strerror(err), err);
  }
  // Poll rather than block in flock(): a blocking flock cannot time out without signals.
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
      close(fd_);
      if (err == EWOULDBLOCK)
        throw KernelError("another program is holding the xtables lock " + file + " (waited " +
                              span(wait) + "); try again when it is done",
                          err);
      throw KernelError("cannot lock " + file + ": " + std::strerror(err), err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

XtablesLock::~XtablesLock() {
  close(fd_);
}

}  // namespace netlab::nat
