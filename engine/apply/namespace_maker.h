// Makes a plan's new namespaces on a helper thread while the executor goes on with the rest.
// The kernel spends ~0.4 ms setting up each namespace, most of it outside the RTNL lock that
// serialises link, address and route work, so on two cores the two overlap (bench/README.md).
// A step that works in one of these namespaces waits for it first (wait()).
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "apply/kernel.h"

namespace netlab {

class NamespaceMaker {
 public:
  // Starts making `names`, in order. `stop` (set on SIGINT/SIGTERM) is polled between them.
  NamespaceMaker(Kernel& kernel, std::vector<std::string> names, const std::atomic<bool>* stop);
  ~NamespaceMaker();  // abandons what is not made yet, and joins
  NamespaceMaker(const NamespaceMaker&) = delete;
  NamespaceMaker& operator=(const NamespaceMaker&) = delete;

  bool has(const std::string& name) const { return index_.count(name) != 0; }
  // Blocks until `name` is made: true; false if it never will be (a creation failed, or the
  // run was stopped).
  bool wait(const std::string& name);
  // How many are made: always the first ones, in order.
  size_t made() const;
  // The identity of the i-th namespace, once made (Kernel::create_namespace).
  uint64_t cookie(size_t i) const;
  // Joins the thread, after all are made or (abandon) after the one in hand. Returns the
  // failure of the namespace made()-th, if one stopped it.
  std::exception_ptr finish(bool abandon);

 private:
  void work(const std::stop_token& token);

  Kernel& kernel_;
  const std::vector<std::string> names_;
  std::unordered_map<std::string, size_t> index_;
  const std::atomic<bool>* stop_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<uint64_t> cookies_;  // guarded by mutex_
  size_t made_ = 0;                // guarded by mutex_
  bool ended_ = false;             // no more will be made; guarded by mutex_
  std::exception_ptr error_;
  std::jthread thread_;  // last: starts once the members above exist
};

}  // namespace netlab
