// Lists of memories a viewer may see: newest first, paged by keyset, filtered by
// scope and tags; and the aggregates the briefing shows. All vendor-filtered and
// pool-restricted through store/memory_visibility.h; the trash is never listed.
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

// Where a page ends: the (created_at, rowid) of its last memory.
struct ListPosition {
  std::string created_at;
  std::int64_t rowid = 0;
};

struct ListQuery {
  Scope scope = Scope::kAll;
  // A JSON array of tags; a memory qualifies if it has any of them (ASCII case-insensitive).
  // Empty string: no tag filter.
  std::string tags_any_json;
  std::optional<ListPosition> after;  // continue after this memory
  int limit = 10;                     // 1..1000
};

// Up to `limit` memories, newest (created_at, then rowid) first.
Result<std::vector<MemoryRow>> ListVisibleMemories(Connection& conn, const Viewer& viewer,
                                                   const ListQuery& query);

// How many live memories the viewer sees in `scope`, counting no further than
// cap + 1 when a cap is given (a count walks every such memory): a result over
// `cap` means "more than cap".
Result<std::int64_t> CountVisibleMemories(Connection& conn, const Viewer& viewer, Scope scope,
                                          std::optional<std::int64_t> cap = std::nullopt);

struct TagCount {
  std::string tag;
  std::int64_t count = 0;
};
// The most used tags among the viewer's `sample` newest visible memories; with a
// `prefix`, only the tags that start with it (ASCII case-insensitive).
Result<std::vector<TagCount>> TopVisibleTags(Connection& conn, const Viewer& viewer, int sample,
                                             int limit, std::string_view prefix = {});

// The titles of the viewer's `sample` newest visible memories that contain `text`
// (ASCII case-insensitive), newest first.
Result<std::vector<std::string>> VisibleTitlesContaining(Connection& conn, const Viewer& viewer,
                                                         std::string_view text, int sample);

struct ThreadSummary {
  std::string parent_id;
  std::string title;
  std::int64_t replies = 0;
  std::string last_reply_at;
};
// Threads (a visible parent with visible replies), most recently answered first.
Result<std::vector<ThreadSummary>> RecentVisibleThreads(Connection& conn, const Viewer& viewer,
                                                        int limit);

}  // namespace rm::store
