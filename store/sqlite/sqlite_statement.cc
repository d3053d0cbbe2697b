#include "store/sqlite/sqlite_statement.h"

#include <sqlite3.h>

#include "store/sqlite_status.h"

namespace rm::store {

SqliteStatement::SqliteStatement(sqlite3* db, std::string sql) : db_(db), sql_(std::move(sql)) {
  PrepareIfNeeded();
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::PrepareIfNeeded() {
  if (stmt_ != nullptr) return;
  // SQLITE_PREPARE_PERSISTENT: this statement is cached and reused many times.
  int rc = sqlite3_prepare_v3(db_, sql_.data(), static_cast<int>(sql_.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    error_ = StatusFromSqlite(db_, rc, "preparing " + sql_);
  } else if (stmt_ == nullptr) {
    error_ = Status::Internal("statement is empty: '" + sql_ + "'");
  } else {
    error_ = Status::Ok();
  }
}

void SqliteStatement::NoteBindResult(int rc, int index) {
  if (rc == SQLITE_OK || !error_.ok()) return;
  error_ = StatusFromSqlite(db_, rc, "binding parameter " + std::to_string(index) + " of " + sql_);
}

SqliteStatement& SqliteStatement::BindInt64(int index, std::int64_t value) {
  if (stmt_ != nullptr) NoteBindResult(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

SqliteStatement& SqliteStatement::BindDouble(int index, double value) {
  if (stmt_ != nullptr) NoteBindResult(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::string_view bytes) {
  if (stmt_ != nullptr) {
    // A blob of no bytes is still a blob, not NULL: give SQLite a non-null pointer.
    const char* data = bytes.data() != nullptr ? bytes.data() : "";
    NoteBindResult(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT), index);
  }
  return *this;
}

SqliteStatement& SqliteStatement::BindText(int index, std::string_view value) {
  if (stmt_ != nullptr) {
    // An empty string_view may have no data at all, which SQLite would bind as NULL.
    const char* text = value.data() != nullptr ? value.data() : "";
    NoteBindResult(sqlite3_bind_text64(stmt_, index, text, value.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8),
                   index);
  }
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  if (stmt_ != nullptr) NoteBindResult(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Result<bool> SqliteStatement::Step() {
  if (!error_.ok()) return error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status failure = StatusFromSqlite(db_, rc, sql_);
  sqlite3_reset(stmt_);  // leave it reusable; the failure is reported once
  return failure;
}

void SqliteStatement::Reset() {
  if (stmt_ == nullptr) {
    PrepareIfNeeded();
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  error_ = Status::Ok();
}

bool SqliteStatement::busy() const { return stmt_ != nullptr && sqlite3_stmt_busy(stmt_) != 0; }

std::int64_t SqliteStatement::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double SqliteStatement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view SqliteStatement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return std::string_view(static_cast<const char*>(blob), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int SqliteStatement::ColumnCount() const { return stmt_ ? sqlite3_column_count(stmt_) : 0; }

std::string SqliteStatement::ColumnName(int column) const {
  const char* name = stmt_ ? sqlite3_column_name(stmt_, column) : nullptr;
  return name ? name : "";
}

}  // namespace rm::store
