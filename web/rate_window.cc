#include "web/rate_window.h"

namespace rm::web {

void RateWindow::Forget(Clock::time_point now) {
  for (auto it = events_.begin(); it != events_.end();) {
    while (!it->second.empty() && now - it->second.front() > window_) it->second.pop_front();
    it = it->second.empty() ? events_.erase(it) : std::next(it);
  }
}

bool RateWindow::BelowLocked(std::string_view key) const {
  auto it = events_.find(key);
  return it == events_.end() || it->second.size() < static_cast<std::size_t>(limit_);
}

bool RateWindow::Take(std::string_view key) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  Forget(now);
  if (!BelowLocked(key)) return false;
  events_[std::string(key)].push_back(now);
  return true;
}

bool RateWindow::Below(std::string_view key) {
  std::lock_guard lock(mutex_);
  Forget(Clock::now());
  return BelowLocked(key);
}

void RateWindow::Count(std::string_view key) {
  std::lock_guard lock(mutex_);
  events_[std::string(key)].push_back(Clock::now());
}

}  // namespace rm::web
