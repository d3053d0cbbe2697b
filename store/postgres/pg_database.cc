#include "store/postgres/pg_database.h"

#include <spdlog/spdlog.h>

#include "store/postgres/pg_migrations.h"

namespace rm::store::postgres {

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(const std::string& conninfo, PgDatabaseOptions options) {
  std::unique_ptr<PgDatabase> db(new PgDatabase());
  for (int i = 0; i < std::max(options.connections, 1); ++i) {
    Result<std::unique_ptr<PgStoreConnection>> conn = PgStoreConnection::Open(conninfo);
    if (!conn.ok()) return conn.status();
    db->pool_.push_back(std::move(*conn));
  }
  Result<std::vector<std::string>> applied = ApplyPgMigrations(db->pool_.front()->pg());
  if (!applied.ok()) return applied.status();
  db->migrations_applied_ = std::move(*applied);
  for (auto& conn : db->pool_) db->idle_.push_back(conn.get());
  return db;
}

int PgDatabase::schema_version() const {
  const auto migrations = AllPgMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

PgStoreConnection* PgDatabase::Acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  PgStoreConnection* conn = idle_.back();
  idle_.pop_back();
  return conn;
}

void PgDatabase::Release(PgStoreConnection* conn) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(conn);
  }
  available_.notify_one();
}

Status PgDatabase::RunTransaction(const TransactionFn& fn, const char* begin, const char* kind) {
  PgStoreConnection* conn = Acquire();
  Status status = conn->Exec(begin);
  if (status.ok()) {
    status = RunCallerFunction(fn, *conn, kind);
    // A failed function, or a statement that failed inside it, leaves nothing behind.
    if (status.ok()) status = conn->Exec("COMMIT");
    if (!status.ok() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
  }
  conn->ResetStatements();
  Release(conn);
  return status;
}

Status PgDatabase::Write(const TransactionFn& fn) { return RunTransaction(fn, "BEGIN", "write"); }

Status PgDatabase::Read(const TransactionFn& fn) {
  // REPEATABLE READ: every statement of the function sees the same snapshot, as a
  // SQLite read transaction does.
  return RunTransaction(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read");
}

Status PgDatabase::Read(const TransactionFn& fn, const std::function<bool()>& should_stop) {
  if (should_stop && should_stop()) return Status::Cancelled("the read was cancelled before it started");
  return Read(fn);
}

void PgDatabase::WriteLater(TransactionFn fn) {
  Status status = Write(fn);
  if (!status.ok()) spdlog::error("store: a deferred write failed and was dropped: {}", status.ToString());
}

}  // namespace rm::store::postgres
