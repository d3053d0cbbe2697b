#include "transports/worker_pool.h"

namespace transports {

WorkerPool::WorkerPool(unsigned threads, std::size_t max_queued)
    : max_queued_(max_queued == 0 ? 1 : max_queued) {
  if (threads == 0) threads = 1;
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() { Finish(); }

void WorkerPool::Submit(std::function<void()> job) {
  std::unique_lock lock(mutex_);
  room_ready_.wait(lock, [this] { return queue_.size() < max_queued_; });
  queue_.push_back(std::move(job));
  job_ready_.notify_one();
}

void WorkerPool::Finish() {
  {
    std::lock_guard lock(mutex_);
    if (finishing_) return;
    finishing_ = true;
  }
  job_ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      job_ready_.wait(lock, [this] { return finishing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // finishing, and nothing left to do
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    room_ready_.notify_one();
    job();
  }
}

}  // namespace transports
