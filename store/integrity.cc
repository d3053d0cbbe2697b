#include "store/integrity.h"

namespace rm::store {

Result<IntegrityReport> CheckIntegrity(Connection& conn) {
  IntegrityReport report;

  Status integrity = conn.Prepare("PRAGMA integrity_check").ForEachRow([&](const Statement& row) {
    if (row.Text(0) != "ok") report.problems.push_back("integrity_check: " + row.Text(0));
  });
  if (!integrity.ok()) {
    report.problems.push_back("integrity_check could not run: " + integrity.message());
  }

  // Each row: the table, the rowid, the referenced table, the foreign key's index.
  Status fk = conn.Prepare("PRAGMA foreign_key_check").ForEachRow([&](const Statement& row) {
    report.problems.push_back("foreign_key_check: a row of " + row.Text(0) + " (rowid " +
                              row.Text(1) + ") refers to a missing row of " + row.Text(2));
  });
  if (!fk.ok()) report.problems.push_back("foreign_key_check could not run: " + fk.message());

  // With rank 1, FTS5 also compares the index with the content table.
  Status fts = conn.Exec("INSERT INTO memories_fts(memories_fts, rank) VALUES ('integrity-check', 1)");
  if (!fts.ok()) {
    report.problems.push_back(
        "full-text index: " + fts.message() +
        " (rebuild it with: INSERT INTO memories_fts(memories_fts) VALUES('rebuild'))");
  }
  return report;
}

}  // namespace rm::store
