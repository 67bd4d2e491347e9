// Named network namespaces (/run/netns/NAME, as `ip netns add` makes them) and entering them.
// setns/unshare change only the calling thread, so every path here is /proc/thread-self.
#pragma once

#include <functional>
#include <string>

#include "kernel/fd.h"

namespace netlab::kernel {

inline constexpr const char* kNetnsDir = "/run/netns";

std::string netns_path(const std::string& name);
bool netns_exists(const std::string& name);
// The namespace the calling thread is in now.
Fd open_current_netns();
// An fd of /run/netns/NAME; throws KernelError (ENOENT when it does not exist).
Fd open_netns(const std::string& name);

// Creates /run/netns/NAME bound to a new namespace; the calling thread comes back to where it
// was. `inside` runs while the thread is in the new namespace (e.g. to open its socket there,
// which then needs no setns of its own). On failure nothing is left behind.
void create_netns(const std::string& name, const std::function<void()>& inside = {});
// Unbinds (MNT_DETACH) and removes /run/netns/NAME. The kernel frees the namespace once
// nothing (process, socket, bind mount) holds it any more, asynchronously.
void delete_netns(const std::string& name);

// Runs `inside` on the calling thread in the lab namespace `ns` ("host": where the thread is),
// after checking the name and that it exists (std::runtime_error saying which). A socket it
// opens there stays bound to that namespace.
void in_named_netns(const std::string& ns, const std::function<void()>& inside);

// Enters a namespace for the life of the guard. If coming back fails the thread would run on
// in the wrong namespace and change the wrong network: that aborts the process.
class ScopedNetns {
 public:
  explicit ScopedNetns(int target_fd);
  struct NewNamespace {};
  // unshare(CLONE_NEWNET): the thread is in a fresh namespace until the guard ends.
  explicit ScopedNetns(NewNamespace);
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

 private:
  Fd back_;
};

}  // namespace netlab::kernel
