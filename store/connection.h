// Connection: one connection to the store's database, whichever engine it is, with
// a statement cache.
//
// A connection is used by one thread at a time. Repositories receive a Connection&
// inside a Database::Write or Database::Read call and prepare their SQL through it;
// they write SQL both engines run, and ask engine() only where the two must differ
// (full-text search, a few date functions): see docs/SCHEMA.md "Two engines".
//
// The engines: store/sqlite/sqlite_connection.h (the embedded default) and
// store/postgres/pg_store_connection.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/statement.h"
#include "util/status.h"

namespace rm::store {

enum class Engine { kSqlite, kPostgres };

class Connection {
 public:
  Connection() = default;
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Engine engine() const = 0;

  // The statement for `sql`, prepared once and cached by its text on this
  // connection; on reuse it is reset and its bindings cleared. A prepare error is
  // reported by the statement's Step()/Run(). Do not prepare the same SQL again
  // while still stepping through its rows: that would reset the outer loop.
  virtual Statement& Prepare(std::string_view sql) = 0;

  // Prepare(sql).Run(): one statement, no rows wanted (BEGIN, COMMIT, an UPDATE).
  Status Exec(std::string_view sql) { return Prepare(sql).Run(); }

  // Runs a script of several statements, uncached. For migrations only.
  virtual Status ExecScript(const std::string& sql) = 0;

  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  virtual std::int64_t Changes() const = 0;
  // False outside a transaction.
  virtual bool InTransaction() const = 0;
  // Resets every cached statement, releasing what unfinished ones hold.
  // Database calls this after each transaction.
  virtual void ResetStatements() = 0;

  // Calls `on_statement` with the SQL text (parameters unbound) of every statement this
  // connection starts; an empty function stops it. For diagnostics and tests: which
  // statements a search plan ran, say.
  virtual void TraceStatements(std::function<void(std::string_view sql)> on_statement) = 0;
};

}  // namespace rm::store
