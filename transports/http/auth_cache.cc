#include "transports/http/auth_cache.h"

#include <algorithm>
#include <utility>

#include "util/crypto.h"

namespace transports::http {

AuthCache::AuthCache(Authenticator authenticator, std::chrono::milliseconds ttl, std::size_t max_entries)
    : authenticator_(std::move(authenticator)),
      ttl_(std::min<Clock::duration>(ttl, std::chrono::seconds(1))),
      max_entries_(max_entries) {}

AuthAnswer AuthCache::Resolve(std::string_view token, Clock::time_point now) {
  if (ttl_ <= Clock::duration::zero()) return authenticator_(token);
  const std::string key = rm::Sha256Hex(token);
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end() && it->second.expires > now) {
      return it->second.credential;
    }
  }
  // Looked up outside the lock: a slow database must not serialize every other key.
  AuthAnswer answer = authenticator_(token);
  if (!answer.ok()) return answer;
  std::optional<Credential>& credential = *answer;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) {
    // A flood of distinct keys (almost surely invalid ones): start over rather than grow.
    std::erase_if(entries_, [now](const auto& e) { return e.second.expires <= now; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[key] = Entry{credential, now + ttl_};
  return answer;
}

}  // namespace transports::http
