#include "store/write_behind.h"

#include <spdlog/spdlog.h>


namespace rm::store {

WriteBehind::WriteBehind(WriteEach write_each, std::chrono::milliseconds delay, std::size_t limit)
    : write_each_(std::move(write_each)), delay_(delay), limit_(limit), thread_([this] { Loop(); }) {}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WriteBehind::Add(TransactionFn fn) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (queued_.size() >= limit_) {
    // The thread is behind: this caller pays for its own write rather than queueing more.
    ++added_;
    lock.unlock();
    Commit({std::move(fn)});
    lock.lock();
    ++done_;
    return;
  }
  queued_.push_back(std::move(fn));
  ++added_;
  // Only the first of a batch wakes the thread; the rest ride along (no syscall each).
  if (queued_.size() == 1) wake_.notify_one();
}

void WriteBehind::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const std::uint64_t target = added_;
  if (done_ >= target) return;
  hurry_ = true;
  wake_.notify_one();
  finished_.wait(lock, [&] { return done_ >= target; });
}

void WriteBehind::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and nothing left to commit
    // Let a batch gather: one commit for everything queued meanwhile.
    wake_.wait_for(lock, delay_, [this] { return stopping_ || hurry_; });
    hurry_ = false;
    std::vector<TransactionFn> batch;
    batch.swap(queued_);
    lock.unlock();
    Commit(batch);
    lock.lock();
    done_ += batch.size();
    finished_.notify_all();
  }
}

void WriteBehind::Commit(const std::vector<TransactionFn>& batch) {
  for (const Status& status : write_each_(batch)) {
    if (!status.ok()) spdlog::error("store: a deferred write failed and was dropped: {}", status.ToString());
  }
}

}  // namespace rm::store
