#include "apply/namespace_maker.h"

#include "apply/quiet_thread.h"

namespace netlab {

NamespaceMaker::NamespaceMaker(Kernel& kernel, std::vector<std::string> names,
                               const std::atomic<bool>* stop)
    : kernel_(kernel), names_(std::move(names)), stop_(stop), cookies_(names_.size()) {
  for (size_t i = 0; i < names_.size(); ++i) index_.emplace(names_[i], i);
  thread_ = quiet_thread([this](std::stop_token token) { work(token); });
}

NamespaceMaker::~NamespaceMaker() {
  finish(true);
}

void NamespaceMaker::work(const std::stop_token& token) {
  for (const auto& name : names_) {
    if (token.stop_requested() || (stop_ && stop_->load())) break;
    uint64_t cookie = 0;
    try {
      cookie = kernel_.create_namespace(name);
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      break;
    }
    std::lock_guard lock(mutex_);
    cookies_[made_++] = cookie;
    cv_.notify_all();
  }
  std::lock_guard lock(mutex_);
  ended_ = true;
  cv_.notify_all();
}

bool NamespaceMaker::wait(const std::string& name) {
  const size_t want = index_.at(name) + 1;
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return made_ >= want || ended_; });
  return made_ >= want;
}

size_t NamespaceMaker::made() const {
  std::lock_guard lock(mutex_);
  return made_;
}

uint64_t NamespaceMaker::cookie(size_t i) const {
  std::lock_guard lock(mutex_);
  return cookies_.at(i);
}

std::exception_ptr NamespaceMaker::finish(bool abandon) {
  if (thread_.joinable()) {
    if (abandon) thread_.request_stop();
    thread_.join();
  }
  return error_;
}

}  // namespace netlab
