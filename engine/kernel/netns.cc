#include "kernel/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "apply/kernel.h"
#include "model/names.h"
#include "model/topology.h"

namespace netlab::kernel {

namespace {

constexpr const char* kThreadNetns = "/proc/thread-self/ns/net";

[[noreturn]] void fail(const std::string& what, int err) {
  throw KernelError(what + ": " + std::strerror(err), err);
}

// /run/netns must be a shared mount point, so that a namespace bound under it is seen by
// every mount namespace (processes of `ip netns exec` included), as iproute2 arranges it.
void ensure_netns_dir() {
  if (mkdir(kNetnsDir, 0755) != 0 && errno != EEXIST) fail("create /run/netns", errno);
  bool bound = false;
  while (mount("", kNetnsDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    // EINVAL: not a mount point yet; bind it on itself once, then try again.
    if (errno != EINVAL || bound) fail("make /run/netns a shared mount", errno);
    if (mount(kNetnsDir, kNetnsDir, "none", MS_BIND | MS_REC, nullptr) != 0)
      fail("bind-mount /run/netns on itself", errno);
    bound = true;
  }
}

}  // namespace

std::string netns_path(const std::string& name) {
  return std::string(kNetnsDir) + "/" + name;
}

bool netns_exists(const std::string& name) {
  struct stat st;
  return stat(netns_path(name).c_str(), &st) == 0;
}

Fd open_current_netns() {
  Fd fd(open(kThreadNetns, O_RDONLY | O_CLOEXEC));
  if (!fd) fail("open the current network namespace", errno);
  return fd;
}

Fd open_netns(const std::string& name) {
  Fd fd(open(netns_path(name).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) fail("open namespace " + name, errno);
  return fd;
}

void create_netns(const std::string& name, const std::function<void()>& inside) {
  // Every time, not once per process: a test (or a caller) may be in a fresh mount namespace.
  ensure_netns_dir();
  std::string path = netns_path(name);
  {
    Fd file(open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!file) fail("create namespace " + name + " (" + path + ")", errno);
  }
  try {
    ScopedNetns fresh{ScopedNetns::NewNamespace{}};
    if (inside) inside();  // before the bind: if it fails, there is nothing to unmount
    if (mount(kThreadNetns, path.c_str(), "none", MS_BIND, nullptr) != 0)
      fail("create namespace " + name + ": bind it to " + path, errno);
  } catch (...) {  // the guard has brought the thread back already
    unlink(path.c_str());
    throw;
  }
}

void delete_netns(const std::string& name) {
  std::string path = netns_path(name);
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL)
    fail("delete namespace " + name + ": unmount " + path, errno);
  if (unlink(path.c_str()) != 0) fail("delete namespace " + name + ": remove " + path, errno);
}

void in_named_netns(const std::string& ns, const std::function<void()>& inside) {
  if (ns == kHost) return inside();
  if (auto problem = namespace_name_problem(ns)) throw std::runtime_error(*problem);
  if (!netns_exists(ns)) throw std::runtime_error("namespace " + ns + " does not exist");
  Fd nsfd = open_netns(ns);
  ScopedNetns in(nsfd.get());
  inside();
}

ScopedNetns::ScopedNetns(int target_fd) : back_(open_current_netns()) {
  if (setns(target_fd, CLONE_NEWNET) != 0) fail("enter network namespace", errno);
}

ScopedNetns::ScopedNetns(NewNamespace) : back_(open_current_netns()) {
  if (unshare(CLONE_NEWNET) != 0) fail("create a network namespace (unshare)", errno);
}

ScopedNetns::~ScopedNetns() {
  if (setns(back_.get(), CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "netlab: fatal: cannot return to the original network namespace: %s\n",
                 std::strerror(errno));
    std::abort();
  }
}

}  // namespace netlab::kernel
