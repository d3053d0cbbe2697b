#include "store/store_copy.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include <boost/json.hpp>

#include "store/store_invariants.h"

namespace rm::store {
namespace {

// One table of the schema, as the copy treats it.
struct TableSpec {
  std::string_view name;
  // A unique key, in the order rows are read (pages continue after the last key read).
  std::vector<std::string_view> key;
  // Columns written after every table is in (NULL at first): references to rows that
  // may not exist yet when this row is written.
  std::vector<std::string_view> later = {};
  // memories: its rowid is copied too (SQLite's implicit one, PostgreSQL's identity).
  bool rowid = false;
  // Rows that triggers write while other tables are copied: emptied, then copied last.
  bool replace = false;
};

// Every table of the schema, parents before the rows that name them. Adding a table to
// the schema means adding it here (CopyStore refuses a table it does not know).
const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = {
      {"users", {"id"}, {"org_id", "team_id"}},  // orgs name their owner; users name their org
      {"orgs", {"id"}},
      {"teams", {"id"}},
      {"org_invites", {"id"}},
      {"api_keys", {"id"}},
      {"user_passwords", {"user_id"}},
      {"signin_links", {"token_hash"}},
      {"web_sessions", {"id_hash"}},
      {"mcp_sessions", {"id_hash"}},  // hashes only; a moved store keeps its clients' sessions
      {"oauth_clients", {"client_id"}},
      {"oauth_grants", {"id"}},
      {"oauth_codes", {"code_hash"}},
      {"oauth_tokens", {"token_hash"}},
      // In the order they were written (lists break ties on rowid); a reply's parent
      // may come later when an import wrote them so.
      {"memories", {"rowid"}, {"parent_memory_id"}, true},
      {"memory_versions", {"id"}},
      {"memory_embeddings", {"memory_id"}},
      {"usage_events", {"id"}},
      {"monthly_usage", {"id"}},
      {"idempotency_keys", {"user_id", "request_id"}},
      {"used_request_states", {"state_id"}},
      {"server_secrets", {"name"}},
      {"llm_keys", {"id"}},
      {"tag_cluster_cache", {"user_id", "scope", "cluster_hash"}},
      {"tag_cluster_state", {"user_id", "scope"}},
      {"slack_workspaces", {"id"}},
      {"slack_conversation_state", {"id"}},
      {"waitlist", {"id"}},
      {"early_access_requests", {"id"}},
      // The memories' triggers count into it as memories are inserted.
      {"tag_cluster_pool_changes", {"pool"}, {}, false, true},
  };
  return tables;
}

// Tables of the schema that are not data: each store records its own migrations.
bool IsBookkeeping(std::string_view table) { return table == "schema_migrations"; }

constexpr int kPageRows = 500;         // rows read per query (PostgreSQL returns a query's rows at once)
constexpr int kParametersPerInsert = 4000;  // under both engines' limits (32766, 65535)

enum class Kind { kText, kInteger, kReal, kBlob, kJsonb };

struct Column {
  std::string name;
  Kind kind = Kind::kText;
};

// SQLite's declared type, by its affinity rules (the schema's tables are STRICT or plain TEXT/INTEGER/BLOB).
Kind SqliteKind(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  if (type.find("INT") != std::string::npos) return Kind::kInteger;
  if (type.find("BLOB") != std::string::npos) return Kind::kBlob;
  if (type.find("REAL") != std::string::npos || type.find("FLOA") != std::string::npos ||
      type.find("DOUB") != std::string::npos) {
    return Kind::kReal;
  }
  return Kind::kText;  // TEXT, and timestamps and JSON, which SQLite keeps as text
}

// information_schema's data_type.
Kind PostgresKind(const std::string& type) {
  if (type == "bigint" || type == "integer" || type == "smallint" || type == "boolean") return Kind::kInteger;
  if (type == "bytea") return Kind::kBlob;
  if (type == "double precision" || type == "real" || type == "numeric") return Kind::kReal;
  if (type == "jsonb") return Kind::kJsonb;
  return Kind::kText;  // text, timestamp with time zone (read in the store's form), json (kept as written)
}

Result<std::vector<std::string>> ListTables(Connection& conn) {
  const char* sql =
      conn.engine() == Engine::kSqlite
          // pragma_table_list tells FTS5's virtual and shadow tables apart (the index is
          // rebuilt by triggers, not copied).
          ? "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
          : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name";
  return conn.Prepare(sql).CollectRows<std::string>([](const Statement& r) { return r.Text(0); });
}

// The columns of `spec` that hold data, as `conn`'s engine declares them: without
// generated ones (PostgreSQL's search_vector) or the rowid (handled by spec.rowid).
Result<std::vector<Column>> ListColumns(Connection& conn, const TableSpec& spec) {
  std::vector<Column> columns;
  Status status;
  if (conn.engine() == Engine::kSqlite) {
    // table_info leaves out generated columns and the implicit rowid.
    Statement& s = conn.Prepare("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid");
    s.Bind(1, spec.name);
    status = s.ForEachRow([&](const Statement& r) { columns.push_back({r.Text(0), SqliteKind(r.Text(1))}); });
  } else {
    Statement& s = conn.Prepare(
        "SELECT column_name, data_type, is_generated, is_identity FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position");
    s.Bind(1, spec.name);
    std::string unknown_identity;
    status = s.ForEachRow([&](const Statement& r) {
      if (r.Text(2) == "ALWAYS") return;  // computed from the others (search_vector)
      if (r.Text(3) == "YES") {
        if (!(spec.rowid && r.Text(0) == "rowid")) unknown_identity = r.Text(0);
        return;
      }
      columns.push_back({r.Text(0), PostgresKind(r.Text(1))});
    });
    if (status.ok() && !unknown_identity.empty()) {
      return Status::FailedPrecondition("copy does not know the identity column " + std::string(spec.name) + "." +
                                        unknown_identity);
    }
  }
  if (!status.ok()) return status;
  return columns;
}

Result<std::int64_t> CountRows(Connection& conn, std::string_view table) {
  // The table name is one of Tables(), never input.
  Statement& s = conn.Prepare("SELECT count(*) FROM " + std::string(table));
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const std::int64_t n = *row ? s.Int64(0) : 0;
  s.Reset();
  return n;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// One value of one row, as read from the source.
struct Value {
  enum class Type { kNull, kInteger, kReal, kText, kBlob } type = Type::kNull;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;  // text or blob
};

Value ReadValue(const Statement& row, int column, Kind kind, bool compact_json) {
  Value v;
  if (row.IsNull(column)) return v;
  switch (kind) {
    case Kind::kInteger:
      v.type = Value::Type::kInteger;
      v.integer = row.Int64(column);
      return v;
    case Kind::kReal:
      v.type = Value::Type::kReal;
      v.real = row.Double(column);
      return v;
    case Kind::kBlob:
      v.type = Value::Type::kBlob;
      v.bytes = std::string(row.Blob(column));
      return v;
    case Kind::kJsonb: {
      v.type = Value::Type::kText;
      v.bytes = row.Text(column);
      if (compact_json) {
        // PostgreSQL prints JSONB as ["a", "b"]; the store writes ["a","b"] on SQLite.
        boost::system::error_code ec;
        boost::json::value parsed = boost::json::parse(v.bytes, ec);
        if (!ec) v.bytes = boost::json::serialize(parsed);
      }
      return v;
    }
    case Kind::kText:
      v.type = Value::Type::kText;
      v.bytes = row.Text(column);
      return v;
  }
  return v;
}

void BindValue(Statement& s, int index, const Value& v) {
  switch (v.type) {
    case Value::Type::kNull: s.BindNull(index); return;
    case Value::Type::kInteger: s.BindInt64(index, v.integer); return;
    case Value::Type::kReal: s.BindDouble(index, v.real); return;
    case Value::Type::kText: s.BindText(index, v.bytes); return;
    case Value::Type::kBlob: s.BindBlob(index, v.bytes); return;
  }
}

using Row = std::vector<Value>;

// The copy of one table: its SQL on each side, built from the catalogs once.
class TableCopy {
 public:
  TableCopy(const TableSpec& spec, std::vector<Column> columns, Connection& src, Connection& dst)
      : spec_(spec), columns_(std::move(columns)), src_(src), dst_(dst) {
    if (spec_.rowid) columns_.insert(columns_.begin(), Column{"rowid", Kind::kInteger});
    std::vector<std::string> names, keys;
    for (const Column& c : columns_) names.push_back(c.name);
    for (std::string_view k : spec_.key) {
      keys.push_back(std::string(k));
      key_columns_.push_back(IndexOf(k));
    }
    for (std::string_view l : spec_.later) later_columns_.push_back(IndexOf(l));
    const std::string select = "SELECT " + Join(names, ", ") + " FROM " + std::string(spec_.name);
    const std::string order = " ORDER BY " + Join(keys, ", ") + " LIMIT " + std::to_string(kPageRows);
    std::vector<std::string> marks(keys.size(), "?");
    first_page_ = select + order;
    next_page_ = select + " WHERE (" + Join(keys, ", ") + ") > (" + Join(marks, ", ") + ")" + order;
    insert_head_ = "INSERT INTO " + std::string(spec_.name) + " (" + Join(names, ", ") + ")" +
                   (spec_.rowid && dst_.engine() == Engine::kPostgres ? " OVERRIDING SYSTEM VALUE" : "") +
                   " VALUES ";
    std::vector<std::string> row_marks(columns_.size(), "?");
    row_values_ = "(" + Join(row_marks, ", ") + ")";
    rows_per_insert_ = std::max<int>(1, std::min<int>(kPageRows, kParametersPerInsert / static_cast<int>(columns_.size())));
    compact_json_ = dst_.engine() == Engine::kSqlite;
  }

  // Copies every row (later columns as NULL, kept for WriteLater).
  Result<std::int64_t> Copy(const CopyOptions& options) {
    std::int64_t copied = 0, reported = 0;
    std::optional<Row> last;
    for (;;) {
      Statement& page = src_.Prepare(last ? next_page_ : first_page_);
      if (last) {
        for (std::size_t k = 0; k < key_columns_.size(); ++k) BindValue(page, static_cast<int>(k) + 1, (*last)[key_columns_[k]]);
      }
      std::vector<Row> rows;
      Status read = page.ForEachRow([&](const Statement& r) {
        Row row;
        row.reserve(columns_.size());
        for (std::size_t c = 0; c < columns_.size(); ++c) {
          row.push_back(ReadValue(r, static_cast<int>(c), columns_[c].kind, compact_json_));
        }
        rows.push_back(std::move(row));
      });
      if (!read.ok()) return read;
      if (rows.empty()) break;
      last = rows.back();
      RM_RETURN_IF_ERROR(Insert(rows));
      copied += static_cast<std::int64_t>(rows.size());
      if (options.progress && copied - reported >= options.progress_every) {
        options.progress(spec_.name, copied, false);
        reported = copied;
      }
      if (rows.size() < static_cast<std::size_t>(kPageRows)) break;
    }
    return copied;
  }

  // Writes the later columns of the rows that have them.
  Status WriteLater() {
    if (later_.empty()) return Status::Ok();
    std::vector<std::string> sets, where;
    for (std::string_view l : spec_.later) sets.push_back(std::string(l) + " = ?");
    for (std::string_view k : spec_.key) where.push_back(std::string(k) + " = ?");
    const std::string sql =
        "UPDATE " + std::string(spec_.name) + " SET " + Join(sets, ", ") + " WHERE " + Join(where, " AND ");
    for (const auto& [key, values] : later_) {
      Statement& s = dst_.Prepare(sql);
      int index = 1;
      for (const Value& v : values) BindValue(s, index++, v);
      for (const Value& v : key) BindValue(s, index++, v);
      RM_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  }

 private:
  std::size_t IndexOf(std::string_view name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].name == name) return i;
    }
    return 0;  // checked by CopyStore: every key and later column exists
  }

  Status Insert(std::vector<Row>& rows) {
    for (Row& row : rows) {
      bool any_later = false;
      Row later_values;
      for (std::size_t l : later_columns_) {
        any_later = any_later || row[l].type != Value::Type::kNull;
        later_values.push_back(std::exchange(row[l], Value{}));
      }
      if (any_later) {
        Row key;
        for (std::size_t k : key_columns_) key.push_back(row[k]);
        later_.emplace_back(std::move(key), std::move(later_values));
      }
    }
    for (std::size_t start = 0; start < rows.size(); start += static_cast<std::size_t>(rows_per_insert_)) {
      const std::size_t n = std::min(rows.size() - start, static_cast<std::size_t>(rows_per_insert_));
      std::string sql = insert_head_;
      for (std::size_t i = 0; i < n; ++i) sql += (i == 0 ? "" : ", ") + row_values_;
      Statement& insert = dst_.Prepare(sql);
      int index = 1;
      for (std::size_t i = start; i < start + n; ++i) {
        for (const Value& v : rows[i]) BindValue(insert, index++, v);
      }
      RM_RETURN_IF_ERROR(insert.Run());
    }
    return Status::Ok();
  }

  const TableSpec& spec_;
  std::vector<Column> columns_;
  Connection& src_;
  Connection& dst_;
  std::vector<std::size_t> key_columns_, later_columns_;
  std::string first_page_, next_page_, insert_head_, row_values_;
  int rows_per_insert_ = 1;
  bool compact_json_ = false;
  std::vector<std::pair<Row, Row>> later_;  // (key, later values)
};

Status CheckTablesKnown(Connection& conn, std::string_view which) {
  Result<std::vector<std::string>> tables = ListTables(conn);
  if (!tables.ok()) return tables.status();
  std::set<std::string> known;
  for (const TableSpec& spec : Tables()) known.insert(std::string(spec.name));
  std::vector<std::string> unknown;
  for (const std::string& t : *tables) {
    if (!known.contains(t) && !IsBookkeeping(t)) unknown.push_back(t);
  }
  if (unknown.empty()) return Status::Ok();
  return Status::FailedPrecondition("the " + std::string(which) + " has table(s) copy does not know: " +
                                    Join(unknown, ", ") + " (this build's copy predates them; nothing was copied)");
}

// Columns of one table on both sides: the same names, or the schemas differ.
Result<std::vector<Column>> MatchColumns(Connection& src, Connection& dst, const TableSpec& spec) {
  Result<std::vector<Column>> from = ListColumns(src, spec);
  if (!from.ok()) return from.status();
  Result<std::vector<Column>> to = ListColumns(dst, spec);
  if (!to.ok()) return to.status();
  std::set<std::string> a, b;
  for (const Column& c : *from) a.insert(c.name);
  for (const Column& c : *to) b.insert(c.name);
  if (a != b || a.empty()) {
    std::vector<std::string> only_src, only_dst;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_src));
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_dst));
    return Status::FailedPrecondition("the table " + std::string(spec.name) +
                                      " differs between the stores (only in the source: " + Join(only_src, ", ") +
                                      "; only in the destination: " + Join(only_dst, ", ") + ")");
  }
  for (std::string_view needed : spec.later) {
    if (!a.contains(std::string(needed))) return Status::Internal("copy: no column " + std::string(needed));
  }
  for (std::string_view needed : spec.key) {
    if (needed != "rowid" && !a.contains(std::string(needed))) {
      return Status::Internal("copy: no key column " + std::string(needed));
    }
  }
  return std::move(*from);  // read as the source holds them
}

Status CheckEmpty(Connection& dst) {
  std::vector<std::string> holding;
  for (const TableSpec& spec : Tables()) {
    Result<std::int64_t> n = CountRows(dst, spec.name);
    if (!n.ok()) return n.status();
    if (*n > 0) holding.push_back(std::string(spec.name) + " (" + std::to_string(*n) + ")");
  }
  if (holding.empty()) return Status::Ok();
  return Status::FailedPrecondition("the destination already holds data: " + Join(holding, ", ") +
                                    "; copy writes only into an empty store, and changed nothing");
}

// After rows were written with their own rowids, the identity would hand out 1 again.
Status MoveIdentityPastRows(Connection& dst) {
  if (dst.engine() != Engine::kPostgres) return Status::Ok();  // SQLite takes max(rowid) + 1 itself
  return dst.Exec(
      "SELECT setval(pg_get_serial_sequence('memories', 'rowid'), max(rowid)) FROM memories "
      "HAVING max(rowid) IS NOT NULL");
}

Result<CopyReport> CopyIn(Connection& src, Connection& dst, const CopyOptions& options) {
  RM_RETURN_IF_ERROR(CheckTablesKnown(src, "source"));
  RM_RETURN_IF_ERROR(CheckTablesKnown(dst, "destination"));
  Result<int> from_version = RecordedSchemaVersion(src);
  if (!from_version.ok()) return from_version.status();
  Result<int> to_version = RecordedSchemaVersion(dst);
  if (!to_version.ok()) return to_version.status();
  if (*from_version != *to_version) {
    return Status::FailedPrecondition("the source is at schema version " + std::to_string(*from_version) +
                                      " and the destination at " + std::to_string(*to_version) +
                                      ": run both with the same reflect-memory (migrate the older one first)");
  }
  RM_RETURN_IF_ERROR(CheckEmpty(dst));

  // The schema's only user triggers count memories into tag_cluster_pool_changes, which
  // is replaced by the source's rows below anyway. On PostgreSQL each count is a new
  // version of one row per pool that the next count must walk past (none can be pruned
  // inside the open transaction): 100,000 memories of one user took 90 s, against 4 s
  // without. DISABLE TRIGGER is transactional: a failed copy leaves them enabled. (On
  // SQLite the FTS index is filled by triggers, and counting updates in place.)
  const bool quiet_triggers = dst.engine() == Engine::kPostgres;
  if (quiet_triggers) RM_RETURN_IF_ERROR(dst.Exec("ALTER TABLE memories DISABLE TRIGGER USER"));

  std::vector<std::unique_ptr<TableCopy>> copies;
  CopyReport report;
  const auto copy_table = [&](const TableSpec& spec) -> Status {
    Result<std::vector<Column>> columns = MatchColumns(src, dst, spec);
    if (!columns.ok()) return columns.status();
    auto copy = std::make_unique<TableCopy>(spec, std::move(*columns), src, dst);
    if (spec.replace) RM_RETURN_IF_ERROR(dst.Exec("DELETE FROM " + std::string(spec.name)));
    Result<std::int64_t> rows = copy->Copy(options);
    if (!rows.ok()) return rows.status();
    if (options.progress) options.progress(spec.name, *rows, true);
    copies.push_back(std::move(copy));
    return Status::Ok();
  };
  for (const TableSpec& spec : Tables()) {
    if (!spec.replace) RM_RETURN_IF_ERROR(copy_table(spec));
  }
  for (const auto& copy : copies) RM_RETURN_IF_ERROR(copy->WriteLater());
  if (quiet_triggers) RM_RETURN_IF_ERROR(dst.Exec("ALTER TABLE memories ENABLE TRIGGER USER"));
  for (const TableSpec& spec : Tables()) {
    if (spec.replace) RM_RETURN_IF_ERROR(copy_table(spec));
  }
  RM_RETURN_IF_ERROR(MoveIdentityPastRows(dst));

  // Verified before the commit, so a difference leaves the destination as it was.
  std::vector<std::string> differ;
  for (const TableSpec& spec : Tables()) {
    Result<std::int64_t> a = CountRows(src, spec.name);
    if (!a.ok()) return a.status();
    Result<std::int64_t> b = CountRows(dst, spec.name);
    if (!b.ok()) return b.status();
    report.tables.push_back({std::string(spec.name), *a, *b});
    report.rows += *b;
    if (*a != *b) {
      differ.push_back(std::string(spec.name) + " (source " + std::to_string(*a) + ", destination " +
                       std::to_string(*b) + ")");
    }
  }
  if (!differ.empty()) {
    return Status::FailedPrecondition("row counts differ after the copy: " + Join(differ, ", ") +
                                      "; nothing was kept");
  }
  Result<IntegrityReport> check = CheckIntegrity(dst, options.destination_schema_version);
  if (!check.ok()) return check.status();
  if (!check->ok()) {
    return Status::FailedPrecondition("check found problems in the copy, so nothing was kept:\n  " +
                                      Join(check->problems, "\n  ") +
                                      "\n(run `reflect-memory check` on the source: the copy keeps what it holds)");
  }
  report.check = std::move(*check);
  return report;
}

}  // namespace

std::vector<std::string> CopiedTables() {
  std::vector<std::string> names;
  for (const TableSpec& spec : Tables()) names.emplace_back(spec.name);
  return names;
}

Result<CopyReport> CopyStore(Store& source, Store& destination, const CopyOptions& options) {
  std::optional<CopyReport> report;
  // One destination transaction around one source snapshot.
  Status status = destination.Write([&](Connection& dst) {
    return source.Read([&](Connection& src) {
      Result<CopyReport> copied = CopyIn(src, dst, options);
      if (!copied.ok()) return copied.status();
      report = std::move(*copied);
      return Status::Ok();
    });
  });
  if (!status.ok()) return status;
  return std::move(*report);
}

}  // namespace rm::store
