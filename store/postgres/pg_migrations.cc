#include "store/postgres/pg_migrations.h"

#include <cstdint>

#include "store/postgres/pg_connection.h"

namespace rm::store::postgres {
namespace {

// The advisory-lock key every reflect-memory process takes to migrate: ASCII
// "rm_migr1". Fixed forever, so old and new builds exclude each other.
constexpr std::int64_t kMigrationLockKey = 0x726d5f6d69677231;

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now()"
    ")";

int LatestPgSchemaVersion() { return AllPgMigrations().back().version; }

Result<int> CurrentVersion(PgConnection& conn) {
  Result<PgRows> rows = conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return rows.status();
  return std::stoi(rows->Text(0, 0));
}

// One migration in one transaction: a failure leaves the database at the
// previous whole version (PostgreSQL's DDL is transactional).
Status ApplyOne(PgConnection& conn, const PgMigration& m) {
  RM_RETURN_IF_ERROR(conn.Exec("BEGIN"));
  Status status = conn.Exec(std::string(m.sql));
  if (status.ok()) {
    status = conn.Query("INSERT INTO schema_migrations(version, name) VALUES ($1::integer, $2)",
                        {std::to_string(m.version), std::string(m.name)})
                 .status();
  }
  if (status.ok()) status = conn.Exec("COMMIT");
  if (status.ok()) return status;
  conn.Exec("ROLLBACK");  // best effort; the failure to report is `status`
  std::string what = "migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                     ") failed: " + status.message();
  return status.code() == Status::Code::kIoError ? Status::IoError(what) : Status::Internal(what);
}

// Everything ApplyPgMigrations does while it holds the lock.
Result<std::vector<std::string>> ApplyLocked(PgConnection& conn) {
  RM_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable));
  Result<int> current = CurrentVersion(conn);
  if (!current.ok()) return current.status();
  if (*current > LatestPgSchemaVersion()) {
    return Status::FailedPrecondition(
        "this database was written by a newer reflect-memory (schema " +
        std::to_string(*current) + ", this build knows " +
        std::to_string(LatestPgSchemaVersion()) + "): upgrade reflect-memory");
  }
  std::vector<std::string> applied;
  for (const PgMigration& m : AllPgMigrations()) {
    if (m.version <= *current) continue;
    RM_RETURN_IF_ERROR(ApplyOne(conn, m));
    applied.push_back(std::to_string(m.version) + "_" + std::string(m.name));
  }
  return applied;
}

}  // namespace

Result<std::vector<std::string>> ApplyPgMigrations(PgConnection& conn) {
  const std::vector<PgParam> key = {std::to_string(kMigrationLockKey)};
  // Session-level lock: it outlives the per-migration transactions, and the server
  // drops it by itself if this process dies holding it.
  Result<PgRows> locked = conn.Query("SELECT pg_advisory_lock($1::bigint)", key);
  if (!locked.ok()) return locked.status();
  Result<std::vector<std::string>> applied = ApplyLocked(conn);
  Result<PgRows> unlocked = conn.Query("SELECT pg_advisory_unlock($1::bigint)", key);
  if (!applied.ok()) return applied;  // the first failure is the one to report
  if (!unlocked.ok()) return unlocked.status();
  return applied;
}

}  // namespace rm::store::postgres
