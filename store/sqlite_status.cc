#include "store/sqlite_status.h"

#include <sqlite3.h>

#include <string>

namespace rm::store {

Status StatusFromSqlite(sqlite3* db, int rc, std::string_view context) {
  // sqlite3_errmsg describes the most recent failure on `db`, which is this one;
  // without a handle (open failed before one existed) fall back to the code's text.
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // Keep messages readable: long SQL is cut, it only helps locate the statement.
  constexpr std::size_t kMaxContext = 120;
  std::string where(context.substr(0, kMaxContext));
  if (context.size() > kMaxContext) where += "...";
  std::string message = "sqlite: " + detail + " (while " + where + ")";

  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status::AlreadyExists(std::move(message));
    default:
      break;
  }
  switch (rc & 0xff) {  // the primary code of an extended one
    case SQLITE_CONSTRAINT:
      return Status::InvalidArgument(std::move(message));
    case SQLITE_INTERRUPT:  // Connection::StopWhen: whoever asked for the read gave up
      return Status::Cancelled(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::IoError(message + "; another process holds the database, retry later");
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      return Status::IoError(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

}  // namespace rm::store
