// A run's temporary files, removed when SIGINT, SIGTERM or SIGHUP ends the run: the signal
// then ends the process as it would have (exit status 128 + signal), but leaves no folder of
// partial files behind.
#pragma once

#include <signal.h>

#include <array>
#include <string>
#include <vector>

namespace netlab::cli {

class RemoveOnSignal {
 public:
  // Holds the signals back until arm(): one that comes while the files are being made is
  // handled once their paths are known.
  RemoveOnSignal();
  // `paths` in the order they are removed: files, then the folders that held them.
  void arm(std::vector<std::string> paths);
  ~RemoveOnSignal();  // the former handlers and mask back
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;

 private:
  std::array<struct sigaction, 3> old_{};
  sigset_t old_mask_{};
  bool armed_ = false;
};

}  // namespace netlab::cli
