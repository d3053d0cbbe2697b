#include "transports/http/connection_set.h"

#include <vector>

namespace transports::http {

void ConnectionSet::Add(Drainable* key, std::shared_ptr<Drainable> connection) {
  bool drain_now = false;
  {
    std::lock_guard lock(mutex_);
    connections_.emplace(key, connection);
    drain_now = draining_;
  }
  if (drain_now) connection->Drain();
}

void ConnectionSet::Remove(Drainable* key) {
  std::lock_guard lock(mutex_);
  connections_.erase(key);
  if (connections_.empty()) emptied_.notify_all();
}

std::size_t ConnectionSet::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ConnectionSet::DrainAll() {
  std::vector<std::shared_ptr<Drainable>> open;
  {
    std::lock_guard lock(mutex_);
    draining_ = true;
    for (auto& [key, weak] : connections_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  // Outside the lock: a connection may close (and Remove itself) while being told to drain.
  for (auto& connection : open) connection->Drain();
}

bool ConnectionSet::WaitUntilEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return emptied_.wait_for(lock, timeout, [this] { return connections_.empty(); });
}

}  // namespace transports::http
