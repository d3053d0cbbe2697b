// WriteBehind: writes the caller does not wait for, committed in batches by a
// background thread.
//
// For work whose cost should not sit on the caller's path and whose loss in a crash
// is tolerable: metering a read. A read's answer does not depend on its usage row, so
// the row is queued here and committed within `delay` (each queued function in its
// own savepoint, all of them in one commit). If the process is killed, what was queued
// in the last `delay` is lost; a graceful stop (the destructor) commits everything.
// Writes whose loss is not tolerable use Database::Write, which returns only once
// committed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/savepoint.h"

namespace rm::store {

class WriteBehind {
 public:
  // Commits a batch, each function in its own savepoint, all in one transaction, and
  // returns each one's status in order (Database::WriteEach, PgDatabase::WriteEach).
  using WriteEach = std::function<std::vector<Status>(const std::vector<TransactionFn>&)>;

  // `limit`: how many functions may wait; beyond it Add() commits before returning
  // (back-pressure, so a burst cannot grow the queue without bound).
  WriteBehind(WriteEach write_each, std::chrono::milliseconds delay, std::size_t limit);
  ~WriteBehind();  // commits whatever is still queued
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  void Add(TransactionFn fn);
  // Returns once everything added before the call has been committed (or has failed).
  void Flush();

 private:
  void Loop();
  // Commits `batch` through write_each_; a function that fails is logged and dropped.
  void Commit(const std::vector<TransactionFn>& batch);

  WriteEach write_each_;
  const std::chrono::milliseconds delay_;
  const std::size_t limit_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // the thread: work arrived, hurry, or stop
  std::condition_variable finished_;  // Flush(): a batch was committed
  std::vector<TransactionFn> queued_;
  bool hurry_ = false;  // a Flush() is waiting: do not wait for `delay`
  bool stopping_ = false;
  std::uint64_t added_ = 0;
  std::uint64_t done_ = 0;  // functions committed or failed, in the order added
  std::thread thread_;  // last: starts once every member above exists
};

}  // namespace rm::store
