// Statement: one prepared SQLite statement (RAII over sqlite3_stmt).
//
// Get one from Connection::Prepare, which caches it by SQL text, so a hot path
// prepares each statement once per connection. Parameters are bound by 1-based
// index (SQLite's convention); result columns are read by 0-based index.
//
// Errors are deferred, LevelDB-style: a failed prepare or bind is remembered and
// returned by the next Step()/Run(), so call sites read as one chain:
//
//   Statement& s = conn.Prepare("SELECT id FROM users WHERE email = ?");
//   s.Bind(1, email);
//   Result<bool> row = s.Step();   // true: a row is available
//   if (!row.ok()) return row.status();
//   if (*row) id = s.Text(0);
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rm::store {

class Statement {
 public:
  // Prepares `sql` on `db`; a failure is kept and reported by Step()/Run().
  Statement(sqlite3* db, std::string sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // --- Binding (index is 1-based). Each returns *this for chaining.
  Statement& BindInt64(int index, std::int64_t value);
  Statement& BindDouble(int index, double value);
  Statement& BindText(int index, std::string_view value);  // copied by SQLite
  Statement& BindNull(int index);
  Statement& BindBlob(int index, std::string_view bytes);  // copied by SQLite
  Statement& BindOptionalText(int index, const std::optional<std::string>& value);

  // The same, chosen by type, so call sites read Bind(1, email).Bind(2, count).
  template <std::integral T>
  Statement& Bind(int index, T value) { return BindInt64(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value) { return BindDouble(index, value); }
  Statement& Bind(int index, std::string_view value) { return BindText(index, value); }
  Statement& Bind(int index, const std::string& value) { return BindText(index, value); }
  Statement& Bind(int index, const char* value) { return BindText(index, value); }
  Statement& Bind(int index, std::nullopt_t) { return BindNull(index); }
  Statement& Bind(int index, const std::optional<std::string>& value) {
    return BindOptionalText(index, value);
  }

  // --- Running.
  // Advances one row: true if a row is available, false once the statement is done.
  Result<bool> Step();
  // Steps to completion, ignoring rows: for INSERT/UPDATE/DELETE and DDL.
  Status Run();
  // Ready to run again with new bindings: resets, clears bindings and any kept error.
  void Reset();

  // Steps through every remaining row, calling on_row(*this) for each.
  template <typename Fn>
  Status ForEachRow(Fn&& on_row) {
    while (true) {
      Result<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      on_row(*this);
    }
  }

  // Every remaining row, each turned into a T by from_row(*this).
  template <typename T, typename Fn>
  Result<std::vector<T>> CollectRows(Fn&& from_row) {
    std::vector<T> rows;
    Status status = ForEachRow([&](const Statement& row) { rows.push_back(from_row(row)); });
    if (!status.ok()) return status;
    return rows;
  }

  // The first row turned into a T by from_row(*this), or NotFound(not_found).
  template <typename T, typename Fn>
  Result<T> FirstRow(Fn&& from_row, std::string_view not_found) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound(std::string(not_found));
    return from_row(*this);
  }

  // --- Reading the current row (column is 0-based). Only valid after Step() returned true.
  std::int64_t Int64(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;  // "" for NULL
  // A blob's bytes, valid until the next Step/Reset ("" for NULL).
  std::string_view Blob(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  bool IsNull(int column) const;
  int ColumnCount() const;
  std::string ColumnName(int column) const;

  const std::string& sql() const { return sql_; }
  // True while a row-returning run is unfinished (Step gave a row, no Reset yet).
  bool busy() const;

 private:
  friend class Connection;
  // (Re)prepares after a failed prepare, e.g. a table created since by a migration.
  void PrepareIfNeeded();
  void NoteBindResult(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  Status error_;  // the first failure since the last Reset (prepare or bind)
};

}  // namespace rm::store
