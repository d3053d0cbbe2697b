// PgRows: the rows one query returned, owning its libpq PGresult (freed by PQclear).
//
// Every value is read as text: PgConnection::Query asks libpq for text results, so
// a BIGINT arrives as "42", a TIMESTAMPTZ as the server's ISO form, JSONB as JSON.
// Typed readers belong to the repositories that know what a column holds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct pg_result;  // libpq's PGresult, kept out of this header

namespace rm::store::postgres {

class PgRows {
 public:
  explicit PgRows(pg_result* result);  // takes ownership; null means no rows

  int RowCount() const;
  int ColumnCount() const;
  // The value at (row, col) as text; "" for NULL (tell them apart with IsNull).
  std::string Text(int row, int col) const;
  bool IsNull(int row, int col) const;
  // The column's name, and its type's oid (PQftype: 16 boolean, 1184 timestamptz, ...).
  std::string ColumnName(int col) const;
  unsigned ColumnType(int col) const;
  // Rows an INSERT, UPDATE or DELETE changed (PQcmdTuples); 0 for other statements.
  std::int64_t AffectedRows() const;

  // The libpq result, for PgConnection to read its status and error fields.
  const pg_result* raw() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

}  // namespace rm::store::postgres
