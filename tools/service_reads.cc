// The memory service's reads (usage: memory_read). See memory_service.h.
#include <algorithm>

#include <boost/json/object.hpp>

#include "store/memory_lists.h"
#include "store/memory_trash.h"
#include "store/plans.h"
#include "store/usage_repository.h"
#include "store/validation.h"
#include "store/version_repository.h"
#include "tools/cursor.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/service_call.h"
#include "util/clock.h"

namespace rm::tools {
namespace json = boost::json;
using store::UsageOperation;

namespace {

json::value NullableCursor(const std::optional<std::string>& cursor) {
  return cursor ? json::value(*cursor) : json::value(nullptr);
}

struct Page {
  std::vector<store::MemoryRow> rows;
  std::optional<std::string> next_cursor;
};

// One page of a list, newest first, and the cursor of the next page if there is one.
Result<Page> ListPage(ServiceCall& call, const CursorCodec& cursors, store::ListQuery query,
                      const std::optional<std::string>& cursor) {
  if (cursor) {
    Result<store::ListPosition> after = cursors.DecodeList(*cursor, call.viewer);
    if (!after.ok()) return after.status();
    query.after = *after;
  }
  const int limit = query.limit;
  query.limit = limit + 1;  // one more tells whether a next page exists
  Result<std::vector<store::MemoryRow>> rows = store::ListVisibleMemories(call.conn, call.viewer, query);
  if (!rows.ok()) return rows.status();
  Page page;
  page.rows = std::move(*rows);
  if (static_cast<int>(page.rows.size()) > limit) {
    page.rows.resize(static_cast<std::size_t>(limit));
    page.next_cursor = cursors.EncodeList({page.rows.back().created_at, page.rows.back().rowid}, call.viewer);
  }
  return page;
}

json::array Memories(const std::vector<store::MemoryRow>& rows, bool with_content = true) {
  json::array out;
  for (const auto& row : rows) out.push_back(with_content ? MemoryJson(row) : MemorySummaryJson(row));
  return out;
}

Result<std::string> TagsJson(const std::vector<std::string>& tags, std::string_view field) {
  if (tags.empty()) return Status::InvalidArgument(std::string(field) + ": give at least one tag");
  Result<std::vector<std::string>> normalized = NormalizeTags(tags, field);
  if (!normalized.ok()) return normalized.status();
  return ToJsonText(*normalized);
}

}  // namespace

MemoryService::Reply MemoryService::GetMemory(const Caller& caller, const Key& key,
                                              const std::string& id) {
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = FindVisible(call, id);
    if (!memory.ok()) return memory.status();
    return json::value(json::object{{"memory", MemoryJson(*memory)}});
  });
}

MemoryService::Reply MemoryService::GetMemoryVersions(const Caller& caller, const Key& key,
                                                      const std::string& id) {
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    // History is as visible as the memory itself, trash included.
    Result<store::MemoryRow> memory = FindVisible(call, id, store::TrashFilter::kAny);
    if (!memory.ok()) return memory.status();
    Result<store::VisibleHistory> history = store::ListVisibleVersions(call.conn, call.viewer, id);
    if (!history.ok()) return history.status();
    // When some versions are hidden from this caller (kept from its vendor, or drafts from
    // before the memory was shared with its pool), the history is numbered over the ones it
    // sees: the stored numbers (and current_version) would count the hidden ones (issue 20).
    const bool renumber = history->some_hidden();
    json::array out;
    std::int64_t seen = 0;
    for (store::VersionRow v : history->versions) {
      if (renumber) v.version_number = ++seen;
      out.push_back(VersionJson(v));
    }
    const std::int64_t current = renumber ? seen + 1 : history->latest_number + 1;
    return json::value(json::object{{"memory", MemoryJson(*memory)},
                        {"current_version", current},
                        {"versions", std::move(out)}});
  });
}

MemoryService::Reply MemoryService::ListTrash(const Caller& caller, int limit) {
  if (caller.vendor) return Status::NotFound("the trash is shown on the dashboard only");
  return Execute(caller, std::nullopt, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<std::vector<store::MemoryRow>> rows = store::ListTrashOf(call.conn, caller.user_id, std::clamp(limit, 1, 1000));
    if (!rows.ok()) return rows.status();
    return json::value(json::object{{"memories", Memories(*rows, /*with_content=*/false)}});
  });
}

MemoryService::Reply MemoryService::ReadMemories(const Caller& caller, const Key& key, int limit,
                                                 store::Scope scope) {
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    store::ListQuery query;
    query.scope = scope;
    query.limit = std::clamp(limit, 1, 50);
    Result<std::vector<store::MemoryRow>> rows = store::ListVisibleMemories(call.conn, call.viewer, query);
    if (!rows.ok()) return rows.status();
    return json::value(json::object{{"memories", Memories(*rows)}});
  });
}

MemoryService::Reply MemoryService::GetLatestMemory(const Caller& caller, const Key& key,
                                                    const std::optional<std::string>& tag) {
  std::string tags_json;
  if (tag) {
    Result<std::string> tags = TagsJson({*tag}, "tag");
    if (!tags.ok()) return tags.status();
    tags_json = *tags;
  }
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    store::ListQuery query;
    query.tags_any_json = tags_json;
    query.limit = 1;
    Result<std::vector<store::MemoryRow>> rows = store::ListVisibleMemories(call.conn, call.viewer, query);
    if (!rows.ok()) return rows.status();
    return json::value(json::object{
        {"memory", rows->empty() ? json::value(nullptr) : json::value(MemoryJson(rows->front()))}});
  });
}

MemoryService::Reply MemoryService::BrowseMemories(const Caller& caller, const Key& key,
                                                   const PageRequest& request) {
  Result<const CursorCodec*> cursors = Cursors();
  if (!cursors.ok()) return cursors.status();
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    store::ListQuery query;
    query.scope = request.scope;
    query.limit = std::clamp(request.limit, 1, 200);
    Result<Page> page = ListPage(call, **cursors, query, request.cursor);
    if (!page.ok()) return page.status();
    return json::value(json::object{{"memories", Memories(page->rows, /*with_content=*/false)},
                        {"next_cursor", NullableCursor(page->next_cursor)}});
  });
}

MemoryService::Reply MemoryService::GetMemoriesByTag(const Caller& caller, const Key& key,
                                                     const std::vector<std::string>& tags,
                                                     const PageRequest& request) {
  Result<std::string> tags_json = TagsJson(tags, "tags");
  if (!tags_json.ok()) return tags_json.status();
  Result<const CursorCodec*> cursors = Cursors();
  if (!cursors.ok()) return cursors.status();
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    store::ListQuery query;
    query.scope = request.scope;
    query.tags_any_json = *tags_json;
    query.limit = std::clamp(request.limit, 1, 50);
    Result<Page> page = ListPage(call, **cursors, query, request.cursor);
    if (!page.ok()) return page.status();
    return json::value(json::object{{"memories", Memories(page->rows)},
                        {"next_cursor", NullableCursor(page->next_cursor)}});
  });
}

MemoryService::Reply MemoryService::ReadThread(const Caller& caller, const Key& key,
                                               const std::string& memory_id) {
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = FindVisible(call, memory_id);
    if (!memory.ok()) return memory.status();
    // Given a reply, show its whole thread.
    store::MemoryRow parent = *memory;
    if (memory->parent_memory_id) {
      // A reply may be visible while its parent is not (another vendor's, or moved
      // to a pool the caller is not in while the reply stayed: docs/TOOLS.md "Threads").
      Result<store::MemoryRow> p = FindVisible(call, *memory->parent_memory_id);
      if (!p.ok()) {
        if (p.status().code() != Status::Code::kNotFound) return p.status();
        return Status::NotFound("memory '" + memory_id + "' is a reply to '" + *memory->parent_memory_id +
                                "', which was not found, so there is no thread to show");
      }
      parent = std::move(*p);
    }
    Result<std::vector<store::MemoryRow>> replies =
        store::ListVisibleReplies(call.conn, call.viewer, parent.id);
    if (!replies.ok()) return replies.status();
    return json::value(json::object{{"parent", MemoryJson(parent)}, {"replies", Memories(*replies)}});
  });
}

MemoryService::Reply MemoryService::ReadPoolMemories(const Caller& caller, const Key& key,
                                                     PoolKind pool, int limit,
                                                     const std::optional<std::string>& cursor) {
  Result<const CursorCodec*> cursors = Cursors();
  if (!cursors.ok()) return cursors.status();
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<std::string> pool_id = CallersPool(call, pool, pool == PoolKind::kOrg ? "org" : "team");
    if (!pool_id.ok()) return Status::FailedPrecondition(pool_id.status().message());
    store::ListQuery query;
    query.scope = pool == PoolKind::kOrg ? store::Scope::kOrg : store::Scope::kTeam;
    query.limit = std::clamp(limit, 1, 50);
    Result<Page> page = ListPage(call, **cursors, query, cursor);
    if (!page.ok()) return page.status();
    return json::value(json::object{{std::string(PoolName(pool)) + "_id", *pool_id},
                        {"memories", Memories(page->rows)},
                        {"next_cursor", NullableCursor(page->next_cursor)}});
  });
}

MemoryService::Reply MemoryService::GetUsage(const Caller& caller, const Key& key,
                                             const std::optional<std::string>& month) {
  if (month) {  // tool errors start with the field at fault, as schema errors do
    if (Status valid = store::ValidateMonth(*month); !valid.ok()) return Status::InvalidArgument("month: " + valid.message());
  }
  read_usage_.Flush();  // "operations count calls before this one": include reads still being metered
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    const std::string which = month ? *month : MonthOf(call.now);
    // An agent is told its own vendor's calls: the account's totals would show what the
    // user's other AI tools did (issue 20's review; like memories_stored below).
    Result<store::MonthUsage> usage =
        call.caller.vendor ? store::GetMonthUsageOfOrigin(call.conn, call.user.id, call.caller.origin, which)
                           : store::GetMonthUsage(call.conn, call.user.id, which);
    if (!usage.ok()) return usage.status();
    std::optional<store::PlanLimits> limits = store::LimitsOfPlan(call.user.plan);
    const auto limit = [](const std::optional<std::int64_t>& n) {
      return n ? json::value(*n) : json::value(nullptr);
    };
    json::object result{
        {"month", which},
        {"plan", call.user.plan},
        {"operations",
         {{"writes", usage->writes}, {"reads", usage->reads}, {"queries", usage->queries},
          {"total", usage->total_ops}}},
        {"limits",
         {{"memories", limits ? limit(limits->max_memories) : json::value(nullptr)},
          {"api_keys", limits ? limit(limits->max_api_keys) : json::value(nullptr)},
          {"memories_counted_per_org", limits && limits->memories_counted_per_org}}},
        {"note", call.caller.vendor
                     ? "operations count this vendor's calls before this one; a null limit means unlimited"
                     : "operations count calls before this one; a null limit means unlimited"},
    };
    if (!call.caller.vendor) {
      // What the quota counts (trash included). Agents do not get it: it would count
      // memories hidden from their vendor.
      Result<std::int64_t> stored = MemoriesCountedByQuota(call.conn, call.user);
      if (!stored.ok()) return stored.status();
      result["memories_stored"] = *stored;
    }
    return json::value(std::move(result));
  });
}

MemoryService::Reply MemoryService::Fetch(const Caller& caller, const Key& key,
                                          const std::string& id) {
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = FindVisible(call, id);
    if (!memory.ok()) return memory.status();
    json::object metadata = MemorySummaryJson(*memory);
    metadata.erase("id");
    metadata.erase("title");
    return json::value(json::object{{"id", memory->id},
                        {"title", memory->title},
                        {"text", memory->content},
                        {"url", UrlOf(memory->id)},
                        {"metadata", std::move(metadata)}});
  });
}

}  // namespace rm::tools
