// Memories: reading one, writing, soft/permanent delete, sharing, threads.
//
// Reads take a Viewer and apply store/memory_visibility.h, so a memory the
// caller may not see is simply absent (the tools report it as not found).
// Writes take ids the caller already resolved through a visible read; they do
// not re-check permissions (tools/memory_service.cc does, in the same transaction).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_records.h"
#include "store/memory_visibility.h"
#include "util/status.h"

namespace rm::store {

enum class TrashFilter { kLiveOnly, kTrashOnly, kAny };

// The memory `id` if the viewer may see it and it passes `trash`; nullopt otherwise.
Result<std::optional<MemoryRow>> FindVisibleMemory(Connection& conn, const Viewer& viewer,
                                                   std::string_view id,
                                                   TrashFilter trash = TrashFilter::kLiveOnly);

// Replies of `parent_id` the viewer may see, oldest first.
Result<std::vector<MemoryRow>> ListVisibleReplies(Connection& conn, const Viewer& viewer,
                                                  std::string_view parent_id,
                                                  TrashFilter trash = TrashFilter::kLiveOnly);

// Inserts `memory` as given (id, timestamps and all). AlreadyExists for a taken id.
Status InsertMemory(Connection& conn, const MemoryRow& memory);

// The fields update_memory may change. nullopt: leave as is.
struct MemoryChanges {
  std::optional<std::string> title;
  std::optional<std::string> content;
  std::optional<std::string> tags_json;
  std::optional<std::string> memory_type;
  std::optional<std::string> allowed_vendors_json;
};
Status UpdateMemoryFields(Connection& conn, std::string_view id, const MemoryChanges& changes,
                          std::string_view updated_at);

// Soft delete (deleted_at = `at`) or restore (`at` nullopt) of a memory and all its
// replies (SPEC §3: they cascade). Returns how many rows changed.
Result<std::int64_t> SetTrashedWithReplies(Connection& conn, std::string_view id,
                                           const std::optional<std::string>& at,
                                           std::string_view updated_at);

// Removes a memory, its replies and their versions. Returns how many memories went.
Result<std::int64_t> DeleteMemoryWithReplies(Connection& conn, std::string_view id);

// Sets the share columns of a memory and all its replies (replies inherit them).
struct Sharing {
  std::optional<std::string> org_id;
  std::optional<std::string> team_id;
  std::optional<std::string> shared_at;
};
Status SetSharingWithReplies(Connection& conn, std::string_view id, const Sharing& sharing,
                             std::string_view updated_at);

// Memories stored (trash included) by one user, or by all members of an org.
Result<std::int64_t> CountMemoriesOfUser(Connection& conn, std::string_view user_id);
Result<std::int64_t> CountMemoriesOfOrgMembers(Connection& conn, std::string_view org_id);

// Calls `fn` with every memory of a user (trash included), parents before their
// replies, oldest first: for export. Stops at the first error `fn` returns.
Status ForEachMemoryOfUser(Connection& conn, std::string_view user_id,
                           const std::function<Status(const MemoryRow&)>& fn);

}  // namespace rm::store
