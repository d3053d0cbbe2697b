// Where the database lives and how every command opens it (SPEC §1):
// --db PATH, else $REFLECT_DB, else ~/.reflect-memory/memory.db. The folder is
// created on first use and migrations run on open. Shared by every command,
// including `serve`. A postgresql:// URL in their place selects PostgreSQL (SPEC §10).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"
#include "util/status.h"

namespace rm::app {

// ~/.reflect-memory/memory.db ($HOME, else the passwd entry's home folder).
std::string DefaultDatabasePath();

// `db_flag` if not empty, else $REFLECT_DB if set and not empty, else DefaultDatabasePath().
std::string ResolveDatabasePath(std::string_view db_flag);

// Opens the resolved database (created for its owner only: folder 0700, files 0600). The
// default store's folder and files are tightened first if other accounts could reach them,
// with a warning on stderr. On failure the message says which path was tried and how to
// choose another.
// For what needs the SQLite file itself (`check` reads its permissions): a postgresql://
// location is refused with a message saying so.
Result<std::unique_ptr<store::Database>> OpenDatabase(std::string_view db_flag);

// A postgresql:// (or postgres://) URL rather than a file path.
bool IsPostgresUrl(std::string_view location);

// Opens the resolved store on either engine: PostgreSQL for a postgresql:// URL
// (migrated under its advisory lock), else the SQLite file as OpenDatabase does.
Result<std::unique_ptr<store::Store>> OpenStore(std::string_view db_flag);

}  // namespace rm::app
