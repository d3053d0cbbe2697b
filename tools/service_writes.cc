// The memory service's writes (usage: memory_write). See memory_service.h.
#include <boost/json/object.hpp>

#include <chrono>

#include "store/memory_neighbours.h"
#include "store/memory_repository.h"
#include "store/user_settings.h"
#include "store/version_repository.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/near_duplicate.h"
#include "tools/service_call.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::tools {
namespace json = boost::json;
using store::UsageOperation;

namespace {

json::value MemoryResult(const store::MemoryRow& m) { return json::value(json::object{{"memory", MemoryJson(m)}}); }

// Re-reads a memory the call just changed, as the caller now sees it.
MemoryService::Reply Reread(ServiceCall& call, const std::string& id,
                            store::TrashFilter trash = store::TrashFilter::kLiveOnly) {
  Result<store::MemoryRow> m = FindVisible(call, id, trash);
  if (!m.ok()) return m.status();
  return MemoryResult(*m);
}

store::MemoryRow NewRow(const ServiceCall& call, const NewMemory& memory) {
  store::MemoryRow row;
  row.id = NewUuid();
  row.user_id = call.user.id;
  row.title = memory.title;
  row.content = memory.content;
  row.tags_json = ToJsonText(memory.tags);
  row.origin = call.caller.origin;
  row.allowed_vendors_json = ToJsonText(memory.allowed_vendors);
  row.memory_type = memory.memory_type;
  row.created_at = call.now;
  row.updated_at = call.now;
  return row;
}

// The memory `id` if the caller may `verb` (share / unshare) it: visible, theirs,
// and not a reply (replies follow their parent).
Result<store::MemoryRow> SharingTarget(ServiceCall& call, const std::string& id, const std::string& verb) {
  Result<store::MemoryRow> memory = FindVisible(call, id);
  if (!memory.ok()) return memory;
  RM_RETURN_IF_ERROR(CheckMayChange(call, *memory, Change::kAuthorOnly));
  if (memory->parent_memory_id) {
    return Status::InvalidArgument("memory_id: '" + id + "' is a reply; replies follow their parent, so " +
                                   verb + " the parent '" + *memory->parent_memory_id + "'");
  }
  return memory;
}

// The answer of share / unshare: the memory as it now is, and how many replies by
// others stayed where they were written (SetSharingWithOwnReplies).
MemoryService::Reply Moved(ServiceCall& call, const std::string& id, Result<std::int64_t> left_in_place) {
  if (!left_in_place.ok()) return left_in_place.status();
  MemoryService::Reply result = Reread(call, id);
  if (!result.ok()) return result;
  result->as_object()["replies_left_in_place"] = *left_in_place;
  return result;
}

// Changes `memory` (which the caller may edit) by `changes`: its state before
// becomes the next version (SPEC §3). The answer: the memory as changed, and the
// number of the version that keeps what it was.
MemoryService::Reply ApplyChanges(ServiceCall& call, store::MemoryRow memory, const store::MemoryChanges& changes) {
  const std::string id = memory.id;
  RM_RETURN_IF_ERROR(Touch(call, id));
  // The state before the change becomes the next version (SPEC §3).
  Result<std::int64_t> version = store::AppendVersionSnapshot(call.conn, id, NewUuid(), call.now);
  if (!version.ok()) return version.status();
  {
    // A caller who misses some versions numbers them over those it sees
    // (get_memory_versions): the one just saved is the last of them.
    Result<store::VisibleHistory> seen = store::ListVisibleVersions(call.conn, call.viewer, id);
    if (!seen.ok()) return seen.status();
    if (seen->some_hidden()) version = static_cast<std::int64_t>(seen->versions.size());
  }
  RM_RETURN_IF_ERROR(store::UpdateMemoryFields(call.conn, id, changes, call.now));
  // The memory as updated (not re-read: the caller may have just excluded its
  // own vendor from allowed_vendors).
  store::MemoryRow after = std::move(memory);
  if (changes.title) after.title = *changes.title;
  if (changes.content) after.content = *changes.content;
  if (changes.tags_json) after.tags_json = *changes.tags_json;
  if (changes.memory_type) after.memory_type = *changes.memory_type;
  if (changes.allowed_vendors_json) after.allowed_vendors_json = *changes.allowed_vendors_json;
  after.updated_at = call.now;
  json::value result = MemoryResult(after);
  result.as_object()["previous_version"] = *version;
  return result;
}

// merge_similar looks back 48 hours, at the author's 50 newest memories at most.
constexpr std::chrono::hours kMergeWindow{48};
constexpr int kMergeCandidates = 50;

// The memory a new one (`row`, not yet written) would merge into: the newest of the
// author's recent memories with the same origin, sharing and vendors that is a near
// duplicate (tools/near_duplicate.h) and that the caller can see. nullopt if none.
Result<std::optional<store::MemoryRow>> MergeTarget(ServiceCall& call, const store::MemoryRow& row) {
  store::MergeCandidatesQuery query{row.user_id,          row.origin,
                                    row.shared_with_org_id, row.shared_with_team_id,
                                    row.allowed_vendors_json, FormatUtc(std::chrono::system_clock::now() - kMergeWindow),
                                    kMergeCandidates};
  Result<std::vector<store::MemoryRow>> candidates = store::MergeCandidates(call.conn, query);
  if (!candidates.ok()) return candidates.status();
  for (store::MemoryRow& candidate : *candidates) {
    if (!NearDuplicate(row.title, row.content, candidate.title, candidate.content)) continue;
    Result<std::optional<store::MemoryRow>> visible = store::FindVisibleMemory(call.conn, call.viewer, candidate.id);
    if (!visible.ok()) return visible.status();
    if (*visible) return visible;
  }
  return std::optional<store::MemoryRow>();
}

// The tags of `target` and then of `row`, each once (case-insensitive); nullopt when
// together they are more than a memory may have (then there is no merge).
std::optional<std::string> MergedTags(const store::MemoryRow& target, const store::MemoryRow& row) {
  std::vector<std::string> tags = StringsFromJsonText(target.tags_json);
  for (const std::string& tag : StringsFromJsonText(row.tags_json)) tags.push_back(tag);
  Result<std::vector<std::string>> merged = NormalizeTags(tags);
  if (!merged.ok()) return std::nullopt;
  return ToJsonText(*merged);
}

// Merges `row` into `target`: its title, content and type replace the target's,
// tags become `tags_json`, and the target's state before becomes a version (undoable).
MemoryService::Reply MergeInto(ServiceCall& call, store::MemoryRow target, const store::MemoryRow& row,
                               std::string tags_json) {
  store::MemoryChanges changes;
  changes.title = row.title;
  changes.content = row.content;
  changes.memory_type = row.memory_type;
  changes.tags_json = std::move(tags_json);
  const std::string id = target.id;
  if (target.title == row.title && target.content == row.content && target.memory_type == row.memory_type &&
      target.tags_json == *changes.tags_json) {
    // The very same memory again: nothing to keep in a version (a retry without a
    // request_id must not pile up identical versions).
    json::value same = MemoryResult(target);
    same.as_object()["merged_into"] = id;
    return same;
  }
  MemoryService::Reply result = ApplyChanges(call, std::move(target), changes);
  if (result.ok()) result->as_object()["merged_into"] = id;
  return result;
}

}  // namespace

MemoryService::Reply MemoryService::WriteMemory(const Caller& caller, const Key& key, NewMemory memory,
                                                std::optional<PoolKind> share, std::optional<bool> merge_similar) {
  Result<NewMemory> checked = CheckNewMemory(std::move(memory));
  if (!checked.ok()) return checked.status();
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    store::MemoryRow row = NewRow(call, *checked);
    if (share) {
      Result<std::string> pool = CallersPool(call, *share, "share_scope");
      if (!pool.ok()) return pool.status();
      (*share == PoolKind::kOrg ? row.shared_with_org_id : row.shared_with_team_id) = *pool;
      row.shared_at = call.now;
    }
    bool merge = false;
    if (merge_similar) {
      merge = *merge_similar;
    } else {
      Result<bool> user_default = store::UserMergesSimilar(call.conn, call.user.id);
      if (!user_default.ok()) return user_default.status();
      merge = *user_default;
    }
    if (merge) {
      Result<std::optional<store::MemoryRow>> target = MergeTarget(call, row);
      if (!target.ok()) return target.status();
      std::optional<std::string> tags = *target ? MergedTags(**target, row) : std::nullopt;
      if (tags) return MergeInto(call, std::move(**target), row, std::move(*tags));
      // No twin, or too many tags together: the memory is written on its own.
    }
    RM_RETURN_IF_ERROR(CheckMemoryQuota(call));
    RM_RETURN_IF_ERROR(Touch(call, row.id));
    RM_RETURN_IF_ERROR(store::InsertMemory(call.conn, row));
    // Answered from what was written, not re-read: an agent may write a memory
    // its own vendor is not allowed to see (allowed_vendors without it).
    return MemoryResult(row);
  });
}

MemoryService::Reply MemoryService::WriteChildMemory(const Caller& caller, const Key& key,
                                                     const std::string& parent_id,
                                                     NewMemory memory) {
  Result<NewMemory> checked = CheckNewMemory(std::move(memory));
  if (!checked.ok()) return checked.status();
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> parent = FindVisible(call, parent_id);
    if (!parent.ok()) return parent.status();
    if (parent->parent_memory_id) {
      return Status::InvalidArgument(
          "parent_memory_id: memory '" + parent_id + "' is itself a reply; threads have one "
          "level, so reply to its parent '" + *parent->parent_memory_id + "' instead");
    }
    store::MemoryRow row = NewRow(call, *checked);
    row.parent_memory_id = parent->id;
    // Replies live where their parent lives (SPEC §3).
    row.shared_with_org_id = parent->shared_with_org_id;
    row.shared_with_team_id = parent->shared_with_team_id;
    row.shared_at = parent->shared_at;
    RM_RETURN_IF_ERROR(CheckMemoryQuota(call));
    RM_RETURN_IF_ERROR(Touch(call, row.id));
    RM_RETURN_IF_ERROR(store::InsertMemory(call.conn, row));
    return MemoryResult(row);
  });
}

MemoryService::Reply MemoryService::UpdateMemory(const Caller& caller, const Key& key,
                                                 const std::string& id, MemoryEdit edit) {
  store::MemoryChanges changes;
  if (edit.title) {
    RM_RETURN_IF_ERROR(CheckTitle(*edit.title));
    changes.title = edit.title;
  }
  if (edit.content) {
    RM_RETURN_IF_ERROR(CheckContent(*edit.content));
    changes.content = edit.content;
  }
  if (edit.memory_type) {
    RM_RETURN_IF_ERROR(CheckMemoryType(*edit.memory_type));
    changes.memory_type = edit.memory_type;
  }
  if (edit.tags) {
    Result<std::vector<std::string>> tags = NormalizeTags(*edit.tags);
    if (!tags.ok()) return tags.status();
    changes.tags_json = ToJsonText(*tags);
  }
  if (edit.allowed_vendors) {
    Result<std::vector<std::string>> vendors = NormalizeVendors(*edit.allowed_vendors);
    if (!vendors.ok()) return vendors.status();
    changes.allowed_vendors_json = ToJsonText(*vendors);
  }
  if (!changes.title && !changes.content && !changes.memory_type && !changes.tags_json &&
      !changes.allowed_vendors_json) {
    return Status::InvalidArgument(
        "nothing to update: give at least one of title, content, tags, memory_type, "
        "allowed_vendors");
  }
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = FindVisible(call, id);
    if (!memory.ok()) return memory.status();
    RM_RETURN_IF_ERROR(CheckMayChange(call, *memory, Change::kEdit));
    if (memory->user_id != call.user.id) call.changed_authors.push_back(memory->user_id);
    return ApplyChanges(call, std::move(*memory), changes);
  });
}

MemoryService::Reply MemoryService::DeleteMemory(const Caller& caller, const Key& key,
                                                 const std::string& id, bool permanent,
                                                 const Precondition& precondition) {
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    if (precondition) RM_RETURN_IF_ERROR(precondition(call.conn));
    // A permanent delete may target a memory already in the trash.
    Result<store::MemoryRow> memory =
        FindVisible(call, id, permanent ? store::TrashFilter::kAny : store::TrashFilter::kLiveOnly);
    if (!memory.ok()) return memory.status();
    RM_RETURN_IF_ERROR(CheckMayChange(call, *memory, Change::kAuthorOnly));
    RM_RETURN_IF_ERROR(Touch(call, id));
    // Counts what the caller can see: the cascade also reaches replies hidden from
    // it (another vendor's, or in a pool the caller left), which a count must not reveal.
    Result<std::int64_t> affected =
        permanent ? store::DeleteMemoryWithReplies(call.conn, call.viewer, id)
                  : store::TrashWithReplies(call.conn, call.viewer, id, call.now);
    if (!affected.ok()) return affected.status();
    return json::value(json::object{{"id", id},
                        {"deleted", true},
                        {"permanent", permanent},
                        {"memories_affected", *affected}});
  });
}

MemoryService::Reply MemoryService::RestoreMemory(const Caller& caller, const Key& key,
                                                  const std::string& id) {
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = FindVisible(call, id, store::TrashFilter::kTrashOnly);
    if (!memory.ok()) return memory.status();
    RM_RETURN_IF_ERROR(CheckMayChange(call, *memory, Change::kAuthorOnly));
    if (memory->parent_memory_id) {
      Result<std::optional<store::MemoryRow>> parent = store::FindVisibleMemory(
          call.conn, call.viewer, *memory->parent_memory_id, store::TrashFilter::kLiveOnly);
      if (!parent.ok()) return parent.status();
      if (!*parent) {
        // Not "in the trash" for sure: the parent may be live but no longer visible
        // to this caller (moved to a pool the caller is not in).
        return Status::FailedPrecondition("memory '" + id + "' is a reply whose parent '" +
                                          *memory->parent_memory_id +
                                          "' is in the trash or not visible to you; restore the parent "
                                          "first (the replies its delete trashed come back with it)");
      }
    }
    RM_RETURN_IF_ERROR(Touch(call, id));
    // Only what this memory's delete trashed: a reply its author trashed before stays
    // in the trash. Counted as the caller sees it, as for delete.
    Result<std::int64_t> affected = store::RestoreWithReplies(call.conn, call.viewer, id, call.now);
    if (!affected.ok()) return affected.status();
    Reply result = Reread(call, id);
    if (!result.ok()) return result;
    result->as_object()["memories_affected"] = *affected;
    return result;
  });
}

MemoryService::Reply MemoryService::ShareMemory(const Caller& caller, const Key& key,
                                                const std::string& id, PoolKind pool) {
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = SharingTarget(call, id, "share");
    if (!memory.ok()) return memory.status();
    Result<std::string> target = CallersPool(call, pool, "scope");
    if (!target.ok()) return target.status();
    store::Sharing sharing;  // org and team are exclusive: setting one clears the other
    (pool == PoolKind::kOrg ? sharing.org_id : sharing.team_id) = *target;
    sharing.shared_at = call.now;
    RM_RETURN_IF_ERROR(Touch(call, id));
    return Moved(call, id, store::SetSharingWithOwnReplies(call.conn, call.viewer, id, sharing, call.now));
  });
}

MemoryService::Reply MemoryService::UnshareMemory(const Caller& caller, const Key& key,
                                                  const std::string& id,
                                                  std::optional<PoolKind> pool) {
  return Execute(caller, key, UsageOperation::kMemoryWrite, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = SharingTarget(call, id, "unshare");
    if (!memory.ok()) return memory.status();
    const bool org = memory->shared_with_org_id.has_value();
    const bool team = memory->shared_with_team_id.has_value();
    if ((!org && !team) || (pool == PoolKind::kOrg && !org) || (pool == PoolKind::kTeam && !team)) {
      return Status::InvalidArgument(
          "memory_id: '" + id + "' is not shared" +
          (pool ? " with your " + std::string(PoolName(*pool)) : std::string()) +
          (org ? " (it is shared with your org)" : team ? " (it is shared with your team)" : ""));
    }
    RM_RETURN_IF_ERROR(Touch(call, id));
    return Moved(call, id, store::SetSharingWithOwnReplies(call.conn, call.viewer, id, {}, call.now));
  });
}

}  // namespace rm::tools
