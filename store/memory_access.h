// Who could read a memory at one moment: the columns the visibility rule of
// store/memory_visibility.h looks at, captured inside a write's transaction just
// before and just after its change. The live-changes feed (tools/live_changes.h)
// decides from two such snapshots which listeners may hear of the change — also
// for a memory the change made invisible (deleted, unshared) — with the SAME rule
// the queries use (VisibleSql), evaluated over the captured values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_visibility.h"
#include "util/status.h"

namespace rm::store {

struct MemoryAccess {
  std::string id;
  std::string user_id;
  std::optional<std::string> org_id;   // shared_with_org_id
  std::optional<std::string> team_id;  // shared_with_team_id
  std::string allowed_vendors_json;
  bool live = true;  // not in the trash

  bool operator==(const MemoryAccess&) const = default;
};

// The memory `root_id` and its replies (threads have one level), whoever wrote
// them and whatever their trash state; rows that do not exist are absent.
Result<std::vector<MemoryAccess>> ReadThreadAccess(Connection& conn, std::string_view root_id);

// True when `viewer` may read the memory as `access` describes it: live, and
// VisibleSql() holds for it.
Result<bool> MayRead(Connection& conn, const Viewer& viewer, const MemoryAccess& access);

}  // namespace rm::store
