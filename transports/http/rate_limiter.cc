#include "transports/http/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace transports::http {

RateLimiter::RateLimiter(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(burst, 1.0)) {}

std::optional<std::chrono::milliseconds> RateLimiter::Take(const std::string& key, Clock::time_point now) {
  if (per_second_ <= 0) return std::nullopt;
  std::lock_guard lock(mutex_);

  // Buckets that have refilled completely carry no information: drop them once a minute.
  if (now - last_prune_ > std::chrono::minutes(1)) {
    const double full_after = burst_ / per_second_;
    std::erase_if(buckets_, [&](const auto& entry) {
      return std::chrono::duration<double>(now - entry.second.refilled).count() >= full_after;
    });
    last_prune_ = now;
  }

  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.refilled = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait_seconds = (1.0 - bucket.tokens) / per_second_;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_seconds * 1000)));
}

}  // namespace transports::http
