#include "store/checkpointer.h"

namespace rm::store {
namespace {
// After a checkpoint that could not copy everything (a reader still used an older
// snapshot), how long before the next try: the WAL stays "long" meanwhile and every
// commit would ask again; this keeps that case from turning into a busy loop.
constexpr auto kPause = std::chrono::milliseconds(20);
}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path, int busy_timeout_ms,
                                                          int wal_pages, BetweenWrites between_writes) {
  Result<std::unique_ptr<SqliteConnection>> conn =
      SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite, busy_timeout_ms);
  if (!conn.ok()) return conn.status();
  // A connection opens the WAL only when it first reads; until then a checkpoint
  // through it does nothing at all (and still reports success).
  RM_RETURN_IF_ERROR((*conn)->Exec("SELECT count(*) FROM sqlite_schema"));
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(*conn), wal_pages, std::move(between_writes)));
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

Checkpointer::Outcome Checkpointer::Checkpoint() {
  // The bulk of the copy (and its fsync), while writers go on.
  Result<bool> all = conn_->CheckpointPassive();
  // A failure (e.g. a full disk) leaves the pages in the WAL, as durable; the next request retries.
  if (!all.ok()) return Outcome::kFailed;
  // What was committed during the copy: a short copy while writers wait. Needed even
  // when the copy reported everything copied, because it counts only the frames present
  // when it began; under steady writes there always are more, and the WAL restarts only
  // when a write begins with none left. With nothing new it copies (and syncs) nothing.
  Outcome outcome = Outcome::kPartial;
  between_writes_([&] {
    Result<bool> rest = conn_->CheckpointPassive();
    if (rest.ok() && *rest) outcome = Outcome::kComplete;
  });
  return outcome;
}

void Checkpointer::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || requested_; });
    if (stopping_) return;
    lock.unlock();
    const Outcome outcome = Checkpoint();
    lock.lock();
    requested_ = false;
    if (outcome != Outcome::kFailed) ++checkpoints_;
    if (outcome != Outcome::kComplete) wake_.wait_for(lock, kPause, [this] { return stopping_; });
  }
}

}  // namespace rm::store
