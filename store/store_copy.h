// CopyStore: a whole store into an empty one, either engine to either engine
// (`reflect-memory copy --to DB`, issue 14 "Moving").
//
// Written once over Connection/Statement: every table of the schema, row for row,
// keys, ids and timestamps as they are, so the destination is the same store (an
// export of any user reads the same from both). All or nothing: the copy runs in ONE
// transaction of the destination, reading ONE snapshot of the source, and commits only
// once every table's row count equals the source's and `check` finds the destination
// sound (store/integrity.h); any failure rolls it all back.
//
// What the engines make it mind:
//   - column types: values are read as what the source's column holds (integer, text,
//     blob) and bound as such; PostgreSQL's TIMESTAMPTZ reads in the store's text form,
//     its BOOLEAN as 1/0, BYTEA as bytes; JSONB (which PostgreSQL prints with spaces)
//     is written compact into SQLite, as the store writes JSON there;
//   - memories.rowid (SQLite's implicit rowid; an identity column on PostgreSQL, which
//     lists and cursors order by) is copied as is (OVERRIDING SYSTEM VALUE), and the
//     identity's sequence is moved past the highest one (setval), so new memories do
//     not collide;
//   - references that point both ways or forward (users.org_id/team_id name orgs and
//     teams, which name users; a reply's parent_memory_id) are written once every row
//     exists;
//   - triggers: SQLite's full-text index is filled by its triggers as memories are
//     inserted; the topic-cluster counters those triggers also bump
//     (tag_cluster_pool_changes) are replaced by the source's afterwards.
// The tables copied are listed in store_copy.cc; a table that either store has and the
// list lacks (a migration added it) stops the copy before it starts, naming it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/integrity.h"
#include "store/store.h"
#include "util/status.h"

namespace rm::store {

struct CopyOptions {
  // This build's newest migration for the destination's engine (for its `check`).
  int destination_schema_version = 0;
  // Told of each table as it goes: rows copied so far, then done = true once with its total.
  std::function<void(std::string_view table, std::int64_t rows, bool done)> progress;
  std::int64_t progress_every = 10000;  // rows between two progress calls within a table
};

struct CopiedTable {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t destination_rows = 0;
};

struct CopyReport {
  std::vector<CopiedTable> tables;  // in copy order; source_rows == destination_rows
  std::int64_t rows = 0;            // all tables
  IntegrityReport check;            // the destination's, before commit (ok)
};

// Copies everything in `source` into `destination`, which must hold no rows (only its
// migrated schema), at the same schema version. FailedPrecondition, changing nothing,
// when it holds data (naming the tables), when the versions differ, when a table is
// unknown, or when the verification finds a difference; the engine's error otherwise.
Result<CopyReport> CopyStore(Store& source, Store& destination, const CopyOptions& options);

// The tables CopyStore copies, in its order (for tests and docs).
std::vector<std::string> CopiedTables();

}  // namespace rm::store
