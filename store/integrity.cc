#include "store/integrity.h"

#include "store/store_invariants.h"

namespace rm::store {
namespace {

void CheckSqlite(Connection& conn, std::vector<std::string>& problems) {
  Status integrity = conn.Prepare("PRAGMA integrity_check").ForEachRow([&](const Statement& row) {
    if (row.Text(0) != "ok") problems.push_back("integrity_check: " + row.Text(0));
  });
  if (!integrity.ok()) {
    problems.push_back("integrity_check could not run: " + integrity.message());
  }

  // Each row: the table, the rowid, the referenced table, the foreign key's index. The
  // references both engines check (store_invariants.h) are reported there already.
  Status fk = conn.Prepare("PRAGMA foreign_key_check").ForEachRow([&](const Statement& row) {
    if (ChecksReference(row.Text(0), row.Text(2))) return;
    problems.push_back("foreign_key_check: a row of " + row.Text(0) + " (rowid " + row.Text(1) +
                       ") refers to a missing row of " + row.Text(2));
  });
  if (!fk.ok()) problems.push_back("foreign_key_check could not run: " + fk.message());

  // With rank 1, FTS5 also compares the index with the content table.
  Status fts = conn.Exec("INSERT INTO memories_fts(memories_fts, rank) VALUES ('integrity-check', 1)");
  if (!fts.ok()) {
    problems.push_back("full-text index: " + fts.message() +
                       " (rebuild it with: INSERT INTO memories_fts(memories_fts) VALUES('rebuild'))");
  }
}

void CheckPostgres(Connection& conn, std::vector<std::string>& problems) {
  // The identity behind memories.rowid hands out its next value on insert: at or below
  // the highest rowid present, the next write_memory fails on the unique rowid.
  Statement& identity = conn.Prepare(
      "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('memories', 'rowid')::regclass), 0), "
      "coalesce((SELECT max(rowid) FROM memories), 0)");
  Result<bool> row = identity.Step();
  if (!row.ok() || !*row) {
    problems.push_back("memories.rowid's sequence could not be read: " +
                       (row.ok() ? std::string("no row") : row.status().message()));
  } else {
    const std::int64_t last = identity.Int64(0), highest = identity.Int64(1);
    identity.Reset();
    if (last < highest) {
      problems.push_back("memories.rowid's sequence is at " + std::to_string(last) + " but a memory has rowid " +
                         std::to_string(highest) +
                         ": the next write collides (fix: SELECT setval(pg_get_serial_sequence('memories', "
                         "'rowid'), (SELECT max(rowid) FROM memories)))");
    }
  }
  // A constraint added NOT VALID (or left so by a restore) does not vouch for old rows.
  Status constraints =
      conn.Prepare(
              "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c "
              "WHERE NOT c.convalidated AND c.connamespace = current_schema()::regnamespace ORDER BY 1, 2")
          .ForEachRow([&](const Statement& r) {
            problems.push_back("constraint " + r.Text(1) + " of " + r.Text(0) +
                               " is NOT VALID: its rows were never checked (ALTER TABLE ... VALIDATE CONSTRAINT)");
          });
  if (!constraints.ok()) problems.push_back("constraints could not be checked: " + constraints.message());
}

}  // namespace

Result<IntegrityReport> CheckIntegrity(Connection& conn, int expected_schema_version) {
  IntegrityReport report;
  Result<int> version = RecordedSchemaVersion(conn);
  if (!version.ok()) return version.status();
  report.schema_version = *version;
  CheckStoreInvariants(conn, expected_schema_version, report.problems);
  if (conn.engine() == Engine::kSqlite) {
    CheckSqlite(conn, report.problems);
  } else {
    CheckPostgres(conn, report.problems);
  }
  return report;
}

}  // namespace rm::store
