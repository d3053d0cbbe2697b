// Password guessing, bounded: failed sign-ins are counted per account and per client address
// over a sliding window (two RateWindows); past either limit, sign-in is refused (even with
// the right password) until old failures age out. In memory, per process: a restart forgives,
// which is acceptable for a limit measured in minutes.
#pragma once

#include <chrono>
#include <string_view>

#include "web/rate_window.h"

namespace rm::web {

class LoginLimiter {
 public:
  LoginLimiter(int per_account, int per_address, std::chrono::seconds window)
      : by_account_(per_account, window), by_address_(per_address, window) {}

  // Whether a sign-in for `account` (lower-cased email) from `address` may be tried now.
  bool Allowed(std::string_view account, std::string_view address) {
    return by_account_.Below(account) && by_address_.Below(address);
  }
  void Failed(std::string_view account, std::string_view address) {
    by_account_.Count(account);
    by_address_.Count(address);
  }

 private:
  RateWindow by_account_;
  RateWindow by_address_;
};

}  // namespace rm::web
