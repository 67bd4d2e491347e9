#include "remove_on_signal.h"

#include <pthread.h>
#include <unistd.h>

namespace netlab::cli {

namespace {

constexpr std::array kSignals{SIGINT, SIGTERM, SIGHUP};

// Set before the handler is installed and unchanged while it is: the handler only reads it.
std::vector<std::string> g_paths;

sigset_t signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kSignals) sigaddset(&set, s);
  return set;
}

// Only async-signal-safe calls: unlink, rmdir, sigaction, raise. The signal stays blocked while
// its handler runs, so the raised one ends the process, by default, once the handler returns.
extern "C" void remove_and_end(int sig) {
  for (const auto& p : g_paths)
    if (unlink(p.c_str()) != 0) rmdir(p.c_str());
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  raise(sig);
}

}  // namespace

RemoveOnSignal::RemoveOnSignal() {
  sigset_t set = signal_set();
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
}

void RemoveOnSignal::arm(std::vector<std::string> paths) {
  g_paths = std::move(paths);
  struct sigaction sa = {};
  sa.sa_handler = remove_and_end;
  sa.sa_mask = signal_set();  // one cleanup at a time
  for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &old_[i]);
  armed_ = true;
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

RemoveOnSignal::~RemoveOnSignal() {
  if (armed_) {
    sigset_t set = signal_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // no handler runs while the paths go
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
    g_paths.clear();
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace netlab::cli
