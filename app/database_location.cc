#include "app/database_location.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "store/file_permissions.h"
#include "store/postgres/pg_database.h"

namespace rm::app {

std::string DefaultDatabasePath() {
  const char* home = std::getenv("HOME");
  std::string folder;
  if (home != nullptr && *home != '\0') {
    folder = home;
  } else if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    folder = pw->pw_dir;
  } else {
    folder = ".";  // no home at all (a bare container): the current folder
  }
  return folder + "/.reflect-memory/memory.db";
}

std::string ResolveDatabasePath(std::string_view db_flag) {
  if (!db_flag.empty()) return std::string(db_flag);
  const char* env = std::getenv("REFLECT_DB");
  if (env != nullptr && *env != '\0') return env;
  return DefaultDatabasePath();
}

bool IsPostgresUrl(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

Result<std::unique_ptr<store::Database>> OpenDatabase(std::string_view db_flag) {
  std::string path = ResolveDatabasePath(db_flag);
  if (IsPostgresUrl(path)) {
    return Status::FailedPrecondition(
        "this command inspects a SQLite database file and does not run on PostgreSQL yet (every other "
        "command, `serve` included, runs on both)\n"
        "  fix: run it on a SQLite database (--db PATH)");
  }
  if (path == DefaultDatabasePath()) {
    // Older versions created ~/.reflect-memory under the umask (0755, files 0644): every memory
    // and key hash readable by other accounts. The folder is ours alone, so close it. A path
    // chosen with --db or $REFLECT_DB is left alone (`reflect-memory check` reports it).
    for (const std::string& change : store::TightenPermissions(path)) {
      spdlog::warn("the store was open to other accounts; tightened {}", change);
    }
  }
  Result<std::unique_ptr<store::Database>> db = store::Database::Open(path);
  if (db.ok() || db.status().code() == Status::Code::kFailedPrecondition) return db;
  // The store says what failed; add how to point the command elsewhere.
  std::string message = db.status().message() +
                        "\n  fix: choose a writable database file with --db PATH (or set REFLECT_DB)";
  if (db.status().code() == Status::Code::kIoError) return Status::IoError(message);
  if (db.status().code() == Status::Code::kInvalidArgument) return Status::InvalidArgument(message);
  return Status::Internal(message);
}

Result<std::unique_ptr<store::Store>> OpenStore(std::string_view db_flag) {
  const std::string location = ResolveDatabasePath(db_flag);
  if (IsPostgresUrl(location)) {
    Result<std::unique_ptr<store::postgres::PgDatabase>> db = store::postgres::PgDatabase::Open(location);
    if (!db.ok()) return db.status();
    return std::unique_ptr<store::Store>(std::move(*db));
  }
  Result<std::unique_ptr<store::Database>> db = OpenDatabase(db_flag);
  if (!db.ok()) return db.status();
  return std::unique_ptr<store::Store>(std::move(*db));
}

}  // namespace rm::app
