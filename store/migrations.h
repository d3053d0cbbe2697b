// Schema migrations: numbered SQL files compiled into the binary.
//
// Each migration is one file, store/schema/NNN_snake_name.sql (e.g.
// 004_idempotency.sql). The build embeds every such file in order (see
// store/schema/embed_migrations.cmake), so ADDING A MIGRATION IS ADDING ONE FILE:
// no list to edit. Numbers must run 1, 2, 3, ... (the build fails otherwise).
// Never edit a migration that has shipped; add a new one. List it in docs/SCHEMA.md.
//
// Each migration runs in its own transaction and is recorded in
// schema_migrations(version, name, applied_at), so a database is always at a
// whole version. A database recorded at a version newer than this build knows
// is refused rather than guessed at.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::store {

class Connection;

struct Migration {
  int version;            // 1, 2, 3, ...
  std::string_view name;  // from the file name: "canonical", "memories_fts", ...
  std::string_view sql;   // the file's text
};

// Every migration this build knows, in version order (generated at build time).
std::span<const Migration> AllMigrations();

// The newest version this build knows.
int LatestSchemaVersion();

// The highest version recorded in `conn`'s database (0 for a new database).
Result<int> CurrentSchemaVersion(Connection& conn);

// Applies every migration newer than the database's version, each in its own
// BEGIN IMMEDIATE transaction (safe if another process migrates at the same time).
// Returns the migrations applied now, e.g. {"1_canonical", "2_memories_fts"}.
// FailedPrecondition if the database is newer than this build.
Result<std::vector<std::string>> ApplyMigrations(Connection& conn);

}  // namespace rm::store
