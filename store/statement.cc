#include "store/statement.h"

#include <sqlite3.h>

#include "store/sqlite_status.h"

namespace rm::store {

Statement::Statement(sqlite3* db, std::string sql) : db_(db), sql_(std::move(sql)) {
  PrepareIfNeeded();
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::PrepareIfNeeded() {
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

void Statement::NoteBindResult(int rc, int index) {
  if (rc == SQLITE_OK || !error_.ok()) return;
  error_ = StatusFromSqlite(db_, rc, "binding parameter " + std::to_string(index) + " of " + sql_);
}

Statement& Statement::BindInt64(int index, std::int64_t value) {
  if (stmt_ != nullptr) NoteBindResult(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  if (stmt_ != nullptr) NoteBindResult(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  if (stmt_ != nullptr) {
    // A blob of no bytes is still a blob, not NULL: give SQLite a non-null pointer.
    const char* data = bytes.data() != nullptr ? bytes.data() : "";
    NoteBindResult(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT), index);
  }
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  if (stmt_ != nullptr) {
    // An empty string_view may have no data at all, which SQLite would bind as NULL.
    const char* text = value.data() != nullptr ? value.data() : "";
    NoteBindResult(sqlite3_bind_text64(stmt_, index, text, value.size(),
                                       SQLITE_TRANSIENT, SQLITE_UTF8),
                   index);
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (stmt_ != nullptr) NoteBindResult(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::BindOptionalText(int index, const std::optional<std::string>& value) {
  return value ? BindText(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (!error_.ok()) return error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status failure = StatusFromSqlite(db_, rc, sql_);
  sqlite3_reset(stmt_);  // leave it reusable; the failure is reported once
  return failure;
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  if (stmt_ == nullptr) {
    PrepareIfNeeded();
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  error_ = Status::Ok();
}

bool Statement::busy() const { return stmt_ != nullptr && sqlite3_stmt_busy(stmt_) != 0; }

std::int64_t Statement::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Statement::Blob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return std::string_view(static_cast<const char*>(blob), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int Statement::ColumnCount() const { return stmt_ ? sqlite3_column_count(stmt_) : 0; }

std::string Statement::ColumnName(int column) const {
  const char* name = stmt_ ? sqlite3_column_name(stmt_, column) : nullptr;
  return name ? name : "";
}

}  // namespace rm::store
