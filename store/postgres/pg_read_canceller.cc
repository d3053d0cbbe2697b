#include "store/postgres/pg_read_canceller.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace rm::store::postgres {

PgReadCanceller::PgReadCanceller() : thread_([this] { Run(); }) {}

PgReadCanceller::~PgReadCanceller() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

PgReadCanceller::Ticket PgReadCanceller::Watch(const PgConnection& conn, const std::function<bool()>& should_stop) {
  std::lock_guard lock(mutex_);
  const Ticket ticket = next_++;
  const bool first = reads_.empty();
  reads_.emplace(ticket, WatchedRead{&conn, &should_stop});
  if (first) wake_.notify_all();
  return ticket;
}

bool PgReadCanceller::Unwatch(Ticket ticket) {
  // Requests are sent holding the mutex, so once it is ours none for this read is on its way.
  std::lock_guard lock(mutex_);
  auto it = reads_.find(ticket);
  if (it == reads_.end()) return false;
  const bool cancelled = it->second.cancelled;
  reads_.erase(it);
  return cancelled;
}

void PgReadCanceller::Run() {
  // Often enough that a cancelled search stops within a few milliseconds of the request,
  // rarely enough to cost nothing measurable while reads run.
  constexpr auto kPoll = std::chrono::milliseconds(10);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (reads_.empty()) {
      wake_.wait(lock, [this] { return stopping_ || !reads_.empty(); });
      continue;
    }
    for (auto& [ticket, read] : reads_) {
      if (read.cancelled || !(*read.should_stop)()) continue;
      read.cancelled = true;
      if (!read.conn->RequestCancel()) spdlog::warn("postgres: a cancelled read's cancel request could not be sent");
    }
    wake_.wait_for(lock, kPoll, [this] { return stopping_; });
  }
}

}  // namespace rm::store::postgres
