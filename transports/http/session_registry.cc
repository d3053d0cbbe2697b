#include "transports/http/session_registry.h"

#include "util/crypto.h"

namespace transports::http {
namespace {

std::size_t CountOf(const std::unordered_map<std::string, std::unordered_set<std::string>>& index,
                    const std::string& owner) {
  auto it = index.find(owner);
  return it == index.end() ? 0 : it->second.size();
}

}  // namespace

SessionRegistry::SessionRegistry(Limits limits, Clock::duration idle_timeout)
    : limits_(limits), idle_timeout_(idle_timeout) {}

SessionRegistry::~SessionRegistry() { CancelAll(); }

void SessionRegistry::CancelAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : sessions_) entry.session->CancelAll();
}

bool SessionRegistry::Expired(const Entry& entry, Clock::time_point now) const {
  // A session working on a request is in use, however long the request takes.
  return now - entry.last_used > idle_timeout_ && entry.session->requests_in_flight() == 0;
}

std::variant<SessionRegistry::Created, SessionRegistry::Refused> SessionRegistry::Create(
    const std::string& credential_id, const std::string& user_id,
    const std::function<std::shared_ptr<mcp::Session>()>& make, Clock::time_point now) {
  const std::string& user = user_id.empty() ? credential_id : user_id;
  std::lock_guard lock(mutex_);

  // Room within the caller's own caps comes from the caller's own sessions: choose them all
  // before closing any, so a refusal closes nothing.
  Sessions::iterator key_victim = sessions_.end();
  const bool key_at_cap = limits_.per_key != 0 && CountOf(by_key_, credential_id) >= limits_.per_key;
  if (key_at_cap) {
    key_victim = LeastRecentlyUsedIdle(by_key_[credential_id], "");
    if (key_victim == sessions_.end()) return Refused::kKeyAtCap;
  }
  Sessions::iterator user_victim = sessions_.end();
  const std::size_t user_sessions = CountOf(by_user_, user) - (key_at_cap ? 1 : 0);  // the key's victim is the user's too
  if (limits_.per_user != 0 && user_sessions >= limits_.per_user) {
    user_victim = LeastRecentlyUsedIdle(by_user_[user], key_at_cap ? key_victim->first : "");
    if (user_victim == sessions_.end()) return Refused::kUserAtCap;
  }
  std::size_t evicted = 0;
  for (Sessions::iterator victim : {key_victim, user_victim}) {
    if (victim == sessions_.end()) continue;
    EraseLocked(victim);  // erasing one element leaves iterators to the others valid
    ++evicted;
  }
  if (sessions_.size() >= limits_.total && CloseIdleLocked(now) == 0) return Refused::kFull;

  std::string id = rm::RandomHex(16);
  std::shared_ptr<mcp::Session> session = make();
  sessions_.emplace(id, Entry{session, credential_id, user, now});
  by_key_[credential_id].insert(id);
  by_user_[user].insert(id);
  return Created{std::move(id), std::move(session), evicted};
}

SessionRegistry::Sessions::iterator SessionRegistry::LeastRecentlyUsedIdle(const std::unordered_set<std::string>& ids,
                                                                          const std::string& except) {
  Sessions::iterator oldest = sessions_.end();
  for (const std::string& id : ids) {
    if (id == except) continue;
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.session->requests_in_flight() != 0) continue;
    if (oldest == sessions_.end() || it->second.last_used < oldest->second.last_used) oldest = it;
  }
  return oldest;
}

SessionRegistry::Sessions::iterator SessionRegistry::EraseLocked(Sessions::iterator it) {
  it->second.session->CancelAll();
  for (auto [index, owner] : {std::pair{&by_key_, &it->second.credential_id}, std::pair{&by_user_, &it->second.user_id}}) {
    auto ids = index->find(*owner);
    if (ids == index->end()) continue;
    ids->second.erase(it->first);
    if (ids->second.empty()) index->erase(ids);
  }
  return sessions_.erase(it);
}

std::shared_ptr<mcp::Session> SessionRegistry::Find(const std::string& id, const std::string& credential_id,
                                                    Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.credential_id != credential_id) return nullptr;
  if (Expired(it->second, now)) {
    EraseLocked(it);
    return nullptr;
  }
  it->second.last_used = now;
  return it->second.session;
}

bool SessionRegistry::Remove(const std::string& id, const std::string& credential_id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.credential_id != credential_id) return false;
  EraseLocked(it);
  return true;
}

std::size_t SessionRegistry::CloseIdle(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return CloseIdleLocked(now);
}

std::size_t SessionRegistry::CloseIdleLocked(Clock::time_point now) {
  std::size_t closed = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (Expired(it->second, now)) {
      it = EraseLocked(it);
      ++closed;
    } else {
      ++it;
    }
  }
  return closed;
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace transports::http
