#include "store/user_settings.h"

#include <string>

#include "util/clock.h"

namespace rm::store {

Result<bool> UserMergesSimilar(Connection& conn, std::string_view user_id) {
  Statement& s = conn.Prepare("SELECT merge_similar FROM users WHERE id = ?1");
  s.Bind(1, user_id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  const bool merge = *row && s.Int64(0) != 0;
  s.Reset();
  return merge;
}

Status SetUserMergesSimilar(Connection& conn, std::string_view user_id, bool merge) {
  RM_RETURN_IF_ERROR(conn.Prepare("UPDATE users SET merge_similar = ?2, updated_at = ?3 WHERE id = ?1")
                         .Bind(1, user_id)
                         .Bind(2, merge ? 1 : 0)
                         .Bind(3, NowUtc())
                         .Run());
  if (conn.Changes() == 0) return Status::NotFound("no user with id " + std::string(user_id));
  return Status::Ok();
}

}  // namespace rm::store
