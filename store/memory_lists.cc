#include "store/memory_lists.h"

#include <algorithm>
#include <limits>

namespace rm::store {
namespace {

// Parameters of a list statement after the viewer's ?1..?4.
constexpr int kAfterCreated = 5;
constexpr int kAfterRowid = 6;
constexpr int kTags = 7;
constexpr int kLimit = 8;

// One branch of a list: the memories of one pool, newest first, at most ?8 of them.
// Each branch can walk its own index (user_id, shared_with_org_id or
// shared_with_team_id, each with created_at) and stop after ?8 rows.
std::string Branch(const std::string& pool, bool tags) {
  std::string sql = "SELECT " RM_MEMORY_COLUMNS " FROM memories m WHERE " + pool +
                    " AND m.deleted_at IS NULL AND " + VendorVisibleSql() +
                    // ?5 IS NULL last: PostgreSQL takes a parameter's type from its first use.
                    " AND (m.created_at < ?5 OR (m.created_at = ?5 AND m.rowid < ?6) OR ?5 IS NULL)";
  if (tags) {
    sql += " AND EXISTS (SELECT 1 FROM json_each(m.tags) AS t WHERE lower(t.value) IN "
           "(SELECT lower(value) FROM json_each(?7)))";
  }
  return sql + " ORDER BY m.created_at DESC, m.rowid DESC LIMIT ?8";
}

// The list statement for a scope. kAll is three disjoint branches (own; org pool
// without own; team pool without own) merged, rather than one OR that would have
// to sort every visible memory before it could return the first page.
std::string ListSql(Scope scope, bool tags) {
  if (scope != Scope::kAll) return Branch(InPoolsSql(scope), tags);
  return "SELECT * FROM (" + Branch("m.user_id = ?1", tags) + ") AS own UNION ALL SELECT * FROM (" +
         Branch("m.shared_with_org_id = ?2 AND m.user_id <> ?1", tags) +
         ") AS org UNION ALL SELECT * FROM (" +
         Branch("m.shared_with_team_id = ?3 AND m.user_id <> ?1", tags) +
         ") AS team ORDER BY 10 DESC, 1 DESC LIMIT ?8";  // 10: created_at, 1: rowid
}

}  // namespace

Result<std::vector<MemoryRow>> ListVisibleMemories(Connection& conn, const Viewer& viewer,
                                                   const ListQuery& query) {
  const bool tags = !query.tags_any_json.empty();
  Statement& s = conn.Prepare(ListSql(query.scope, tags));
  BindViewer(s, viewer);
  if (query.after) {
    s.Bind(kAfterCreated, query.after->created_at).Bind(kAfterRowid, query.after->rowid);
  }
  if (tags) s.Bind(kTags, query.tags_any_json);
  s.Bind(kLimit, std::clamp(query.limit, 1, 1000));
  std::vector<MemoryRow> rows;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    rows.push_back(MemoryFromRow(s));
  }
  return rows;
}

Result<std::int64_t> CountVisibleMemories(Connection& conn, const Viewer& viewer, Scope scope,
                                          std::optional<std::int64_t> cap) {
  const std::string sql = "SELECT count(*) FROM (SELECT 1 FROM memories m WHERE " + InPoolsSql(scope) +
                          " AND m.deleted_at IS NULL AND " + VendorVisibleSql() + " LIMIT ?5) AS capped";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  // One past the cap tells "more than cap"; no cap is the largest LIMIT (PostgreSQL refuses
  // SQLite's negative "no limit").
  s.Bind(5, cap ? *cap + 1 : std::numeric_limits<std::int64_t>::max());
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::int64_t n = *row ? s.Int64(0) : 0;
  s.Reset();
  return n;
}

Result<std::vector<TagCount>> TopVisibleTags(Connection& conn, const Viewer& viewer, int sample,
                                             int limit, std::string_view prefix) {
  // ?10 '' (no prefix) matches every tag: substr(x, 1, 0) is ''.
  const std::string sql = "SELECT t.value, count(*) AS n FROM (" + ListSql(Scope::kAll, false) +
                          ") AS recent, json_each(recent.tags) AS t "
                          "WHERE t.type = 'text' AND substr(lower(t.value), 1, length(?10)) = lower(?10) "
                          "GROUP BY t.value ORDER BY n DESC, t.value LIMIT ?9";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(kLimit, std::clamp(sample, 1, 100000)).Bind(9, limit).Bind(10, prefix);
  std::vector<TagCount> tags;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    tags.push_back({s.Text(0), s.Int64(1)});
  }
  return tags;
}

Result<std::vector<std::string>> VisibleTitlesContaining(Connection& conn, const Viewer& viewer,
                                                         std::string_view text, int sample) {
  const std::string sql = "SELECT recent.title FROM (" + ListSql(Scope::kAll, false) +
                          ") AS recent WHERE instr(lower(recent.title), lower(?9)) > 0";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(kLimit, std::clamp(sample, 1, 100000)).Bind(9, text);
  return s.CollectRows<std::string>([](const Statement& row) { return row.Text(0); });
}

Result<std::vector<ThreadSummary>> RecentVisibleThreads(Connection& conn, const Viewer& viewer,
                                                        int limit) {
  const std::string sql =
      "SELECT p.id, p.title, count(*), max(r.created_at) AS last FROM memories r "
      "JOIN memories p ON p.id = r.parent_memory_id "
      "WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL AND " +
      VisibleSql("r") + " AND " + VisibleSql("p") +
      " GROUP BY p.id ORDER BY last DESC LIMIT ?5";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(5, limit);
  std::vector<ThreadSummary> threads;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    threads.push_back({s.Text(0), s.Text(1), s.Int64(2), s.Text(3)});
  }
  return threads;
}

}  // namespace rm::store
