// An owned file descriptor: closed exactly once, never leaked on an exception path.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <utility>

namespace netlab::kernel {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    // close() errors on a read-only or namespace fd mean nothing actionable; the fd is gone.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A descriptor per namespace (netlink sockets) or per interface (captures): a lab of 1000
// namespaces needs more than the usual soft limit of 1024, so take what the hard limit allows.
inline void raise_fd_limit() {
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);  // best effort: failing here only limits lab size
  }
}

}  // namespace netlab::kernel
