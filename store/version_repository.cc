#include "store/version_repository.h"

// The columns of a VersionRow, in its order, from memory_versions aliased v.
#define RM_VERSION_COLUMNS \
  "v.version_number, v.title, v.content, v.tags, v.memory_type, v.origin, v.allowed_vendors, v.created_at"

namespace rm::store {

Result<std::int64_t> AppendVersionSnapshot(Connection& conn, std::string_view memory_id,
                                           std::string_view version_id, std::string_view now) {
  if (conn.engine() == Engine::kPostgres) {
    // Writers run at once on PostgreSQL (READ COMMITTED): two updates of one memory would
    // both count max + 1 and save the same number, and one state would never become a
    // version. Locking the row first makes them take turns; the INSERT below, a new
    // statement, then sees what the one before committed. (SQLite has one writer.)
    RM_RETURN_IF_ERROR(conn.Prepare("SELECT 1 FROM memories WHERE id = ? FOR UPDATE").Bind(1, memory_id).Run());
  }
  Statement& s = conn.Prepare(
      "INSERT INTO memory_versions (id, memory_id, user_id, title, content, tags, memory_type, "
      "origin, allowed_vendors, version_number, created_at) "
      "SELECT ?2, m.id, m.user_id, m.title, m.content, m.tags, m.memory_type, m.origin, "
      "m.allowed_vendors, "
      "(SELECT coalesce(max(v.version_number), 0) + 1 FROM memory_versions v WHERE v.memory_id = ?1), "
      "?3 FROM memories m WHERE m.id = ?1 "
      "RETURNING version_number");
  s.Bind(1, memory_id).Bind(2, version_id).Bind(3, now);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("memory " + std::string(memory_id) + " does not exist");
  std::int64_t number = s.Int64(0);
  s.Reset();
  return number;
}

Status InsertVersion(Connection& conn, std::string_view version_id, std::string_view memory_id,
                     std::string_view user_id, const VersionRow& v) {
  // (memory_id, version_number) has no UNIQUE constraint in the canonical schema,
  // so a duplicate number is refused here.
  Statement& exists = conn.Prepare(
      "SELECT 1 FROM memory_versions WHERE memory_id = ? AND version_number = ?");
  exists.Bind(1, memory_id).Bind(2, v.version_number);
  Result<bool> row = exists.Step();
  if (!row.ok()) return row.status();
  exists.Reset();
  if (*row) {
    return Status::AlreadyExists("memory " + std::string(memory_id) + " already has version " +
                                 std::to_string(v.version_number));
  }
  Statement& s = conn.Prepare(
      "INSERT INTO memory_versions (id, memory_id, user_id, title, content, tags, memory_type, "
      "origin, allowed_vendors, version_number, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, version_id).Bind(2, memory_id).Bind(3, user_id).Bind(4, v.title).Bind(5, v.content);
  s.Bind(6, v.tags_json).Bind(7, v.memory_type).Bind(8, v.origin).Bind(9, v.allowed_vendors_json);
  s.Bind(10, v.version_number).Bind(11, v.created_at);
  return s.Run();
}

namespace {

// Reads the rows of a prepared version query (RM_VERSION_COLUMNS).
Result<std::vector<VersionRow>> ReadVersions(Statement& s) {
  std::vector<VersionRow> versions;
  while (true) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    versions.push_back({s.Int64(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5),
                        s.Text(6), s.Text(7)});
  }
  return versions;
}

}  // namespace

Result<std::vector<VersionRow>> ListVersions(Connection& conn, std::string_view memory_id) {
  Statement& s = conn.Prepare("SELECT " RM_VERSION_COLUMNS
                              " FROM memory_versions v WHERE v.memory_id = ? ORDER BY v.version_number");
  s.Bind(1, memory_id);
  return ReadVersions(s);
}

Result<VisibleHistory> ListVisibleVersions(Connection& conn, const Viewer& viewer, std::string_view memory_id) {
  // Besides its vendor filter, a version is for the pool only if its state lived
  // while the memory was shared: replaced after shared_at (a state replaced within
  // the same millisecond as the sharing stays hidden: the safe side). What the
  // author wrote before sharing stays the author's.
  Statement& s = conn.Prepare("SELECT " RM_VERSION_COLUMNS " FROM memory_versions v WHERE v.memory_id = ?5 AND " +
                              VendorVisibleSql("v") +
                              " AND (v.user_id = ?1 OR EXISTS (SELECT 1 FROM memories m WHERE m.id = ?5"
                              " AND m.shared_at IS NOT NULL AND v.created_at > m.shared_at))"
                              " ORDER BY v.version_number");
  BindViewer(s, viewer);
  s.Bind(5, memory_id);
  Result<std::vector<VersionRow>> versions = ReadVersions(s);
  if (!versions.ok()) return versions.status();

  Statement& latest =
      conn.Prepare("SELECT coalesce(max(version_number), 0), count(*) FROM memory_versions WHERE memory_id = ?");
  latest.Bind(1, memory_id);
  Result<bool> row = latest.Step();
  if (!row.ok()) return row.status();
  VisibleHistory history{std::move(*versions), latest.Int64(0), latest.Int64(1)};
  latest.Reset();
  return history;
}

}  // namespace rm::store
