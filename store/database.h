// Database: the one SQLite database of a process, safe to use from any thread.
//
//   auto db = Database::Open("/home/me/.reflect-memory/memory.db");
//   Status s = (*db)->Write([&](Connection& c) { return InsertUser(c, ...).status(); });
//   Status r = (*db)->Read([&](Connection& c) { ...; return Status::Ok(); });
//
// Writes: one writer connection, GROUP COMMIT led by the callers themselves (as
// in LevelDB): Write() queues its function; the caller at the front of the queue
// becomes the leader, takes everything queued, opens one BEGIN IMMEDIATE
// transaction, runs each function inside its own SAVEPOINT (a function that fails
// is rolled back to its savepoint; the others are not affected), COMMITs, and only
// then answers each waiting caller and hands the lead to the next in line. So a
// Write() that returned Ok is committed (WAL, synchronous=NORMAL: it survives the
// process being killed), many concurrent writers share one commit, and a lone
// writer runs its own write on its own thread, with no hand-off to wait for.
//
// WriteLater(): for writes the caller need not wait for (read metering), committed
// in batches by a background thread (store/write_behind.h).
//
// Checkpoints run on their own thread, off the write path (store/checkpointer.h).
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
#include <chrono>
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
#include "store/sqlite/sqlite_connection.h"
#include "store/savepoint.h"
#include "store/store.h"
#include "util/status.h"

namespace rm::store {

struct DatabaseOptions {
  int reader_connections = 4;
  // How long a connection waits for a lock held by another process (e.g. the
  // CLI while a server runs) before failing with "database is busy".
  int busy_timeout_ms = 5000;
  // Upper bound on functions per group commit, so one commit stays short.
  std::size_t max_batch = 256;
  // WAL size (pages of 4 KiB) at which the background checkpointer runs.
  int checkpoint_wal_pages = 1000;
  // WriteLater(): how long a batch gathers before its commit, and how many may wait.
  std::chrono::milliseconds write_behind_delay{2};
  std::size_t write_behind_limit = 10000;
};

class Checkpointer;
class WriteBehind;

class Database final : public Store {
 public:
  // Opens `path`, creating it (0600) and its missing parent folders (0700) if needed,
  // whatever the umask; its -wal and -shm files get the file's mode. Sets WAL,
  // foreign_keys=ON, busy_timeout, synchronous=NORMAL; applies migrations.
  // `path` ":memory:" gives a throwaway database for tests: a private temporary
  // file, deleted on close (a real file, so WAL and the reader pool behave as
  // in production). FailedPrecondition if the database is newer than this build.
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                DatabaseOptions options = {});
  ~Database();  // commits what WriteLater() queued, then closes
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Engine engine() const override { return Engine::kSqlite; }
  // Runs `fn` atomically on the writer connection; returns once committed (or failed).
  Status Write(const TransactionFn& fn) override;
  // Write() for several functions at once: each in its own savepoint, committed in
  // as few batches as max_batch allows; returns each one's status, in order.
  // (Not Write() with a loop inside: nested savepoints make SQLite's in-memory
  // statement journal quadratic in the number of functions.)
  std::vector<Status> WriteEach(const std::vector<TransactionFn>& fns);
  // Runs `fn` while no write transaction is open (alone, not in a batch): for
  // maintenance that must not interleave with writes, such as closing the WAL's gap.
  void BetweenWrites(const std::function<void()>& fn);
  // Queues `fn` to be committed within write_behind_delay, and returns at once.
  // A failure is logged, not reported. Lost if the process is killed before then.
  void WriteLater(TransactionFn fn) override;
  // Returns once everything WriteLater() queued before the call is committed.
  void FlushWritesLater() override;
  // Runs `fn` on a reader connection inside one read transaction.
  Status Read(const TransactionFn& fn) override;
  // Read() for a caller who may give up meanwhile (an MCP request the client
  // cancelled). Once `should_stop` answers true the read ends with kCancelled:
  // before it starts (fn does not run), or while fn steps a statement (SQLite
  // abandons it; see SqliteConnection::StopWhen). Writes have no such variant on purpose:
  // a write shares its transaction with other callers' writes (group commit).
  Status Read(const TransactionFn& fn, const std::function<bool()>& should_stop) override;

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
  // Writes waiting behind the one being committed (tests use it to form a batch).
  std::size_t queued_writes() const;
  std::uint64_t checkpoints() const;

 private:
  struct PendingWrite;
  explicit Database(DatabaseOptions options);

  Status OpenConnections();
  // Queues `pendings` and, for each in turn, waits for a leader to run it or leads its batch.
  void Submit(const std::vector<PendingWrite*>& pendings);
  // Waits until `pending` is done, or leads the batch it heads.
  void WaitOrLead(std::unique_lock<std::mutex>& lock, PendingWrite& pending);
  // A lone write: its own transaction, no savepoint.
  Status CommitAlone(const TransactionFn& fn);
  // COMMITs the writer's open transaction, or rolls it back if COMMIT fails.
  Status CommitOrRollBack();
  // Commits `batch` on the writer connection; called by the leader only.
  void CommitBatch(const std::vector<PendingWrite*>& batch);
  SqliteConnection* AcquireReader();
  void ReleaseReader(SqliteConnection* conn);

  DatabaseOptions options_;
  std::string path_;
  bool delete_on_close_ = false;
  int schema_version_ = 0;
  std::vector<std::string> migrations_applied_;

  // Writer side: only the current leader touches writer_ after Open().
  std::unique_ptr<SqliteConnection> writer_;
  mutable std::mutex queue_mutex_;
  std::deque<PendingWrite*> queue_;  // waiting for a leader; the front one leads next
  bool leading_ = false;             // a leader is committing a batch now
  std::atomic<std::uint64_t> writes_{0};
  std::atomic<std::uint64_t> commits_{0};
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<WriteBehind> write_behind_;  // destroyed first: it writes through this

  // Reader side.
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<SqliteConnection*> idle_readers_;
};

}  // namespace rm::store
