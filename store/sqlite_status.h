// Turning SQLite result codes into rm::Status, in one place, so every caller in
// store/ reports the same failure the same way.
#pragma once

#include <string_view>

#include "util/status.h"

struct sqlite3;

namespace rm::store {

// The Status for SQLite result code `rc` (extended codes understood) on `db`.
// `context` says what was being done ("INSERT INTO users ...", "opening x.db").
//   UNIQUE / PRIMARY KEY violations  -> AlreadyExists
//   other constraint violations      -> InvalidArgument
//   busy, locked, I/O, full, corrupt,
//   cannot open, read-only, not a db -> IoError
//   anything else (misuse, syntax)   -> Internal (a bug in our SQL or its use)
Status StatusFromSqlite(sqlite3* db, int rc, std::string_view context);

}  // namespace rm::store
