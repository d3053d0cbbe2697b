#include "app/key_usage_recorder.h"

#include <spdlog/spdlog.h>

#include "store/api_keys.h"
#include "store/oauth_grants.h"

namespace rm::app {

KeyUsageRecorder::KeyUsageRecorder(store::Store& db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval), thread_([this] { Loop(); }) {}

KeyUsageRecorder::~KeyUsageRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  Flush();
}

void KeyUsageRecorder::Used(const std::string& key_id) {
  std::lock_guard lock(mutex_);
  pending_.insert(key_id);
}

void KeyUsageRecorder::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    Flush();
    lock.lock();
  }
}

void KeyUsageRecorder::Flush() {
  std::set<std::string> keys;
  {
    std::lock_guard lock(mutex_);
    keys.swap(pending_);
  }
  if (keys.empty()) return;
  Status s = db_.Write([&](store::Connection& conn) {
    // An id is an API key's or an OAuth grant's (UUIDs: never both); each UPDATE finds its own row.
    for (const std::string& id : keys) {
      RM_RETURN_IF_ERROR(store::TouchApiKey(conn, id));
      RM_RETURN_IF_ERROR(store::TouchOAuthGrant(conn, id));
    }
    return Status::Ok();
  });
  if (!s.ok()) spdlog::warn("could not record API key use: {}", s.ToString());
}

}  // namespace rm::app
