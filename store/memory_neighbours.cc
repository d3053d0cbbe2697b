#include "store/memory_neighbours.h"

#include <algorithm>
#include <string>

#include "store/visibility_match.h"

namespace rm::store {

Result<std::vector<MemoryRow>> VisibleMemoriesNaming(Connection& conn, const Viewer& viewer,
                                                     std::string_view id, int limit) {
  // The id as one FTS5 phrase in the content column: the tokenizer splits it as it
  // split the content ("3f2a…-9c1d…" → "3f2a…" "9c1d…"), so the phrase finds it. A
  // double quote inside a phrase is written twice.
  std::string phrase = "content : \"";
  for (char c : id) {
    if (c == '"') phrase += '"';
    phrase += c;
  }
  phrase += '"';
  // PostgreSQL has no FTS5 table: its weighted tsvector splits ids differently, so there the
  // viewer's visible memories (found through their pool indexes) are checked directly.
  const std::string from = conn.engine() == Engine::kPostgres
                               ? " FROM memories m WHERE "
                               : " FROM memories_fts f JOIN memories m ON m.rowid = f.rowid WHERE memories_fts MATCH ?5 AND ";
  const std::string sql = "SELECT " RM_MEMORY_COLUMNS + from + "m.deleted_at IS NULL AND " + VisibleSql() +
                          " AND m.id <> ?6 AND instr(lower(m.content), lower(?6)) > 0 "
                          "ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?7";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(5, phrase).Bind(6, id).Bind(7, std::clamp(limit, 1, 1000));
  return s.CollectRows<MemoryRow>([](const Statement& row) { return MemoryFromRow(row); });
}

namespace {

// FROM and WHERE of the live memories the viewer may see in `scope` having any tag of
// ?6, found through the index (?5: the MATCH) on SQLite; the viewer is ?1..?4. The index
// narrows; the SQL predicate decides (store/visibility_match.h). PostgreSQL has no FTS5
// table to walk: the pools' indexes narrow there (?5 is then unused).
std::string TaggedVisibleFromWhere(Connection& conn, Scope scope) {
  const char* from = conn.engine() == Engine::kPostgres
                         ? " FROM memories m WHERE "
                         : " FROM memories_fts f JOIN memories m ON m.rowid = f.rowid WHERE memories_fts MATCH ?5 AND ";
  return from + std::string("m.deleted_at IS NULL AND ") + InPoolsSql(scope) + " AND " + VendorVisibleSql() +
         " AND EXISTS (SELECT 1 FROM json_each(m.tags) AS t WHERE lower(t.value) IN "
         "(SELECT lower(value) FROM json_each(?6)))";
}

// The FTS5 MATCH of the viewer's pools and these tags (SQLite); "" on PostgreSQL, which
// does not use it. Nothing when no memory can match (no tags).
Result<std::optional<std::string>> TagMatch(Connection& conn, const Viewer& viewer, Scope scope,
                                            const std::string& tags_json) {
  if (conn.engine() == Engine::kPostgres) return std::optional<std::string>(std::string());
  SearchFilters filters;
  filters.scope = scope;
  filters.tags_any_json = tags_json;
  return VisibilityMatch(conn, viewer, filters);
}

}  // namespace

Result<std::vector<MemoryRow>> RecentVisibleWithAnyTag(Connection& conn, const Viewer& viewer, Scope scope,
                                                       const std::string& tags_json, int limit) {
  Result<std::optional<std::string>> match = TagMatch(conn, viewer, scope, tags_json);
  if (!match.ok()) return match.status();
  if (!*match) return std::vector<MemoryRow>();
  // FTS5 walks its rowids backwards and the LIMIT stops it early (m.rowid is f.rowid).
  Statement& s = conn.Prepare("SELECT " RM_MEMORY_COLUMNS + TaggedVisibleFromWhere(conn, scope) +
                              " ORDER BY " + (conn.engine() == Engine::kPostgres ? "m" : "f") + ".rowid DESC LIMIT ?7");
  BindViewer(s, viewer);
  s.Bind(5, **match).Bind(6, tags_json).Bind(7, std::clamp(limit, 1, 1000));
  return s.CollectRows<MemoryRow>([](const Statement& row) { return MemoryFromRow(row); });
}

Result<std::int64_t> CountVisibleWithAnyTag(Connection& conn, const Viewer& viewer, Scope scope,
                                            const std::string& tags_json, std::int64_t cap) {
  Result<std::optional<std::string>> match = TagMatch(conn, viewer, scope, tags_json);
  if (!match.ok()) return match.status();
  if (!*match) return 0;
  Statement& s = conn.Prepare("SELECT count(*) FROM (SELECT 1" + TaggedVisibleFromWhere(conn, scope) + " LIMIT ?7) AS capped");
  BindViewer(s, viewer);
  s.Bind(5, **match).Bind(6, tags_json).Bind(7, cap);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const std::int64_t n = *row ? s.Int64(0) : 0;
  s.Reset();
  return n;
}

Result<std::vector<MemoryRow>> MergeCandidates(Connection& conn, const MergeCandidatesQuery& query) {
  Statement& s = conn.Prepare(
      "SELECT " RM_MEMORY_COLUMNS " FROM memories m WHERE m.user_id = ?1 AND m.created_at >= ?2 "
      "AND m.deleted_at IS NULL AND m.parent_memory_id IS NULL AND m.origin = ?3 "
      "AND m.shared_with_org_id IS NOT DISTINCT FROM ?4 AND m.shared_with_team_id IS NOT DISTINCT FROM ?5 AND m.allowed_vendors = ?6 "
      "ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?7");
  s.Bind(1, query.user_id).Bind(2, query.created_since).Bind(3, query.origin);
  s.Bind(4, query.shared_with_org_id).Bind(5, query.shared_with_team_id).Bind(6, query.allowed_vendors_json);
  s.Bind(7, std::clamp(query.limit, 1, 1000));
  return s.CollectRows<MemoryRow>([](const Statement& row) { return MemoryFromRow(row); });
}

}  // namespace rm::store
