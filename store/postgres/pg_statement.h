// PgStatement: a Statement run by PostgreSQL, so the repositories' SQL serves both engines.
//
// The SQL is written for SQLite's `?` parameters; the constructor numbers them
// ($1, $2, ... — `?N` becomes $N), skipping quoted text and comments. Bound values
// are kept as text parameters and sent with the query on the first Step(), which
// runs the whole statement (PQexecParams) and then hands out its rows one by one.
//
// Values read back look as they do from SQLite: a TIMESTAMPTZ column reads as
// "2026-12-04T21:00:00.000Z" (the form the store writes), a BOOLEAN as 1 or 0, a
// BYTEA as its bytes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/statement.h"

namespace rm::store::postgres {

// `sql` with its `?` and `?N` parameters written as PostgreSQL's $N. Public for its tests.
// `referenced`, if given, gets the numbers used (referenced[N] true for $N; index 0 unused).
std::string NumberParameters(std::string_view sql, std::vector<bool>* referenced = nullptr);

// A TIMESTAMPTZ as PostgreSQL writes it in UTC ("2026-12-04 21:00:00.12+00") in
// the store's form ("2026-12-04T21:00:00.120Z"); anything else unchanged.
std::string StoreTimestamp(std::string_view postgres_text);

class PgStatement final : public Statement {
 public:
  // Called after each run: with the number of rows the statement changed, or with the
  // failure (changed_rows 0).
  using OnRun = std::function<void(std::int64_t changed_rows, const Status& failure)>;

  // `name`: this statement's name among the connection's prepared statements (unique on it).
  PgStatement(PgConnection& conn, std::string sql, std::string name, OnRun on_run);

  PgStatement& BindInt64(int index, std::int64_t value) override;
  PgStatement& BindDouble(int index, double value) override;
  PgStatement& BindText(int index, std::string_view value) override;
  PgStatement& BindNull(int index) override;
  PgStatement& BindBlob(int index, std::string_view bytes) override;

  Result<bool> Step() override;
  void Reset() override;

  std::int64_t Int64(int column) const override;
  double Double(int column) const override;
  std::string Text(int column) const override;
  std::string_view Blob(int column) const override;
  bool IsNull(int column) const override;
  int ColumnCount() const override;
  std::string ColumnName(int column) const override;

  const std::string& sql() const override { return sql_; }
  bool busy() const override;

 private:
  PgStatement& Set(int index, std::optional<std::string> value);

  PgConnection& conn_;
  std::string sql_;     // as written (the cache key, and what errors quote)
  std::string pg_sql_;  // with $N parameters
  // Which $N the SQL uses. A bound parameter it does not use (repositories bind a viewer's
  // four values whether or not a statement needs them all) is sent typed as text: PostgreSQL
  // refuses a parameter whose type nothing in the statement decides.
  std::vector<bool> referenced_;
  // Prepared on the connection at the first run (parsed and planned once); a statement
  // PostgreSQL will not prepare runs unprepared instead.
  std::string name_;
  enum class Prepared { kNotYet, kYes, kNo } prepared_ = Prepared::kNotYet;
  OnRun on_run_;
  std::vector<std::optional<std::string>> params_;
  std::optional<PgRows> rows_;  // set once run
  int row_ = -1;
  Status error_;  // the first failure since the last Reset
  mutable std::string blob_;  // the decoded BYTEA that Blob() returned last
};

}  // namespace rm::store::postgres
