#include "store/memory_repository.h"

namespace rm::store {
namespace {

std::string TrashSql(TrashFilter trash, std::string_view alias) {
  const std::string a(alias);
  switch (trash) {
    case TrashFilter::kLiveOnly: return a + ".deleted_at IS NULL";
    case TrashFilter::kTrashOnly: return a + ".deleted_at IS NOT NULL";
    case TrashFilter::kAny: break;
  }
  return "TRUE";  // SQLite reads it as 1; PostgreSQL wants a boolean after AND
}

}  // namespace

MemoryRow MemoryFromRow(const Statement& row, int first) {
  MemoryRow m;
  int c = first;
  m.rowid = row.Int64(c++);
  m.id = row.Text(c++);
  m.user_id = row.Text(c++);
  m.title = row.Text(c++);
  m.content = row.Text(c++);
  m.tags_json = row.Text(c++);
  m.origin = row.Text(c++);
  m.allowed_vendors_json = row.Text(c++);
  m.memory_type = row.Text(c++);
  m.created_at = row.Text(c++);
  m.updated_at = row.Text(c++);
  m.deleted_at = row.OptionalText(c++);
  m.shared_with_org_id = row.OptionalText(c++);
  m.shared_with_team_id = row.OptionalText(c++);
  m.shared_at = row.OptionalText(c++);
  m.parent_memory_id = row.OptionalText(c++);
  m.trashed_by_memory_id = row.OptionalText(c++);
  return m;
}

Result<std::optional<MemoryRow>> FindVisibleMemory(Connection& conn, const Viewer& viewer,
                                                   std::string_view id, TrashFilter trash) {
  const std::string sql = "SELECT " RM_MEMORY_COLUMNS " FROM memories m WHERE m.id = ?5 AND " +
                          VisibleSql() + " AND " + TrashSql(trash, "m");
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(5, id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<MemoryRow> found;
  if (*row) found = MemoryFromRow(s);
  s.Reset();
  return found;
}

Result<std::vector<MemoryRow>> ListVisibleReplies(Connection& conn, const Viewer& viewer,
                                                  std::string_view parent_id, TrashFilter trash) {
  const std::string sql = "SELECT " RM_MEMORY_COLUMNS
                          " FROM memories m WHERE m.parent_memory_id = ?5 AND " +
                          VisibleSql() + " AND " + TrashSql(trash, "m") +
                          " ORDER BY m.created_at, m.rowid";
  Statement& s = conn.Prepare(sql);
  BindViewer(s, viewer);
  s.Bind(5, parent_id);
  std::vector<MemoryRow> replies;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    replies.push_back(MemoryFromRow(s));
  }
  return replies;
}

Status InsertMemory(Connection& conn, const MemoryRow& m) {
  Statement& s = conn.Prepare(
      "INSERT INTO memories (id, user_id, title, content, tags, origin, allowed_vendors, "
      "memory_type, created_at, updated_at, deleted_at, shared_with_org_id, shared_with_team_id, "
      "shared_at, parent_memory_id, trashed_by_memory_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, m.id).Bind(2, m.user_id).Bind(3, m.title).Bind(4, m.content).Bind(5, m.tags_json);
  s.Bind(6, m.origin).Bind(7, m.allowed_vendors_json).Bind(8, m.memory_type);
  s.Bind(9, m.created_at).Bind(10, m.updated_at).Bind(11, m.deleted_at);
  s.Bind(12, m.shared_with_org_id).Bind(13, m.shared_with_team_id).Bind(14, m.shared_at);
  s.Bind(15, m.parent_memory_id).Bind(16, m.trashed_by_memory_id);
  return s.Run();
}

Status UpdateMemoryFields(Connection& conn, std::string_view id, const MemoryChanges& changes,
                          std::string_view updated_at) {
  // coalesce(?, column): one statement whatever subset of fields changes.
  Statement& s = conn.Prepare(
      "UPDATE memories SET title = coalesce(?2, title), content = coalesce(?3, content), "
      "tags = coalesce(?4, tags), memory_type = coalesce(?5, memory_type), "
      "allowed_vendors = coalesce(?6, allowed_vendors), updated_at = ?7 WHERE id = ?1");
  s.Bind(1, id).Bind(2, changes.title).Bind(3, changes.content).Bind(4, changes.tags_json);
  s.Bind(5, changes.memory_type).Bind(6, changes.allowed_vendors_json).Bind(7, updated_at);
  return s.Run();
}

namespace {

// How many memories `where` (over alias m, with ?5 = the id) selects that `viewer` may see.
Result<std::int64_t> CountVisible(Connection& conn, const Viewer& viewer, std::string_view id,
                                  const std::string& where) {
  Statement& s = conn.Prepare("SELECT count(*) FROM memories m WHERE (" + where + ") AND " + VisibleSql());
  BindViewer(s, viewer);
  s.Bind(5, id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::int64_t n = *row ? s.Int64(0) : 0;
  s.Reset();
  return n;
}

constexpr std::string_view kLiveThread = "(m.id = ?5 OR m.parent_memory_id = ?5) AND m.deleted_at IS NULL";
// The memory and the replies its own delete trashed.
constexpr std::string_view kTrashedWithIt =
    "(m.id = ?5 OR (m.parent_memory_id = ?5 AND m.trashed_by_memory_id = ?5)) AND m.deleted_at IS NOT NULL";

}  // namespace

Result<std::int64_t> TrashWithReplies(Connection& conn, const Viewer& viewer, std::string_view id,
                                      std::string_view at) {
  Result<std::int64_t> visible = CountVisible(conn, viewer, id, std::string(kLiveThread));
  if (!visible.ok()) return visible;
  Statement& s = conn.Prepare(
      "UPDATE memories AS m SET deleted_at = ?2, trashed_by_memory_id = ?5, updated_at = ?2 WHERE " +
      std::string(kLiveThread));
  s.Bind(5, id).Bind(2, at);
  RM_RETURN_IF_ERROR(s.Run());
  return visible;
}

Result<std::int64_t> RestoreWithReplies(Connection& conn, const Viewer& viewer, std::string_view id,
                                        std::string_view updated_at) {
  Result<std::int64_t> visible = CountVisible(conn, viewer, id, std::string(kTrashedWithIt));
  if (!visible.ok()) return visible;
  Statement& s = conn.Prepare(
      "UPDATE memories AS m SET deleted_at = NULL, trashed_by_memory_id = NULL, updated_at = ?2 WHERE " +
      std::string(kTrashedWithIt));
  s.Bind(5, id).Bind(2, updated_at);
  RM_RETURN_IF_ERROR(s.Run());
  return visible;
}

Result<std::int64_t> DeleteMemoryWithReplies(Connection& conn, const Viewer& viewer, std::string_view id) {
  Result<std::int64_t> visible = CountVisible(conn, viewer, id, "m.id = ?5 OR m.parent_memory_id = ?5");
  if (!visible.ok()) return visible;
  // Versions go with their memory (ON DELETE CASCADE); replies first, because
  // parent_memory_id references the parent.
  Statement& replies = conn.Prepare("DELETE FROM memories WHERE parent_memory_id = ?");
  replies.Bind(1, id);
  RM_RETURN_IF_ERROR(replies.Run());
  Statement& parent = conn.Prepare("DELETE FROM memories WHERE id = ?");
  parent.Bind(1, id);
  RM_RETURN_IF_ERROR(parent.Run());
  return visible;
}

Result<std::int64_t> SetSharingWithOwnReplies(Connection& conn, const Viewer& viewer, std::string_view id,
                                              const Sharing& sharing, std::string_view updated_at) {
  // Replies by others that will not be in the new pool: counted before the move.
  // (?6, ?7: the new org and team; ?5: the memory.)
  Statement& left = conn.Prepare(
      "SELECT count(*) FROM memories m WHERE m.parent_memory_id = ?5 AND m.deleted_at IS NULL "
      "AND m.user_id IS DISTINCT FROM (SELECT p.user_id FROM memories p WHERE p.id = ?5) "
      "AND NOT (m.shared_with_org_id IS NOT DISTINCT FROM ?6 AND m.shared_with_team_id IS NOT DISTINCT FROM ?7) AND " + VisibleSql());
  BindViewer(left, viewer);
  left.Bind(5, id).Bind(6, sharing.org_id).Bind(7, sharing.team_id);
  Result<bool> row = left.Step();
  if (!row.ok()) return row.status();
  const std::int64_t left_in_place = *row ? left.Int64(0) : 0;
  left.Reset();

  Statement& s = conn.Prepare(
      "UPDATE memories SET shared_with_org_id = ?2, shared_with_team_id = ?3, shared_at = ?4, "
      "updated_at = ?5 WHERE id = ?1 OR (parent_memory_id = ?1 AND "
      "user_id = (SELECT p.user_id FROM memories p WHERE p.id = ?1) AND "
      // A reply already shared this way is left as it is: its updated_at moving with
      // nothing else would be a change no listener is told of (live changes compare access).
      "NOT (shared_with_org_id IS NOT DISTINCT FROM ?2 AND shared_with_team_id IS NOT DISTINCT FROM ?3))");
  s.Bind(1, id).Bind(2, sharing.org_id).Bind(3, sharing.team_id).Bind(4, sharing.shared_at);
  s.Bind(5, updated_at);
  RM_RETURN_IF_ERROR(s.Run());
  return left_in_place;
}

namespace {
Result<std::int64_t> CountOne(Statement& s) {
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::int64_t n = *row ? s.Int64(0) : 0;
  s.Reset();
  return n;
}
}  // namespace

Result<std::int64_t> CountMemoriesOfUser(Connection& conn, std::string_view user_id) {
  Statement& s = conn.Prepare("SELECT count(*) FROM memories WHERE user_id = ?");
  s.Bind(1, user_id);
  return CountOne(s);
}

Result<std::int64_t> CountMemoriesOfOrgMembers(Connection& conn, std::string_view org_id) {
  Statement& s = conn.Prepare(
      "SELECT count(*) FROM memories WHERE user_id IN (SELECT id FROM users WHERE org_id = ?)");
  s.Bind(1, org_id);
  return CountOne(s);
}

Status ForEachMemoryOfUser(Connection& conn, std::string_view user_id,
                           const std::function<Status(const MemoryRow&)>& fn) {
  // Parents (parent_memory_id NULL) sort first, so an import can insert in file order.
  Statement& s = conn.Prepare("SELECT " RM_MEMORY_COLUMNS
                              " FROM memories m WHERE m.user_id = ? "
                              "ORDER BY m.parent_memory_id IS NOT NULL, m.created_at, m.rowid");
  s.Bind(1, user_id);
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Status st = fn(MemoryFromRow(s));
    if (!st.ok()) {
      s.Reset();
      return st;
    }
  }
  return Status::Ok();
}

}  // namespace rm::store
