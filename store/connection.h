// Connection: one SQLite connection (RAII over sqlite3*) with a statement cache.
//
// A connection is used by one thread at a time; Database hands them out (one
// writer, a pool of readers). Repositories receive a Connection& inside a
// Database::Write or Database::Read call and prepare their SQL through it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/statement.h"
#include "util/status.h"

struct sqlite3;

namespace rm::store {

class Connection {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (for kReadWrite, creating) the database file at `path` and sets the
  // per-connection pragmas: foreign_keys=ON, busy_timeout. ":memory:" gives a
  // private in-memory database (used by the schema tests).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Mode mode,
                                                  int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The statement for `sql`, prepared once and cached by its text on this
  // connection; on reuse it is reset and its bindings cleared. A prepare error is
  // reported by the statement's Step()/Run(). Do not prepare the same SQL again
  // while still stepping through its rows: that would reset the outer loop.
  Statement& Prepare(std::string_view sql);

  // Prepare(sql).Run(): one statement, no rows wanted (BEGIN, COMMIT, an UPDATE).
  Status Exec(std::string_view sql);

  // Runs a script of several statements, uncached. For migrations only.
  Status ExecScript(const std::string& sql);

  // Lets a long read stop early. While `should_stop` is set, SQLite asks it every
  // kStopCheckSteps virtual-machine steps and, once it answers true, abandons the
  // statement being stepped, whose Step() then fails with kCancelled. Empty (the
  // default): never asked. Database::Read sets it for one read transaction; it is
  // never set on the writer, where an interrupted statement inside a group commit
  // would roll back other callers' writes.
  void StopWhen(std::function<bool()> should_stop);

  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  std::int64_t Changes() const;
  // False outside a transaction (SQLite's autocommit mode).
  bool InTransaction() const;
  // Resets every cached statement, releasing the read locks of unfinished ones.
  // Database calls this after each transaction.
  void ResetStatements();

  // Checkpoints (copying the WAL back into the database file, with an fsync) are
  // taken off the write path: the writer connection calls this to stop SQLite's
  // automatic checkpoint and to be told, after each commit, how many pages the WAL
  // holds; a checkpointing connection on another thread then calls
  // CheckpointPassive(), which never blocks writers.
  void OnWalCommit(std::function<void(int wal_pages)> on_commit);
  // Copies what it can of the WAL into the database file; true if that was all of it.
  Result<bool> CheckpointPassive();

  // Calls `on_statement` with the SQL text (parameters unbound) of every statement this
  // connection starts; an empty function stops it. For diagnostics and tests: which
  // statements a search plan ran, say.
  void TraceStatements(std::function<void(std::string_view sql)> on_statement);

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  // Heterogeneous lookup, so finding a statement by string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::function<void(int)> on_wal_commit_;
  std::function<bool()> should_stop_;
  std::function<void(std::string_view)> on_statement_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, Hash, std::equal_to<>> cache_;
};

}  // namespace rm::store
