// Statement: one prepared SQL statement, whichever engine runs it (SQLite or PostgreSQL).
//
// Get one from Connection::Prepare, which caches it by SQL text, so a hot path
// prepares each statement once per connection. Parameters are written `?` (or `?N`)
// and bound by 1-based index, as SQLite numbers them — the PostgreSQL engine turns
// them into `$N` — and result columns are read by 0-based index.
//
// Errors are deferred, LevelDB-style: a failed prepare or bind is remembered and
// returned by the next Step()/Run(), so call sites read as one chain:
//
//   Statement& s = conn.Prepare("SELECT id FROM users WHERE email = ?");
//   s.Bind(1, email);
//   Result<bool> row = s.Step();   // true: a row is available
//   if (!row.ok()) return row.status();
//   if (*row) id = s.Text(0);
//
// The engines: store/sqlite/sqlite_statement.h, store/postgres/pg_statement.h.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::store {

class Statement {
 public:
  Statement() = default;
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // --- Binding (index is 1-based). Each returns *this for chaining.
  virtual Statement& BindInt64(int index, std::int64_t value) = 0;
  virtual Statement& BindDouble(int index, double value) = 0;
  virtual Statement& BindText(int index, std::string_view value) = 0;  // copied
  virtual Statement& BindNull(int index) = 0;
  virtual Statement& BindBlob(int index, std::string_view bytes) = 0;  // copied
  Statement& BindOptionalText(int index, const std::optional<std::string>& value) {
    return value ? BindText(index, *value) : BindNull(index);
  }

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
  virtual Result<bool> Step() = 0;
  // Steps to completion, ignoring rows: for INSERT/UPDATE/DELETE and DDL.
  Status Run() {
    while (true) {
      Result<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
    }
  }
  // Ready to run again with new bindings: resets, clears bindings and any kept error.
  virtual void Reset() = 0;

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
  virtual std::int64_t Int64(int column) const = 0;
  virtual double Double(int column) const = 0;
  // "" for NULL. A timestamp column reads as the store writes them everywhere:
  // "2026-12-04T21:00:00.000Z", whichever engine holds it.
  virtual std::string Text(int column) const = 0;
  // A blob's bytes, valid until the next Step/Reset ("" for NULL).
  virtual std::string_view Blob(int column) const = 0;
  std::optional<std::string> OptionalText(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Text(column);
  }
  virtual bool IsNull(int column) const = 0;
  virtual int ColumnCount() const = 0;
  virtual std::string ColumnName(int column) const = 0;

  virtual const std::string& sql() const = 0;
  // True while a row-returning run is unfinished (Step gave a row, no Reset yet).
  virtual bool busy() const = 0;
};

}  // namespace rm::store
