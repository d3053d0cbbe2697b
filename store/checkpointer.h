// Checkpointer: keeps the WAL short without making writers wait for it.
//
// In WAL mode every commit appends pages to the -wal file; a checkpoint copies them
// back into the database file and fsyncs it. SQLite does that by default inside the
// commit that crosses 1,000 pages, so one write in ~50 paid for an fsync and a copy of
// the whole WAL. Here the writer only reports its WAL size after each commit
// (SqliteConnection::OnWalCommit) and a thread with its own connection runs a PASSIVE
// checkpoint, which never blocks writers nor readers. Durability is unchanged: a
// commit is in the WAL before it is acknowledged either way.
//
// The WAL file starts over from its beginning only when a write transaction begins
// with every frame already copied. Writers that keep committing while the copy runs
// would keep it from ever catching up, and the WAL would grow without end; so after
// the bulk copy the checkpointer copies the few frames committed meanwhile once more,
// between two writes (`between_writes`), which lets the next write restart the WAL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_connection.h"
#include "util/status.h"

namespace rm::store {

class Checkpointer {
 public:
  // Runs a function while no write is in progress (Database holds back writers).
  using BetweenWrites = std::function<void(const std::function<void()>&)>;

  // Opens a connection to `path` (already in WAL mode) and starts the thread, which
  // checkpoints whenever the WAL has grown to `wal_pages` pages.
  static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, int busy_timeout_ms,
                                                     int wal_pages, BetweenWrites between_writes);
  ~Checkpointer();  // stops the thread; closing the last connection checkpoints the rest
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Called by the writer after each commit with the WAL's size in pages. Cheap when
  // the WAL is still short: no lock is taken.
  void Committed(int wal_pages);

  std::uint64_t checkpoints() const;

 private:
  Checkpointer(std::unique_ptr<SqliteConnection> conn, int wal_pages, BetweenWrites between_writes)
      : conn_(std::move(conn)), wal_pages_(wal_pages), between_writes_(std::move(between_writes)) {}
  enum class Outcome { kComplete, kPartial, kFailed };  // the WAL copied entirely, in part, not at all
  void Loop();
  Outcome Checkpoint();

  std::unique_ptr<SqliteConnection> conn_;
  const int wal_pages_;
  const BetweenWrites between_writes_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
};

}  // namespace rm::store
