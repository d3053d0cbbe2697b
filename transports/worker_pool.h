// A fixed set of threads running queued jobs, so several requests of one stdio
// session are handled at once. The queue is bounded: Submit blocks when it is full,
// which stops the reader and so pushes back on a client that floods us.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace transports {

class WorkerPool {
 public:
  WorkerPool(unsigned threads, std::size_t max_queued);
  ~WorkerPool();  // Finish()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> job);
  // Runs every job already submitted, then stops the threads. Idempotent.
  void Finish();

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable job_ready_;
  std::condition_variable room_ready_;
  std::deque<std::function<void()>> queue_;
  const std::size_t max_queued_;
  bool finishing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace transports
