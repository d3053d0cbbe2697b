// RateLimiter: a token bucket per credential. Each request takes one token; tokens come
// back at `per_second` up to `burst`. An empty bucket says how long until the next token,
// which the client gets as Retry-After.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace transports::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second <= 0: unlimited.
  RateLimiter(double per_second, double burst);

  // Nothing when the request may proceed; otherwise how long the client should wait.
  std::optional<std::chrono::milliseconds> Take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point refilled;
  };

  const double per_second_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_prune_{};
};

}  // namespace transports::http
