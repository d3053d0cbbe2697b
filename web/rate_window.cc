#include "web/rate_window.h"

namespace rm::web {

bool RateWindow::Take(std::string_view key) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  // Forget keys whose events all aged out, so the map holds only recent callers.
  for (auto it = events_.begin(); it != events_.end();) {
    while (!it->second.empty() && now - it->second.front() > window_) it->second.pop_front();
    it = it->second.empty() ? events_.erase(it) : std::next(it);
  }
  auto& times = events_[std::string(key)];
  if (times.size() >= static_cast<std::size_t>(limit_)) return false;
  times.push_back(now);
  return true;
}

}  // namespace rm::web
