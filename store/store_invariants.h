// The rules of the store's data that hold on either engine, checked with SQL both
// run: half of `reflect-memory check` (store/integrity.h adds each engine's own checks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

// Appends one line to `problems` for each broken rule:
//   - schema_migrations records every version 1..expected_schema_version and no other
//     (a database migrated by another build, or half migrated by hand, is not this schema);
//   - each monthly_usage row equals the count of its user's usage_events in that month
//     (writes, reads, queries, total_ops), and no event lies outside every row (SPEC §4);
//   - version_number is >= 1 and unique per memory (SPEC §3 "Versions");
//   - no orphan rows: versions, keys, usage, memories, embeddings, teams whose parent row
//     is gone (SQLite enforces these foreign keys only when a connection asks it to;
//     PostgreSQL always does, but a restore without constraints would not).
// A rule whose SQL fails is reported as a problem naming it. Changes nothing.
void CheckStoreInvariants(Connection& conn, int expected_schema_version, std::vector<std::string>& problems);

// True if CheckStoreInvariants looks for rows of `child` naming a missing `parent` row
// (SQLite's foreign_key_check then leaves them to it: one finding, one line).
bool ChecksReference(std::string_view child, std::string_view parent);

// The schema version the database records (0 for none).
Result<int> RecordedSchemaVersion(Connection& conn);

}  // namespace rm::store
