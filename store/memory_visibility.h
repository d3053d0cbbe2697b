// Who may see which memory, as SQL: the ONE place the rules of SPEC §3 are
// written for queries. Every read path in store/ (reads, lists, search, tags,
// threads, versions, pools, briefing counts, resources, export) builds its WHERE
// clause from these functions, so a rule changes in one place.
//
// Parameter convention: every statement that uses these fragments binds the
// viewer to ?1..?4 with BindViewer() and numbers its own parameters from ?5.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/statement.h"

namespace rm::store {

// The caller as the store needs to know them.
struct Viewer {
  std::string user_id;
  std::optional<std::string> org_id;   // the org the user belongs to now
  std::optional<std::string> team_id;  // the team the user belongs to now
  // The caller's vendor. nullopt: an owner key, which has no vendor filter.
  std::optional<std::string> vendor;
};

// Which pool a read covers (SPEC §5 `scope`).
enum class Scope {
  kAll,       // the user's own memories + those shared with the user's org or team
  kPersonal,  // the user's own memories that are not shared
  kOrg,       // memories shared with the user's org (by anyone, the user included)
  kTeam,      // memories shared with the user's team
};

// Binds viewer to ?1 (user), ?2 (org), ?3 (team), ?4 (vendor or NULL).
void BindViewer(Statement& statement, const Viewer& viewer);

// The vendor filter of SPEC §3 for the memory row aliased `alias`: true when the
// caller has no vendor, or the row's allowed_vendors contains "*" or the vendor.
// "[]" is therefore visible to owner keys only.
std::string VendorVisibleSql(std::string_view alias = "m");

// The row belongs to the caller's pools for `scope` (ownership and sharing, no vendor).
std::string InPoolsSql(Scope scope, std::string_view alias = "m");

// InPoolsSql(kAll) AND VendorVisibleSql: the caller may see this row (trash aside).
std::string VisibleSql(std::string_view alias = "m");

}  // namespace rm::store
