#include "store/sqlite/sqlite_connection.h"

#include <mutex>

#include <sqlite3.h>

#include "store/sqlite_status.h"

namespace rm::store {
namespace {

// How often (in SQLite virtual-machine steps) a read with a stop check asks it: a
// few microseconds of work, so a cancelled read ends at once, while an atomic
// load per thousand steps costs nothing measurable.
constexpr int kStopCheckSteps = 1000;

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path, Mode mode,
                                                     int busy_timeout_ms) {
  // NOMUTEX: SQLite's own locking is unnecessary, Database never shares a
  // connection between threads at the same time.
  // SQLite's memory statistics take a global mutex on every allocation, shared by all
  // connections and threads; nothing here reads them. Must be set before SQLite starts
  // (if something else started it first, the call fails harmlessly).
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= mode == Mode::kReadWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                                    : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status failure = StatusFromSqlite(db, rc, "opening " + path);
    sqlite3_close_v2(db);
    return failure;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_busy_timeout(db, busy_timeout_ms);
  RM_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys = ON"));
  // Statement journals and sorts in memory: as files, SQLite opened and unlinked a
  // temporary file in /var/tmp for about every other write.
  RM_RETURN_IF_ERROR(conn->Exec("PRAGMA temp_store = MEMORY"));
  // No memory map (PRAGMA mmap_size stays 0). In WAL mode a reader whose database changed
  // since its last transaction drops its cache, and with a map it also unmaps the whole
  // file: after every commit each reader paid a munmap and a page fault per 16 pages,
  // which cost more than reading its few pages again (HTTP get_memory_by_id 31,500/s
  // with the map, 33,200/s without; docs/BENCHMARKS.md).
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

SqliteStatement& SqliteConnection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto statement = std::make_unique<SqliteStatement>(db_, std::string(sql));
    it = cache_.emplace(std::string(sql), std::move(statement)).first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

void SqliteConnection::TraceStatements(std::function<void(std::string_view sql)> on_statement) {
  on_statement_ = std::move(on_statement);
  if (!on_statement_) {
    sqlite3_trace_v2(db_, 0, nullptr, nullptr);
    return;
  }
  sqlite3_trace_v2(
      db_, SQLITE_TRACE_STMT,
      [](unsigned, void* self, void*, void* sql) {
        static_cast<SqliteConnection*>(self)->on_statement_(static_cast<const char*>(sql));
        return 0;
      },
      this);
}

void SqliteConnection::OnWalCommit(std::function<void(int)> on_commit) {
  on_wal_commit_ = std::move(on_commit);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteConnection*>(self)->on_wal_commit_(pages);
        return SQLITE_OK;
      },
      this);
}

void SqliteConnection::StopWhen(std::function<bool()> should_stop) {
  should_stop_ = std::move(should_stop);
  if (!should_stop_) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  // A non-zero answer makes SQLite abandon the statement with SQLITE_INTERRUPT.
  sqlite3_progress_handler(
      db_, kStopCheckSteps,
      [](void* self) { return static_cast<SqliteConnection*>(self)->should_stop_() ? 1 : 0; }, this);
}

Result<bool> SqliteConnection::CheckpointPassive() {
  int wal_frames = 0, copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
  if (rc != SQLITE_OK) return StatusFromSqlite(db_, rc, "checkpointing the WAL");
  return copied == wal_frames;
}

Status SqliteConnection::ExecScript(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  Status failure = StatusFromSqlite(db_, rc, "running a SQL script");
  sqlite3_free(error);
  return failure;
}

std::int64_t SqliteConnection::Changes() const { return sqlite3_changes64(db_); }

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void SqliteConnection::ResetStatements() {
  for (auto& [sql, statement] : cache_) {
    if (statement->busy()) statement->Reset();
  }
}

}  // namespace rm::store
