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

// Cascades (SPEC §3) return how many of the memories they changed `viewer` may see:
// a cascade also reaches replies hidden from the caller (another vendor's, or in a
// pool the caller is not in), and a count must not reveal those.

// Soft delete: moves the live memory `id` and its live replies to the trash
// (deleted_at = `at`) and records `id` as the delete that trashed them. A reply
// already in the trash keeps its own deleted_at and record.
Result<std::int64_t> TrashWithReplies(Connection& conn, const Viewer& viewer, std::string_view id,
                                      std::string_view at);

// Restore: brings back the trashed memory `id` and the replies that its delete
// trashed — not those trashed on their own before (their authors' choice).
Result<std::int64_t> RestoreWithReplies(Connection& conn, const Viewer& viewer, std::string_view id,
                                        std::string_view updated_at);

// Removes a memory, its replies and their versions.
Result<std::int64_t> DeleteMemoryWithReplies(Connection& conn, const Viewer& viewer, std::string_view id);

// Sets the share columns of a memory and of its replies by the same author: the
// author moves their own thread. A reply by someone else keeps its share columns,
// the pool it was written into, so sharing never shows it to anyone who could not
// see it when it was written (issue 20). Returns how many of those replies (live,
// visible to `viewer`) stay in a pool other than the new one.
struct Sharing {
  std::optional<std::string> org_id;
  std::optional<std::string> team_id;
  std::optional<std::string> shared_at;
};
Result<std::int64_t> SetSharingWithOwnReplies(Connection& conn, const Viewer& viewer, std::string_view id,
                                              const Sharing& sharing, std::string_view updated_at);

// Memories stored (trash included) by one user, or by all members of an org.
Result<std::int64_t> CountMemoriesOfUser(Connection& conn, std::string_view user_id);
Result<std::int64_t> CountMemoriesOfOrgMembers(Connection& conn, std::string_view org_id);

// Calls `fn` with every memory of a user (trash included), parents before their
// replies, oldest first: for export. Stops at the first error `fn` returns.
Status ForEachMemoryOfUser(Connection& conn, std::string_view user_id,
                           const std::function<Status(const MemoryRow&)>& fn);

}  // namespace rm::store
