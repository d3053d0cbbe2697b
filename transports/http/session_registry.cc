#include "transports/http/session_registry.h"

#include "util/crypto.h"

namespace transports::http {

SessionRegistry::SessionRegistry(std::size_t max_sessions, Clock::duration idle_timeout)
    : max_sessions_(max_sessions), idle_timeout_(idle_timeout) {}

SessionRegistry::~SessionRegistry() { CancelAll(); }

void SessionRegistry::CancelAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, entry] : sessions_) entry.session->CancelAll();
}

bool SessionRegistry::Expired(const Entry& entry, Clock::time_point now) const {
  // A session working on a request is in use, however long the request takes.
  return now - entry.last_used > idle_timeout_ && entry.session->requests_in_flight() == 0;
}

std::optional<SessionRegistry::Created> SessionRegistry::Create(
    const std::string& credential_id, const std::function<std::shared_ptr<mcp::Session>()>& make,
    Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= max_sessions_ && CloseIdleLocked(now) == 0) return std::nullopt;
  std::string id = rm::RandomHex(16);
  std::shared_ptr<mcp::Session> session = make();
  sessions_.emplace(id, Entry{session, credential_id, now});
  return Created{std::move(id), std::move(session)};
}

std::shared_ptr<mcp::Session> SessionRegistry::Find(const std::string& id, const std::string& credential_id,
                                                    Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.credential_id != credential_id) return nullptr;
  if (Expired(it->second, now)) {
    it->second.session->CancelAll();
    sessions_.erase(it);
    return nullptr;
  }
  it->second.last_used = now;
  return it->second.session;
}

bool SessionRegistry::Remove(const std::string& id, const std::string& credential_id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.credential_id != credential_id) return false;
  it->second.session->CancelAll();
  sessions_.erase(it);
  return true;
}

std::size_t SessionRegistry::CloseIdle(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return CloseIdleLocked(now);
}

std::size_t SessionRegistry::CloseIdleLocked(Clock::time_point now) {
  return std::erase_if(sessions_, [&](auto& item) {
    if (!Expired(item.second, now)) return false;
    item.second.session->CancelAll();
    return true;
  });
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace transports::http
