// The database health report behind `reflect-memory check`, on either engine.
#pragma once

#include <string>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct IntegrityReport {
  int schema_version = 0;             // as the database records it
  std::vector<std::string> problems;  // empty: healthy
  bool ok() const { return problems.empty(); }
};

// The rules of the data that hold on both engines (store/store_invariants.h: schema
// version, monthly_usage against usage_events, version numbers, orphan rows), then each
// engine's own:
//   SQLite      PRAGMA integrity_check (pages, indexes, CHECK/NOT NULL), PRAGMA
//               foreign_key_check, and the full-text index against the memories it
//               indexes. Needs the writer connection (the FTS5 check is issued as a
//               special INSERT).
//   PostgreSQL  memories.rowid's identity sequence is past every rowid (else the next
//               write collides: a copy or restore that forgot setval), and no constraint
//               is left NOT VALID. Run it in a read transaction: one snapshot.
// `expected_schema_version` is this build's newest migration for conn's engine.
// Each finding becomes one line in `problems`; changes nothing.
Result<IntegrityReport> CheckIntegrity(Connection& conn, int expected_schema_version);

}  // namespace rm::store
