#include "app/store_health.h"

#include <spdlog/spdlog.h>

#include "store/statement.h"

namespace rm::app {

StoreHealth::StoreHealth(store::Store& db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval), thread_([this] { Loop(); }) {}

StoreHealth::~StoreHealth() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void StoreHealth::Loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    Status probe = db_.Read([](store::Connection& conn) {
      store::Statement& one = conn.Prepare("SELECT 1");
      Result<bool> row = one.Step();
      return row.ok() ? Status::Ok() : row.status();
    });
    const bool was = healthy_.exchange(probe.ok(), std::memory_order_relaxed);
    if (was && !probe.ok()) spdlog::error("store: unreachable, /healthz now answers 503: {}", probe.ToString());
    if (!was && probe.ok()) spdlog::info("store: reachable again");
    lock.lock();
  }
}

}  // namespace rm::app
