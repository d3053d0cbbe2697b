#include "store/memory_visibility.h"

namespace rm::store {

void BindViewer(Statement& statement, const Viewer& viewer) {
  statement.Bind(1, viewer.user_id);
  statement.Bind(2, viewer.org_id);
  statement.Bind(3, viewer.team_id);
  statement.Bind(4, viewer.vendor);
}

std::string VendorVisibleSql(std::string_view alias) {
  const std::string a(alias);
  // Most memories allow every vendor and store exactly '["*"]' (the default, and
  // what the store writes for it): a string compare settles those without
  // json_each, which costs a search over 1,000 candidates about a millisecond.
  // CAST: PostgreSQL cannot tell a parameter's type from `? IS NULL` or an IN list alone.
  return "(CAST(?4 AS TEXT) IS NULL OR " + a + ".allowed_vendors = '[\"*\"]' OR EXISTS (SELECT 1 FROM json_each(" +
         a + ".allowed_vendors) WHERE value IN ('*', CAST(?4 AS TEXT))))";
}

std::string InPoolsSql(Scope scope, std::string_view alias) {
  const std::string a(alias);
  switch (scope) {
    case Scope::kPersonal:
      return "(" + a + ".user_id = ?1 AND " + a + ".shared_with_org_id IS NULL AND " + a +
             ".shared_with_team_id IS NULL)";
    case Scope::kOrg:
      return "(" + a + ".shared_with_org_id = ?2)";
    case Scope::kTeam:
      return "(" + a + ".shared_with_team_id = ?3)";
    case Scope::kAll:
      break;
  }
  return "(" + a + ".user_id = ?1 OR " + a + ".shared_with_org_id = ?2 OR " + a +
         ".shared_with_team_id = ?3)";
}

std::string VisibleSql(std::string_view alias) {
  return "(" + InPoolsSql(Scope::kAll, alias) + " AND " + VendorVisibleSql(alias) + ")";
}

}  // namespace rm::store
