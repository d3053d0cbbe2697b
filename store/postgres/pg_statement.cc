#include "store/postgres/pg_statement.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace rm::store::postgres {
namespace {

// PostgreSQL's type oids (src/include/catalog/pg_type.dat): stable across versions.
constexpr unsigned kBoolOid = 16;
constexpr unsigned kByteaOid = 17;
constexpr unsigned kTimestampTzOid = 1184;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string NumberParameters(std::string_view sql, std::vector<bool>* referenced) {
  const auto note = [referenced](int n) {
    if (referenced == nullptr || n <= 0) return;
    if (referenced->size() <= static_cast<std::size_t>(n)) referenced->resize(static_cast<std::size_t>(n) + 1, false);
    (*referenced)[static_cast<std::size_t>(n)] = true;
  };
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a string or a quoted name: copied to its closing quote
      const std::size_t end = sql.find(c, i + 1);
      const std::size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {  // a comment, to the line's end
      const std::size_t end = sql.find('\n', i);
      const std::size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '?') {
      std::size_t digits = i + 1;
      while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
      out.push_back('$');
      if (digits > i + 1) {  // ?N: that parameter, and numbering goes on after it (SQLite's rule)
        const std::string_view number = sql.substr(i + 1, digits - i - 1);
        out.append(number);
        const int n = std::atoi(std::string(number).c_str());
        note(n);
        next = std::max(next, n);
        i = digits - 1;
      } else {
        out.append(std::to_string(++next));
        note(next);
      }
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string StoreTimestamp(std::string_view text) {
  // "YYYY-MM-DD HH:MM:SS[.f...]+00": anything else is not a UTC timestamp from this store.
  if (text.size() < 22 || text[10] != ' ' || !text.ends_with("+00")) return std::string(text);
  std::string out(text.substr(0, 19));
  out[10] = 'T';
  std::string_view fraction = text.substr(19, text.size() - 19 - 3);  // ".12" or ""
  std::string millis = fraction.empty() ? "" : std::string(fraction.substr(1));
  millis.resize(3, '0');  // the store keeps milliseconds
  out += "." + millis + "Z";
  return out;
}

PgStatement::PgStatement(PgConnection& conn, std::string sql, std::string name, OnRun on_run)
    : conn_(conn), sql_(std::move(sql)), name_(std::move(name)), on_run_(std::move(on_run)) {
  pg_sql_ = NumberParameters(sql_, &referenced_);  // in the body: referenced_ is declared after pg_sql_
}

PgStatement& PgStatement::Set(int index, std::optional<std::string> value) {
  if (index < 1) {
    if (error_.ok()) error_ = Status::Internal("parameter index " + std::to_string(index) + " of " + sql_);
    return *this;
  }
  if (params_.size() < static_cast<std::size_t>(index)) params_.resize(static_cast<std::size_t>(index));
  params_[static_cast<std::size_t>(index) - 1] = std::move(value);
  return *this;
}

PgStatement& PgStatement::BindInt64(int index, std::int64_t value) { return Set(index, std::to_string(value)); }

PgStatement& PgStatement::BindDouble(int index, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);  // round-trips every double
  return Set(index, std::string(buffer));
}

PgStatement& PgStatement::BindText(int index, std::string_view value) { return Set(index, std::string(value)); }

PgStatement& PgStatement::BindNull(int index) { return Set(index, std::nullopt); }

PgStatement& PgStatement::BindBlob(int index, std::string_view bytes) {
  // BYTEA's text input form: \x and two hex digits a byte.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + bytes.size() * 2);
  for (unsigned char b : bytes) {
    text.push_back(kHex[b >> 4]);
    text.push_back(kHex[b & 0xf]);
  }
  return Set(index, std::move(text));
}

Result<bool> PgStatement::Step() {
  if (!error_.ok()) return error_;
  if (!rows_) {
    // The parameters are $1..$N, N the highest the SQL uses: values bound past it are used
    // by nothing and dropped; one it skips (a viewer's vendor a statement does not need) is
    // typed text (25), the others inferred by the server (0).
    const std::size_t count = referenced_.empty() ? 0 : referenced_.size() - 1;
    params_.resize(count);
    std::vector<unsigned> types(count, 0);
    for (std::size_t i = 0; i < count; ++i) {
      if (!referenced_[i + 1]) types[i] = 25;
    }
    if (prepared_ == Prepared::kNotYet) {
      prepared_ = conn_.PrepareNamed(name_, pg_sql_, types).ok() ? Prepared::kYes : Prepared::kNo;
    }
    Result<PgRows> rows =
        prepared_ == Prepared::kYes ? conn_.QueryPrepared(name_, params_) : conn_.Query(pg_sql_, params_, types);
    if (!rows.ok()) {
      if (on_run_) on_run_(0, rows.status());
      return rows.status();  // reported once; the statement may run again
    }
    rows_ = std::move(*rows);
    row_ = -1;
    if (on_run_) on_run_(rows_->AffectedRows(), Status::Ok());
  }
  if (row_ + 1 >= rows_->RowCount()) {
    row_ = rows_->RowCount();
    return false;
  }
  ++row_;
  return true;
}

void PgStatement::Reset() {
  rows_.reset();
  row_ = -1;
  params_.clear();
  error_ = Status::Ok();
}

bool PgStatement::busy() const { return rows_.has_value() && row_ < rows_->RowCount(); }

std::int64_t PgStatement::Int64(int column) const {
  const std::string text = rows_->Text(row_, column);
  if (rows_->ColumnType(column) == kBoolOid) return text == "t" ? 1 : 0;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return static_cast<std::int64_t>(std::strtod(text.c_str(), nullptr));  // a NUMERIC or float: truncated, as SQLite does
  }
  return value;
}

double PgStatement::Double(int column) const { return std::strtod(rows_->Text(row_, column).c_str(), nullptr); }

std::string PgStatement::Text(int column) const {
  const unsigned type = rows_->ColumnType(column);
  if (type == kTimestampTzOid && !rows_->IsNull(row_, column)) return StoreTimestamp(rows_->Text(row_, column));
  if (type == kBoolOid && !rows_->IsNull(row_, column)) return rows_->Text(row_, column) == "t" ? "1" : "0";
  return rows_->Text(row_, column);
}

std::string_view PgStatement::Blob(int column) const {
  std::string text = rows_->Text(row_, column);
  if (rows_->ColumnType(column) != kByteaOid || !text.starts_with("\\x")) {
    blob_ = std::move(text);
    return blob_;
  }
  blob_.clear();
  blob_.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
    blob_.push_back(static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1])));
  }
  return blob_;
}

bool PgStatement::IsNull(int column) const { return rows_->IsNull(row_, column); }

int PgStatement::ColumnCount() const { return rows_ ? rows_->ColumnCount() : 0; }

std::string PgStatement::ColumnName(int column) const { return rows_ ? rows_->ColumnName(column) : ""; }

}  // namespace rm::store::postgres
