#include "store/checkpointer.h"

namespace rm::store {
namespace {
// After a checkpoint, how long before the next one. While a reader holds an old
// snapshot the WAL cannot restart from its beginning, so it stays "long" and every
// commit would ask again; this keeps that case from turning into a busy loop.
constexpr auto kPause = std::chrono::milliseconds(20);
}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path, int busy_timeout_ms,
                                                          int wal_pages) {
  Result<std::unique_ptr<Connection>> conn =
      Connection::Open(path, Connection::Mode::kReadWrite, busy_timeout_ms);
  if (!conn.ok()) return conn.status();
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(*conn), wal_pages));
  checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->Loop(); });
  return checkpointer;
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Committed(int wal_pages) {
  if (wal_pages < wal_pages_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  wake_.notify_one();
}

std::uint64_t Checkpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return checkpoints_;
}

void Checkpointer::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || requested_; });
    if (stopping_) return;
    lock.unlock();
    // A failure (e.g. the disk is full) leaves the pages in the WAL, where they are
    // just as durable; the next request tries again.
    const bool done = conn_->CheckpointPassive().ok();
    lock.lock();
    requested_ = false;
    if (done) ++checkpoints_;
    wake_.wait_for(lock, kPause, [this] { return stopping_; });
  }
}

}  // namespace rm::store
