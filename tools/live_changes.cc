#include "tools/live_changes.h"

#include <algorithm>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "tools/change_wire.h"

#include "store/api_keys.h"
#include "store/memory_access.h"
#include "store/oauth_grants.h"
#include "store/users.h"

namespace rm::tools {

std::string MemoryUri(const std::string& id) { return "memory://" + id; }

std::shared_ptr<LiveChanges> LiveChanges::Create(store::Store& db, Limits limits) {
  return std::shared_ptr<LiveChanges>(new LiveChanges(db, limits));
}

LiveChanges::LiveChanges(store::Store& db, Limits limits) : db_(db), limits_(limits) {}

LiveChanges::~LiveChanges() {
  // First, and without the lock: the bus's thread may be in Received, which takes it.
  if (bus_) bus_->Stop();
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LiveChanges::listening() const { return bus_ != nullptr || count_.load(std::memory_order_acquire) > 0; }

void LiveChanges::AttachBus(std::shared_ptr<store::ChangeBus> bus) {
  bus_ = std::move(bus);
  // `this` outlives the callbacks: the destructor stops the bus before anything else.
  bus_->Start([this](std::string_view payload) { Received(payload); },
              [this] {
                {
                  std::lock_guard lock(mutex_);
                  if (listeners_.empty()) return;
                  missed_ = true;
                }
                wake_.notify_one();
              });
}

void LiveChanges::Received(std::string_view payload) {
  std::optional<DecodedChanges> decoded = DecodeChanges(payload);
  if (!decoded) {
    spdlog::warn("live changes: ignored a message on the change bus that is not a change list ({} bytes)",
                 payload.size());
    return;
  }
  if (count_.load(std::memory_order_acquire) == 0) return;  // nobody here listens
  if (!decoded->reread.empty()) {
    // Too big to travel: the columns as they are now (a change that removed the memory
    // reaches nobody — nobody here can be shown to have been able to read it).
    Status status = db_.Read([&](store::Connection& conn) -> Status {
      for (const std::string& id : decoded->reread) {
        Result<std::vector<store::MemoryAccess>> thread = store::ReadThreadAccess(conn, id);
        if (!thread.ok()) return thread.status();
        for (store::MemoryAccess& access : *thread) {
          if (access.id == id) decoded->changes.push_back(MemoryChange{id, std::nullopt, std::move(access)});
        }
      }
      return Status::Ok();
    });
    if (!status.ok()) spdlog::error("live changes: could not re-read changed memories: {}", status.message());
  }
  Enqueue(std::move(decoded->changes));
}

std::size_t LiveChanges::listeners() const { return count_.load(std::memory_order_acquire); }

void LiveChanges::Publish(std::vector<MemoryChange> changes) {
  if (changes.empty()) return;
  if (bus_) {
    for (std::string& payload : EncodeChanges(changes, bus_->max_payload())) bus_->Publish(std::move(payload));
  }
  Enqueue(std::move(changes));
}

void LiveChanges::Enqueue(std::vector<MemoryChange> changes) {
  if (changes.empty() || count_.load(std::memory_order_acquire) == 0) return;
  {
    std::lock_guard lock(mutex_);
    if (overflowed_) return;  // every listener is being dropped anyway
    if (pending_.size() + changes.size() > limits_.max_pending_changes) {
      overflowed_ = true;
      pending_.clear();
    } else {
      for (MemoryChange& c : changes) pending_.push_back(std::move(c));
    }
  }
  wake_.notify_one();
}

Result<mcp::ListenHandle> LiveChanges::Listen(ListenerIdentity who, std::shared_ptr<mcp::ResourceListener> listener) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    std::size_t same_key = 0;
    for (const auto& [_, entry] : listeners_) same_key += entry.who.key == who.key ? 1 : 0;
    if (same_key >= limits_.listeners_per_key) {
      return Status::QuotaExceeded("this credential already has " + std::to_string(same_key) +
                                   " listeners open (the limit is " + std::to_string(limits_.listeners_per_key) +
                                   "); end one before opening another");
    }
    id = next_id_++;
    listeners_.emplace(id, Entry{std::move(who), std::move(listener)});
    count_.store(listeners_.size(), std::memory_order_release);
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  std::weak_ptr<LiveChanges> weak = weak_from_this();
  // Not a pointer to anything: the deleter is what matters.
  return mcp::ListenHandle(static_cast<void*>(nullptr), [weak, id](void*) {
    if (auto self = weak.lock()) self->Remove(id);
  });
}

void LiveChanges::Remove(std::uint64_t id) {
  std::shared_ptr<mcp::ResourceListener> released;  // destroyed outside the lock
  std::lock_guard lock(mutex_);
  auto it = listeners_.find(id);
  if (it == listeners_.end()) return;
  released = std::move(it->second.listener);
  listeners_.erase(it);
  count_.store(listeners_.size(), std::memory_order_release);
}

void LiveChanges::Flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return (pending_.empty() && !overflowed_ && !missed_ && !dispatching_) || stop_; });
}

void LiveChanges::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Wakes for changes, and when the keys' re-check is due while anyone listens — at that
    // moment, not an interval after the last wake-up, so a revocation ends a listen within
    // one interval (plus the query), not within two.
    auto until = std::chrono::steady_clock::now() + limits_.key_recheck_interval;
    if (!listeners_.empty()) until = std::min(until, last_key_check_ + limits_.key_recheck_interval);
    wake_.wait_until(lock, until, [this] { return stop_ || overflowed_ || missed_ || !pending_.empty(); });
    if (stop_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool keys_due = !listeners_.empty() && now - last_key_check_ >= limits_.key_recheck_interval;
    if (pending_.empty() && !overflowed_ && !missed_ && !keys_due) continue;
    std::vector<MemoryChange> batch;
    batch.swap(pending_);
    const bool overflowed = std::exchange(overflowed_, false);
    const bool missed = std::exchange(missed_, false);
    std::map<std::uint64_t, Entry> listeners = listeners_;  // delivered to outside the lock
    if (overflowed || missed) {
      listeners_.clear();
      count_.store(0, std::memory_order_release);
    }
    dispatching_ = true;
    lock.unlock();
    if (overflowed || missed) {
      if (overflowed) {
        spdlog::warn("live changes: more than {} changes waited for the dispatcher; dropped every listener ({})",
                     limits_.max_pending_changes, listeners.size());
      } else {
        spdlog::warn("live changes: other processes' changes may have been missed; ended every listener ({})",
                     listeners.size());
      }
      for (auto& [_, entry] : listeners) entry.listener->Dropped();
    } else {
      if (keys_due) {
        last_key_check_ = now;
        EndRevokedListeners(listeners);
      }
      if (!batch.empty() && !listeners.empty()) Dispatch(batch, listeners);
    }
    listeners.clear();  // listeners removed meanwhile die here, not under the lock
    lock.lock();
    dispatching_ = false;
    idle_.notify_all();
  }
}

void LiveChanges::EndRevokedListeners(std::map<std::uint64_t, Entry>& listeners) {
  std::map<std::string, bool> active;  // key id -> still works
  for (const auto& [_, entry] : listeners) {
    if (entry.who.key_id) active.emplace(*entry.who.key_id, true);
  }
  if (active.empty()) return;
  Status status = db_.Read([&](store::Connection& conn) -> Status {
    for (auto& [key_id, works] : active) {
      // The id is an API key's, or an OAuth grant's (a connector signed in by OAuth).
      Result<bool> still = store::IsApiKeyActive(conn, key_id);
      if (still.ok() && !*still) still = store::IsOAuthGrantActive(conn, key_id);
      if (!still.ok()) return still.status();
      works = *still;
    }
    return Status::Ok();
  });
  if (!status.ok()) {
    // Not a verdict on any key: keep every listener and try again at the next interval.
    spdlog::warn("live changes: could not re-check the listeners' API keys (will try again): {}", status.message());
    return;
  }
  for (auto it = listeners.begin(); it != listeners.end();) {
    const auto& key_id = it->second.who.key_id;
    if (key_id && !active.at(*key_id)) {
      spdlog::info("live changes: API key {} was revoked; ending its listen", *key_id);
      it->second.listener->Dropped();
      Remove(it->first);
      it = listeners.erase(it);
    } else {
      ++it;
    }
  }
}

void LiveChanges::Dispatch(const std::vector<MemoryChange>& batch, const std::map<std::uint64_t, Entry>& listeners) {
  // One visibility verdict per identity (user + vendor), shared by its listeners.
  using Identity = std::pair<std::string, std::optional<std::string>>;
  std::map<Identity, std::optional<mcp::ResourceChanges>> verdicts;  // nullopt: the user is gone
  for (const auto& [_, entry] : listeners) verdicts.emplace(Identity{entry.who.user_id, entry.who.vendor}, std::nullopt);

  Status status = db_.Read([&](store::Connection& conn) -> Status {
    for (auto& [identity, verdict] : verdicts) {
      Result<store::User> user = store::FindUserById(conn, identity.first);
      if (!user.ok()) {
        if (user.status().code() == Status::Code::kNotFound) continue;  // dropped below
        return user.status();
      }
      const store::Viewer viewer{user->id, user->org_id, user->team_id, identity.second};
      mcp::ResourceChanges changes;
      std::set<std::string> seen;
      for (const MemoryChange& change : batch) {
        bool before = false;
        bool after = false;
        if (change.before) {
          Result<bool> may = store::MayRead(conn, viewer, *change.before);
          if (!may.ok()) return may.status();
          before = *may;
        }
        if (change.after) {
          Result<bool> may = store::MayRead(conn, viewer, *change.after);
          if (!may.ok()) return may.status();
          after = *may;
        }
        if (!before && !after) continue;  // never readable by this listener: it learns nothing
        if (seen.insert(change.memory_id).second) changes.updated.push_back(MemoryUri(change.memory_id));
        if (before != after) changes.list_changed = true;
      }
      verdict = std::move(changes);
    }
    return Status::Ok();
  });
  if (!status.ok()) {
    // Nothing is sent that was not checked. The listeners miss these changes; say so.
    spdlog::error("live changes: could not check {} change(s) for their listeners: {}", batch.size(),
                  status.message());
    return;
  }
  for (const auto& [id, entry] : listeners) {
    const auto& verdict = verdicts.at(Identity{entry.who.user_id, entry.who.vendor});
    if (!verdict) {
      entry.listener->Dropped();
      Remove(id);
      continue;
    }
    if (!verdict->updated.empty() || verdict->list_changed) entry.listener->Changed(*verdict);
  }
}

}  // namespace rm::tools
