#include "web/login_limiter.h"

namespace rm::web {

std::size_t LoginLimiter::Recent(std::map<std::string, std::deque<Clock::time_point>>& table, std::string_view key,
                                 Clock::time_point now) {
  auto it = table.find(std::string(key));
  if (it == table.end()) return 0;
  auto& times = it->second;
  while (!times.empty() && now - times.front() > window_) times.pop_front();
  if (times.empty()) {
    table.erase(it);  // the table holds only recent offenders
    return 0;
  }
  return times.size();
}

bool LoginLimiter::Allowed(std::string_view account, std::string_view address) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  return Recent(by_account_, account, now) < static_cast<std::size_t>(per_account_) &&
         Recent(by_address_, address, now) < static_cast<std::size_t>(per_address_);
}

void LoginLimiter::Failed(std::string_view account, std::string_view address) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  by_account_[std::string(account)].push_back(now);
  by_address_[std::string(address)].push_back(now);
}

}  // namespace rm::web
