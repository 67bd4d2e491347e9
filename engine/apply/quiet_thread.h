// A helper thread born with every signal blocked, so that SIGINT and SIGTERM keep reaching
// the main thread, whose handlers ask a run to stop and roll back.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <thread>
#include <utility>

namespace netlab {

template <class F>
std::jthread quiet_thread(F&& f) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  std::jthread t(std::forward<F>(f));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace netlab
