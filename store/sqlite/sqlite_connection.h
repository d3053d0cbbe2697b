// SqliteConnection: one SQLite connection (RAII over sqlite3*) with a statement cache.
//
// Database hands them out (one writer, a pool of readers). Besides the Connection
// interface it gives Database and the checkpointer what only SQLite has: stopping a
// long read, the WAL hook, and passive checkpoints.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/connection.h"
#include "store/sqlite/sqlite_statement.h"

struct sqlite3;

namespace rm::store {

class SqliteConnection final : public Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (for kReadWrite, creating) the database file at `path` and sets the
  // per-connection pragmas: foreign_keys=ON, busy_timeout. ":memory:" gives a
  // private in-memory database (used by the schema tests).
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Mode mode,
                                                        int busy_timeout_ms);
  ~SqliteConnection() override;

  Engine engine() const override { return Engine::kSqlite; }
  SqliteStatement& Prepare(std::string_view sql) override;
  Status ExecScript(const std::string& sql) override;
  std::int64_t Changes() const override;
  bool InTransaction() const override;
  void ResetStatements() override;
  void TraceStatements(std::function<void(std::string_view sql)> on_statement) override;

  // Lets a long read stop early. While `should_stop` is set, SQLite asks it every
  // kStopCheckSteps virtual-machine steps and, once it answers true, abandons the
  // statement being stepped, whose Step() then fails with kCancelled. Empty (the
  // default): never asked. Database::Read sets it for one read transaction; it is
  // never set on the writer, where an interrupted statement inside a group commit
  // would roll back other callers' writes.
  void StopWhen(std::function<bool()> should_stop);

  // Checkpoints (copying the WAL back into the database file, with an fsync) are
  // taken off the write path: the writer connection calls this to stop SQLite's
  // automatic checkpoint and to be told, after each commit, how many pages the WAL
  // holds; a checkpointing connection on another thread then calls
  // CheckpointPassive(), which never blocks writers.
  void OnWalCommit(std::function<void(int wal_pages)> on_commit);
  // Copies what it can of the WAL into the database file; true if that was all of it.
  Result<bool> CheckpointPassive();

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // Heterogeneous lookup, so finding a statement by string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::function<void(int)> on_wal_commit_;
  std::function<bool()> should_stop_;
  std::function<void(std::string_view)> on_statement_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, Hash, std::equal_to<>> cache_;
};

}  // namespace rm::store
