// The database health report behind `reflect-memory check`.
#pragma once

#include <string>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct IntegrityReport {
  std::vector<std::string> problems;  // empty: healthy
  bool ok() const { return problems.empty(); }
};

// PRAGMA integrity_check (pages, indexes, CHECK/NOT NULL), PRAGMA
// foreign_key_check (dangling references), and the full-text index against the
// memories it indexes. Each finding becomes one line in `problems`. Needs the
// writer connection (the FTS5 check is issued as a special INSERT); changes nothing.
Result<IntegrityReport> CheckIntegrity(Connection& conn);

}  // namespace rm::store
