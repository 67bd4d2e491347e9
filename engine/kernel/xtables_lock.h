// The xtables lock: the flock the iptables tools take on /run/xtables.lock (or
// $XTABLES_LOCKFILE, as they honour it) around read-modify-commit of a table. libiptc takes
// no lock itself, so without this a concurrent iptables run could silently drop our rule or
// we theirs (the kernel replaces whole tables).
#pragma once

#include <chrono>
#include <string>

namespace netlab::nat {

class XtablesLock {
 public:
  // Blocks until the lock is ours; throws KernelError (EWOULDBLOCK) after `wait`.
  explicit XtablesLock(std::chrono::milliseconds wait = std::chrono::seconds(10));
  ~XtablesLock();
  XtablesLock(const XtablesLock&) = delete;
  XtablesLock& operator=(const XtablesLock&) = delete;

  static std::string path();

 private:
  int fd_ = -1;  // closing it releases the flock
};

}  // namespace netlab::nat
