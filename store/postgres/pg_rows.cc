#include "store/postgres/pg_rows.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace rm::store::postgres {

void PgRows::Clear::operator()(pg_result* r) const { PQclear(r); }

PgRows::PgRows(pg_result* result) : result_(result) {}

int PgRows::RowCount() const { return result_ ? PQntuples(result_.get()) : 0; }

int PgRows::ColumnCount() const { return result_ ? PQnfields(result_.get()) : 0; }

std::string PgRows::Text(int row, int col) const {
  // PQgetvalue returns "" for NULL and null for out-of-range positions.
  const char* value = result_ ? PQgetvalue(result_.get(), row, col) : nullptr;
  if (value == nullptr) return {};
  return std::string(value, PQgetlength(result_.get(), row, col));
}

bool PgRows::IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) == 1; }

std::string PgRows::ColumnName(int col) const {
  const char* name = result_ ? PQfname(result_.get(), col) : nullptr;
  return name ? name : "";
}

unsigned PgRows::ColumnType(int col) const { return result_ ? PQftype(result_.get(), col) : 0; }

std::int64_t PgRows::AffectedRows() const {
  const char* count = result_ ? PQcmdTuples(result_.get()) : nullptr;
  return count && *count ? std::strtoll(count, nullptr, 10) : 0;
}

}  // namespace rm::store::postgres
