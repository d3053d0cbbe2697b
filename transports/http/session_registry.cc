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

SessionRegistry::SessionRegistry(Limits limits, Clock::duration idle_timeout,
                                 std::shared_ptr<SessionDirectory> directory, Clock::duration recheck)
    : limits_(limits), idle_timeout_(idle_timeout), directory_(std::move(directory)), recheck_(recheck) {}

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
  std::unique_lock lock(mutex_);
  // Evicted sessions are gone for every process (their ids get 404 everywhere).
  struct Forget {
    SessionRegistry& registry;
    std::unique_lock<std::mutex>& lock;
    ~Forget() {
      if (lock.owns_lock()) lock.unlock();
      registry.ForgetQueued();
    }
  } forget{*this, lock};

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
  InsertLocked(id, Entry{session, credential_id, user, now, now});
  return Created{std::move(id), std::move(session), evicted};
}

void SessionRegistry::InsertLocked(const std::string& id, Entry entry) {
  by_key_[entry.credential_id].insert(id);
  by_user_[entry.user_id].insert(id);
  sessions_.insert_or_assign(id, std::move(entry));
}

void SessionRegistry::ForgetQueued() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    ids.swap(forget_);
  }
  if (!directory_) return;
  for (const std::string& id : ids) directory_->Remove(rm::Sha256Hex(id));
}

bool SessionRegistry::Persist(const std::string& id, const std::string& credential_id) {
  if (!directory_) return true;
  SessionDirectory::Entry entry;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.credential_id != credential_id) return true;  // closed meanwhile
    entry.user_id = it->second.user_id;
    entry.state = it->second.session->state();
  }
  entry.credential_hash = rm::Sha256Hex(credential_id);
  return directory_->Save(rm::Sha256Hex(id), entry);
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

SessionRegistry::Sessions::iterator SessionRegistry::EraseLocked(Sessions::iterator it, bool everywhere) {
  it->second.session->CancelAll();
  if (everywhere && directory_) forget_.push_back(it->first);
  for (auto [index, owner] : {std::pair{&by_key_, &it->second.credential_id}, std::pair{&by_user_, &it->second.user_id}}) {
    auto ids = index->find(*owner);
    if (ids == index->end()) continue;
    ids->second.erase(it->first);
    if (ids->second.empty()) index->erase(ids);
  }
  return sessions_.erase(it);
}

std::shared_ptr<mcp::Session> SessionRegistry::Find(const std::string& id, const std::string& credential_id,
                                                    Clock::time_point now, const Restore& restore) {
  {
    std::unique_lock lock(mutex_);
    auto it = sessions_.find(id);
    if (it != sessions_.end() && it->second.credential_id != credential_id) return nullptr;
    if (it != sessions_.end() && Expired(it->second, now)) {
      // Idle here; another process may have used it since (the directory says).
      EraseLocked(it, /*everywhere=*/directory_ == nullptr);
      it = sessions_.end();
    }
    if (it != sessions_.end()) {
      it->second.last_used = now;
      if (!directory_ || now - it->second.checked < recheck_) return it->second.session;
      std::shared_ptr<mcp::Session> session = it->second.session;
      lock.unlock();
      // Still there (not deleted or evicted by another process)? Also marks it used for them.
      const std::optional<bool> alive = directory_->Touch(rm::Sha256Hex(id));
      lock.lock();
      it = sessions_.find(id);
      if (it == sessions_.end() || it->second.session != session) return nullptr;  // removed meanwhile
      if (alive.has_value() && !*alive) {
        EraseLocked(it, /*everywhere=*/false);
        return nullptr;
      }
      it->second.checked = now;
      return session;
    }
  }
  if (!directory_ || !restore) return nullptr;
  // Not held here: perhaps initialized on another process.
  std::optional<SessionDirectory::Entry> stored = directory_->Find(rm::Sha256Hex(id));
  if (!stored || stored->credential_hash != rm::Sha256Hex(credential_id)) return nullptr;
  std::shared_ptr<mcp::Session> session = restore(stored->state);
  if (!session) return nullptr;
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) {  // another thread restored it first
    return it->second.credential_id == credential_id ? it->second.session : nullptr;
  }
  if (sessions_.size() >= limits_.total && CloseIdleLocked(now) == 0) return nullptr;
  InsertLocked(id, Entry{session, credential_id, stored->user_id, now, now});
  return session;
}

bool SessionRegistry::Remove(const std::string& id, const std::string& credential_id) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.credential_id != credential_id) return false;
    EraseLocked(it);
  }
  ForgetQueued();
  return true;
}

std::size_t SessionRegistry::CloseIdle(Clock::time_point now) {
  std::size_t closed = 0;
  {
    std::lock_guard lock(mutex_);
    closed = CloseIdleLocked(now);
  }
  // Rows no process has used for the idle timeout; any process may sweep them.
  if (directory_) directory_->RemoveIdle();
  return closed;
}

std::size_t SessionRegistry::CloseIdleLocked(Clock::time_point now) {
  std::size_t closed = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (Expired(it->second, now)) {
      // Only this process's copy: another may be using the session (the directory says).
      it = EraseLocked(it, /*everywhere=*/directory_ == nullptr);
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
