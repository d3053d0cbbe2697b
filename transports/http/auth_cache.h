// AuthCache: remembers the application's answer for each bearer key for a short time,
// so a busy client costs one key lookup per TTL instead of one per request, and a
// revoked key still stops working within the TTL.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "transports/http/http_server.h"

namespace transports::http {

class AuthCache {
 public:
  using Clock = std::chrono::steady_clock;

  // `ttl` is capped at 1 s (the promise made for revocation).
  AuthCache(Authenticator authenticator, std::chrono::milliseconds ttl, std::size_t max_entries = 100000);

  // The credential for `token`, or nothing for an unknown or revoked key. Unknown keys are
  // remembered too, so a client retrying a bad key does not reach the database each time.
  // A failed lookup (the database is down) is passed on and not remembered.
  AuthAnswer Resolve(std::string_view token, Clock::time_point now = Clock::now());

 private:
  struct Entry {
    std::optional<Credential> credential;
    Clock::time_point expires;
  };

  Authenticator authenticator_;
  Clock::duration ttl_;
  std::size_t max_entries_;
  std::mutex mutex_;
  // By SHA-256 of the token: the cache never holds a usable key.
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace transports::http
