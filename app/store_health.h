// StoreHealth: whether the store can be reached, known without asking it on the caller's
// thread. A background thread runs a trivial read every `interval` and remembers the
// outcome, so GET /healthz (answered on an I/O thread, open to anyone) costs no database
// round trip, and a load balancer sees a PostgreSQL outage within about `interval`.
// Transitions are logged once each way, not every second.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/store.h"

namespace rm::app {

class StoreHealth {
 public:
  StoreHealth(store::Store& db, std::chrono::milliseconds interval);
  ~StoreHealth();
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  // The last probe's outcome (true until the first probe says otherwise). Cheap, any thread.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

 private:
  void Loop();

  store::Store& db_;
  const std::chrono::milliseconds interval_;
  std::atomic<bool> healthy_{true};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rm::app
