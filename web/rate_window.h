// At most `limit` events per key in any `window` (a sliding window), in memory, per process:
// how registrations and metadata-document fetches are bounded so that one caller cannot use
// up what every connector needs, and (LoginLimiter) how failed sign-ins are.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace rm::web {

class RateWindow {
 public:
  RateWindow(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}

  // Counts one event for `key` and returns true, or returns false (and counts nothing) when
  // `key` already had `limit` events in the window.
  bool Take(std::string_view key);

  // The same in two steps, for events counted only after the fact (a failed sign-in):
  // whether `key` has had fewer than `limit` events in the window, and counting one.
  bool Below(std::string_view key);
  void Count(std::string_view key);

 private:
  using Clock = std::chrono::steady_clock;
  // Forgets events older than the window, and keys left with none, so the map holds only
  // recent callers. Needs mutex_.
  void Forget(Clock::time_point now);
  bool BelowLocked(std::string_view key) const;

  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>, std::less<>> events_;
};

}  // namespace rm::web
