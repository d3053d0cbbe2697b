// Internal to the memory service (tools/service_*.cc): one call inside its
// transaction, and the rules every operation shares.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_access.h"
#include "store/memory_records.h"
#include "store/memory_repository.h"
#include "store/memory_visibility.h"
#include "store/users.h"
#include "tools/memory_service.h"
#include "tools/principal.h"
#include "util/status.h"

namespace rm::tools {

struct ServiceCall {
  store::Connection& conn;
  const Caller& caller;
  store::User user;      // read in this transaction: plan, org and team as they are now
  store::Viewer viewer;  // what the store filters by
  std::string now;       // one timestamp for everything this call writes
  // Told to the caller (CallHooks::Warn) once the call has succeeded: a write's
  // warning must not be sent if its transaction is rolled back.
  std::vector<std::string> warnings = {};
  // Authors (besides the caller) of memories this call changed — an edit of a memory
  // shared with a pool: their vectors are re-embedded after the commit
  // (tools/embedding_worker.h embeds a memory with its author's key).
  std::vector<std::string> changed_authors = {};
  // Live changes (tools/live_changes.h), kept only while someone listens: the memories
  // (thread roots) this call changes, and their threads' access columns before the change.
  bool track_changes = false;
  std::vector<std::string> touched = {};
  std::vector<store::MemoryAccess> before = {};
};

// Call before changing (or creating) memory `root_id`: records its thread as it is now,
// so listeners who could read it until this change hear of it (tools/live_changes.h).
Status Touch(ServiceCall& call, const std::string& root_id);

// The memory if the caller may see it (trash as asked); otherwise NotFound —
// also when it exists but is hidden from the caller (SPEC §3: never "forbidden").
Result<store::MemoryRow> FindVisible(ServiceCall& call, const std::string& id,
                                     store::TrashFilter trash = store::TrashFilter::kLiveOnly);

enum class Change {
  kEdit,          // update_memory: the author, or a member of the pool it is shared with
  kAuthorOnly,    // delete, restore, share, unshare: the author only
};
// PermissionDenied unless the caller may make `change` to `memory` (which it can
// see): an agent only changes memories whose origin is its vendor (SPEC §3).
Status CheckMayChange(const ServiceCall& call, const store::MemoryRow& memory, Change change);

// The memories the plan's limit counts for `user`: all they store (trash included),
// or all their org's members store on a plan counted per org.
Result<std::int64_t> MemoriesCountedByQuota(store::Connection& conn, const store::User& user);
// In a write about to add memories: concurrent writers counting against the same limit
// wait for each other from here to their commit (store::HoldUserRow), so the count
// taken next stays true until this write commits.
Status HoldQuotaCount(store::Connection& conn, const store::User& user);

// QuotaExceeded (naming the limit) if the caller's plan allows no more memories.
// Called just before a memory is added; when that memory brings the count to 90 %
// of the limit or more, it queues a warning for the caller (call.warnings).
Status CheckMemoryQuota(ServiceCall& call);

// Validated and normalized (trimmed, deduplicated) copy of a new memory.
Result<NewMemory> CheckNewMemory(NewMemory memory);

// The org or team the caller belongs to, for sharing; InvalidArgument if none.
Result<std::string> CallersPool(const ServiceCall& call, PoolKind pool, std::string_view field);

// "org" / "team".
std::string_view PoolName(PoolKind pool);

}  // namespace rm::tools
