#include "store/memory_access.h"

namespace rm::store {

Result<std::vector<MemoryAccess>> ReadThreadAccess(Connection& conn, std::string_view root_id) {
  Statement& s = conn.Prepare(
      "SELECT id, user_id, shared_with_org_id, shared_with_team_id, allowed_vendors, deleted_at IS NULL "
      "FROM memories WHERE id = ?1 UNION ALL "
      "SELECT id, user_id, shared_with_org_id, shared_with_team_id, allowed_vendors, deleted_at IS NULL "
      "FROM memories WHERE parent_memory_id = ?1");
  s.Bind(1, root_id);
  std::vector<MemoryAccess> rows;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    MemoryAccess a;
    a.id = s.Text(0);
    a.user_id = s.Text(1);
    a.org_id = s.OptionalText(2);
    a.team_id = s.OptionalText(3);
    a.allowed_vendors_json = s.Text(4);
    a.live = s.Int64(5) != 0;
    rows.push_back(std::move(a));
  }
  return rows;
}

Result<bool> MayRead(Connection& conn, const Viewer& viewer, const MemoryAccess& access) {
  if (!access.live) return false;
  // The one rule, over the captured values instead of the table.
  static const std::string sql =
      // CASTs: PostgreSQL needs a type for a parameter selected as a value.
      "SELECT 1 FROM (SELECT CAST(?5 AS TEXT) AS user_id, CAST(?6 AS TEXT) AS shared_with_org_id, "
      "CAST(?7 AS TEXT) AS shared_with_team_id, CAST(?8 AS TEXT) AS allowed_vendors) AS m WHERE " +
      VisibleSql("m");
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(5, access.user_id);
  s.Bind(6, access.org_id);
  s.Bind(7, access.team_id);
  s.Bind(8, access.allowed_vendors_json);
  Result<bool> row = s.Step();
  s.Reset();
  return row;
}

}  // namespace rm::store
