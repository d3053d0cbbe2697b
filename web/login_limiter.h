// Password guessing, bounded: failed sign-ins are counted per account and per client address
// over a sliding window; past either limit, sign-in is refused (even with the right password)
// until old failures age out. In memory, per process: a restart forgives, which is acceptable
// for a limit measured in minutes.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace rm::web {

class LoginLimiter {
 public:
  LoginLimiter(int per_account, int per_address, std::chrono::seconds window)
      : per_account_(per_account), per_address_(per_address), window_(window) {}

  // Whether a sign-in for `account` (lower-cased email) from `address` may be tried now.
  bool Allowed(std::string_view account, std::string_view address);
  void Failed(std::string_view account, std::string_view address);

 private:
  using Clock = std::chrono::steady_clock;
  // Drops failures older than the window and reports how many remain.
  std::size_t Recent(std::map<std::string, std::deque<Clock::time_point>>& table, std::string_view key,
                     Clock::time_point now);

  const int per_account_;
  const int per_address_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> by_account_;
  std::map<std::string, std::deque<Clock::time_point>> by_address_;
};

}  // namespace rm::web
