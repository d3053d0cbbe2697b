#include "store/integrity.h"

namespace rm::store {

Result<IntegrityReport> CheckIntegrity(Connection& conn) {
  IntegrityReport report;

  Statement& integrity = conn.Prepare("PRAGMA integrity_check");
  while (true) {
    Result<bool> row = integrity.Step();
    if (!row.ok()) {
      report.problems.push_back("integrity_check could not run: " + row.status().message());
      break;
    }
    if (!*row) break;
    std::string line = integrity.Text(0);
    if (line != "ok") report.problems.push_back("integrity_check: " + line);
  }

  Statement& fk = conn.Prepare("PRAGMA foreign_key_check");
  while (true) {
    Result<bool> row = fk.Step();
    if (!row.ok()) {
      report.problems.push_back("foreign_key_check could not run: " + row.status().message());
      break;
    }
    if (!*row) break;
    // Columns: table, rowid, referenced table, index of the foreign key.
    report.problems.push_back("foreign_key_check: a row of " + fk.Text(0) + " (rowid " +
                              fk.Text(1) + ") refers to a missing row of " + fk.Text(2));
  }

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
