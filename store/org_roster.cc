#include "store/org_roster.h"

#include "store/user_rows.h"

namespace rm::store {

Result<std::vector<User>> ListOrgMembers(Connection& conn, std::string_view org_id) {
  return conn
      .Prepare("SELECT " RM_USER_COLUMNS " FROM users WHERE org_id = ? "
               "ORDER BY CASE org_role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, email")
      .Bind(1, org_id)
      .CollectRows<User>(UserFromRow);
}

Result<std::vector<Team>> ListTeamsOfOrg(Connection& conn, std::string_view org_id) {
  return conn.Prepare("SELECT id, org_id, name, created_at, updated_at FROM teams WHERE org_id = ? ORDER BY name")
      .Bind(1, org_id)
      .CollectRows<Team>([](const Statement& s) { return Team{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)}; });
}

}  // namespace rm::store
