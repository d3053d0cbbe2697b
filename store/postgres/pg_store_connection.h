// PgStoreConnection: the store's Connection on PostgreSQL — what the repositories in
// store/ are given when the database is a postgresql:// URL.
//
// Wraps one libpq connection (PgConnection) with a cache of PgStatements by SQL
// text, as SqliteConnection caches SQLite's. The session runs in UTC, so timestamps
// read back in the store's "...Z" form (PgStatement::Text).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/connection.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_statement.h"

namespace rm::store::postgres {

class PgStoreConnection final : public Connection {
 public:
  // Connects with a libpq conninfo or postgresql:// URL. Unavailable
  // when the server cannot be reached.
  static Result<std::unique_ptr<PgStoreConnection>> Open(const std::string& conninfo);

  Engine engine() const override { return Engine::kPostgres; }
  PgStatement& Prepare(std::string_view sql) override;
  Status ExecScript(const std::string& sql) override;
  std::int64_t Changes() const override { return changes_; }
  bool InTransaction() const override { return conn_.InTransaction(); }
  void ResetStatements() override;
  void TraceStatements(std::function<void(std::string_view sql)> on_statement) override;

  // Whether a statement since the last ClearRace() failed because another transaction got
  // there first: a unique key it inserted (23505) or a serialization failure (40001,
  // 40P01). Such a transaction, run again, sees the other's commit (an idempotency record
  // it then replays, a row it then updates): PgDatabase::Write retries it.
  bool lost_a_race() const { return lost_a_race_; }
  void ClearRace() { lost_a_race_ = false; }

  // Whether the connection to the server was lost (PgConnection::Broken), and connecting
  // again: the prepared statements died with the old session, so they are forgotten
  // and prepared again on first use.
  bool broken() const { return conn_.Broken(); }
  Status Reconnect();

  // The libpq connection underneath, for what only PostgreSQL has (migrations' advisory lock).
  PgConnection& pg() { return conn_; }

 private:
  explicit PgStoreConnection(PgConnection conn) : conn_(std::move(conn)) {}

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  PgConnection conn_;
  std::int64_t changes_ = 0;
  bool lost_a_race_ = false;
  std::function<void(std::string_view)> on_statement_;
  std::unordered_map<std::string, std::unique_ptr<PgStatement>, Hash, std::equal_to<>> cache_;
};

}  // namespace rm::store::postgres
