#include "store/migrations.h"

#include "store/connection.h"
#include "util/clock.h"

namespace rm::store {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL"
    ") STRICT";

Status RefuseIfNewer(int current) {
  int latest = LatestSchemaVersion();
  if (current <= latest) return Status::Ok();
  return Status::FailedPrecondition(
      "this database was written by a newer reflect-memory (schema " + std::to_string(current) +
      ", this build knows " + std::to_string(latest) + "): upgrade reflect-memory");
}

// One migration in one transaction. Re-checks the version inside the
// transaction: another process may have applied it while we waited for the lock.
Result<bool> ApplyOne(Connection& conn, const Migration& m) {
  RM_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
  Result<int> current = CurrentSchemaVersion(conn);
  Status status = current.status();
  bool applied = false;
  // No statement may be left mid-run: DDL such as DROP TABLE fails while one is.
  conn.ResetStatements();
  if (current.ok() && *current < m.version) {
    status = conn.ExecScript(std::string(m.sql));
    if (status.ok()) {
      Statement& record = conn.Prepare(
          "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)");
      record.Bind(1, m.version).Bind(2, m.name).Bind(3, NowUtc());
      status = record.Run();
    }
    if (!status.ok()) {
      std::string what = "migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                         ") failed: " + status.message();
      status = status.code() == Status::Code::kIoError ? Status::IoError(what)
                                                        : Status::Internal(what);
    }
    applied = status.ok();
  }
  conn.ResetStatements();
  if (!status.ok()) {
    conn.Exec("ROLLBACK");  // best effort; the failure to report is `status`
    return status;
  }
  RM_RETURN_IF_ERROR(conn.Exec("COMMIT"));
  return applied;
}

}  // namespace

int LatestSchemaVersion() { return AllMigrations().back().version; }

Result<int> CurrentSchemaVersion(Connection& conn) {
  Statement& exists = conn.Prepare(
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  Result<bool> has_table = exists.Step();
  if (!has_table.ok()) return has_table.status();
  if (!*has_table) return 0;
  Statement& max = conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  Result<bool> row = max.Step();
  if (!row.ok()) return row.status();
  return static_cast<int>(max.Int64(0));
}

Result<std::vector<std::string>> ApplyMigrations(Connection& conn) {
  Result<int> current = CurrentSchemaVersion(conn);
  if (!current.ok()) return current.status();
  RM_RETURN_IF_ERROR(RefuseIfNewer(*current));
  conn.ResetStatements();
  RM_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable));

  std::vector<std::string> applied;
  for (const Migration& m : AllMigrations()) {
    if (m.version <= *current) continue;
    Result<bool> done = ApplyOne(conn, m);
    if (!done.ok()) return done.status();
    if (*done) applied.push_back(std::to_string(m.version) + "_" + std::string(m.name));
  }
  // Another process may have moved the database past us meanwhile.
  Result<int> after = CurrentSchemaVersion(conn);
  if (!after.ok()) return after.status();
  conn.ResetStatements();
  RM_RETURN_IF_ERROR(RefuseIfNewer(*after));
  return applied;
}

}  // namespace rm::store
