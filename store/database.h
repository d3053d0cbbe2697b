// Database: the one SQLite database of a process, safe to use from any thread.
//
//   auto db = Database::Open("/home/me/.reflect-memory/memory.db");
//   Status s = (*db)->Write([&](Connection& c) { return InsertUser(c, ...).status(); });
//   Status r = (*db)->Read([&](Connection& c) { ...; return Status::Ok(); });
//
// Writes: one writer connection, one writer thread, GROUP COMMIT. Write() queues
// its function and blocks. The writer thread takes everything queued, opens one
// BEGIN IMMEDIATE transaction, runs each function inside its own SAVEPOINT (a
// function that fails is rolled back to its savepoint; the others are not
// affected), COMMITs, and only then answers each caller. So a Write() that
// returned Ok is committed (WAL, synchronous=NORMAL: it survives the process
// being killed), and many concurrent writers share one commit.
//
// Reads: a small pool of read-only connections; Read() runs its function inside
// a deferred read transaction, so it sees one consistent snapshot (WAL lets
// reads proceed while the writer writes).
//
// Rules for the functions passed in:
//   - A Write function must not call Write() (it would wait for its own batch):
//     such a call returns Internal at once. Nor Read() inside Read() (Internal).
//     A Read() inside a Write function is allowed but sees only committed data.
//   - Do not run BEGIN/COMMIT/ROLLBACK/SAVEPOINT yourself; Database owns those.
//   - A Write function may run in a batch with others: it must only touch the
//     Connection it is given and return its own Status.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct DatabaseOptions {
  int reader_connections = 4;
  // How long a connection waits for a lock held by another process (e.g. the
  // CLI while a server runs) before failing with "database is busy".
  int busy_timeout_ms = 5000;
  // Upper bound on functions per group commit, so one commit stays short.
  std::size_t max_batch = 256;
};

using TransactionFn = std::function<Status(Connection&)>;

class Database {
 public:
  // Opens `path`, creating it and its parent folder if needed; sets WAL,
  // foreign_keys=ON, busy_timeout, synchronous=NORMAL; applies migrations.
  // `path` ":memory:" gives a throwaway database for tests: a private temporary
  // file, deleted on close (a real file, so WAL and the reader pool behave as
  // in production). FailedPrecondition if the database is newer than this build.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                DatabaseOptions options = {});
  ~Database();  // finishes queued writes, then closes
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `fn` atomically on the writer connection; returns once committed (or failed).
  Status Write(const TransactionFn& fn);
  // Runs `fn` on a reader connection inside one read transaction.
  Status Read(const TransactionFn& fn);

  const std::string& path() const { return path_; }
  int schema_version() const { return schema_version_; }
  // The migrations Open() applied, e.g. {"1_canonical", ...}; empty if none were due.
  const std::vector<std::string>& migrations_applied() const { return migrations_applied_; }

  // Counters for tests and benchmarks: how many Write()s were run and in how many commits.
  struct WriteStats {
    std::uint64_t writes = 0;
    std::uint64_t commits = 0;
  };
  WriteStats write_stats() const { return {writes_.load(), commits_.load()}; }
  // Writes waiting for the writer thread right now (tests use it to form a batch).
  std::size_t queued_writes() const;

 private:
  struct PendingWrite;
  explicit Database(DatabaseOptions options) : options_(options) {}

  Status OpenConnections();
  void WriterLoop();
  void CommitBatch(const std::vector<PendingWrite*>& batch);
  Status RunInSavepoint(const TransactionFn& fn);
  Connection* AcquireReader();
  void ReleaseReader(Connection* conn);

  DatabaseOptions options_;
  std::string path_;
  bool delete_on_close_ = false;
  int schema_version_ = 0;
  std::vector<std::string> migrations_applied_;

  // Writer side: only the writer thread touches writer_ after Open().
  std::unique_ptr<Connection> writer_;
  std::thread writer_thread_;
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<PendingWrite*> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> writes_{0};
  std::atomic<std::uint64_t> commits_{0};

  // Reader side.
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<Connection*> idle_readers_;
};

// Write()/Read() for a function that produces a value: runs `fn`
// (Connection& -> Result<T>) and returns its value, or the failure — for a
// write, only once the value's transaction is committed:
//   Result<User> user = WriteValue<User>(db, [&](Connection& c) { return InsertUser(c, u); });
namespace internal {
// Runs `fn` through `run` (&Database::Write or &Database::Read), keeping its value.
template <typename T, typename Fn>
Result<T> RunForValue(Database& db, Status (Database::*run)(const TransactionFn&), Fn& fn) {
  std::optional<T> value;
  Status status = (db.*run)([&](Connection& conn) -> Status {
    Result<T> result = fn(conn);
    if (!result.ok()) return result.status();
    value.emplace(std::move(result).value());
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*value);
}
}  // namespace internal

template <typename T, typename Fn>
Result<T> WriteValue(Database& db, Fn&& fn) {
  return internal::RunForValue<T>(db, &Database::Write, fn);
}

template <typename T, typename Fn>
Result<T> ReadValue(Database& db, Fn&& fn) {
  return internal::RunForValue<T>(db, &Database::Read, fn);
}

}  // namespace rm::store
