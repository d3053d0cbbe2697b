// PostgreSQL schema migrations: numbered SQL files compiled into the binary,
// recorded in the database, applied once however many processes start together.
//
// Each migration is store/postgres/schema/NNN_snake_name.sql, embedded at build
// time (by store/schema/embed_migrations.cmake, as SQLite's are); adding one is adding a file.
// The long-term rule: the same numbers as SQLite's store/schema/, so a version
// means the same schema on both engines. 001-012 are ports of SQLite's 001-012
// (full-text search is a generated tsvector column instead of FTS5; see
// docs/SCHEMA.md "PostgreSQL"), checked by tests/postgres/pg_schema_parity_test.cc.
//
// Migrations are recorded in schema_migrations(version, name, applied_at), the
// table SQLite's store/migrations.cc uses (applied_at is TIMESTAMPTZ here).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::store::postgres {

class PgConnection;

struct PgMigration {
  int version;            // 1, 2, 3, ...
  std::string_view name;  // from the file name: "canonical", ...
  std::string_view sql;   // the file's text
};

// Every PostgreSQL migration this build knows, in version order (generated at build time).
std::span<const PgMigration> AllPgMigrations();

// Applies every migration newer than the database's version, each in its own
// transaction, while holding a session advisory lock (kMigrationLockKey in the
// .cc), so several processes starting at once migrate once: the others wait, then
// find nothing left to do. The lock is released on every path, errors included.
// Returns the migrations applied now, e.g. {"1_canonical"}, named as SQLite's
// ApplyMigrations names them. FailedPrecondition if the database is newer than this build.
Result<std::vector<std::string>> ApplyPgMigrations(PgConnection& conn);

}  // namespace rm::store::postgres
