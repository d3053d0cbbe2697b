#include "store/memory_trash.h"

namespace rm::store {

Result<std::vector<MemoryRow>> ListTrashOf(Connection& conn, std::string_view user_id, int limit) {
  if (limit < 1 || limit > 1000) return Status::InvalidArgument("limit must be between 1 and 1000");
  Statement& s = conn.Prepare("SELECT " RM_MEMORY_COLUMNS
                              " FROM memories m WHERE m.user_id = ?1 AND m.deleted_at IS NOT NULL "
                              "ORDER BY m.deleted_at DESC, m.rowid DESC LIMIT ?2");
  s.Bind(1, user_id).Bind(2, limit);
  std::vector<MemoryRow> rows;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    rows.push_back(MemoryFromRow(s));
  }
  return rows;
}

}  // namespace rm::store
