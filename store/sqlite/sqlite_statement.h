// SqliteStatement: a Statement prepared by SQLite (RAII over sqlite3_stmt).
//
// SQLite binds `?` parameters itself; a prepare that failed (say, a table a later
// migration creates) is retried on the next Reset.
#pragma once

#include "store/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rm::store {

class SqliteStatement final : public Statement {
 public:
  // Prepares `sql` on `db`; a failure is kept and reported by Step()/Run().
  SqliteStatement(sqlite3* db, std::string sql);
  ~SqliteStatement() override;

  SqliteStatement& BindInt64(int index, std::int64_t value) override;
  SqliteStatement& BindDouble(int index, double value) override;
  SqliteStatement& BindText(int index, std::string_view value) override;
  SqliteStatement& BindNull(int index) override;
  SqliteStatement& BindBlob(int index, std::string_view bytes) override;

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
  // (Re)prepares after a failed prepare, e.g. a table created since by a migration.
  void PrepareIfNeeded();
  void NoteBindResult(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  Status error_;  // the first failure since the last Reset (prepare or bind)
};

}  // namespace rm::store
