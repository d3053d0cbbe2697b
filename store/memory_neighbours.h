// Memories related to one memory: for get_graph_around (tools/graph_tools.cc),
// those whose content names it; for write_memory's merge_similar, the recent ones
// a new memory could be merged into. Parents, replies and tag neighbours come from
// store/memory_repository.h and store/memory_lists.h. Vendor-filtered and
// pool-restricted like every read (store/memory_visibility.h); the trash is left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_records.h"
#include "store/memory_visibility.h"
#include "util/status.h"

namespace rm::store {

// Up to `limit` live memories the viewer may see whose content contains `id`
// (ASCII case-insensitive; its id or its memory:// URI), newest first, `id` itself
// left out. Found through the full-text index (the id as a phrase), then checked
// against the content, so the cost follows the memories that name it.
Result<std::vector<MemoryRow>> VisibleMemoriesNaming(Connection& conn, const Viewer& viewer,
                                                     std::string_view id, int limit);

// Up to `limit` live memories the viewer may see in `scope` having any of the tags
// in `tags_json` (a JSON array; ASCII case-insensitive), the most recently written
// first (insertion order). Walks the full-text index's tag tokens, so the cost
// follows the memories having those tags, not all the viewer's memories.
Result<std::vector<MemoryRow>> RecentVisibleWithAnyTag(Connection& conn, const Viewer& viewer, Scope scope,
                                                       const std::string& tags_json, int limit);

// How many such memories there are, counting no further than `cap`.
Result<std::int64_t> CountVisibleWithAnyTag(Connection& conn, const Viewer& viewer, Scope scope,
                                            const std::string& tags_json, std::int64_t cap);

// A new memory's twins-to-be: the author's own live memories, not replies, written
// since `created_since`, with the same origin, sharing and allowed_vendors as the
// new one (so a merge never crosses users, vendors or pools), newest first.
struct MergeCandidatesQuery {
  std::string user_id;
  std::string origin;
  std::optional<std::string> shared_with_org_id;
  std::optional<std::string> shared_with_team_id;
  std::string allowed_vendors_json;
  std::string created_since;
  int limit = 50;
};
Result<std::vector<MemoryRow>> MergeCandidates(Connection& conn, const MergeCandidatesQuery& query);

}  // namespace rm::store
