// At most `limit` events per key in any `window` (a sliding window), in memory, per process:
// how registrations and metadata-document fetches are bounded so that one caller cannot use
// up what every connector needs.
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

 private:
  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>> events_;
};

}  // namespace rm::web
