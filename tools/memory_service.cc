#include "tools/memory_service.h"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "store/idempotency_repository.h"
#include "store/orgs.h"
#include "store/plans.h"
#include "store/server_secrets.h"
#include "store/usage_repository.h"
#include "tools/memory_input.h"
#include "tools/service_call.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::tools {
namespace json = boost::json;

MemoryService::MemoryService(store::Store& db, ServiceOptions options)
    : db_(db),
      options_(std::move(options)),
      live_(LiveChanges::Create(db, options_.live_limits)),
      query_embedder_(options_.embeddings.cipher ? std::make_unique<QueryEmbedder>(options_.embeddings) : nullptr),
      vectors_(options_.embeddings.cipher ? std::make_unique<VectorCache>() : nullptr),
      embeddings_(options_.embeddings.cipher ? std::make_unique<EmbeddingWorker>(db, options_.embeddings) : nullptr),
      topics_(std::make_unique<TopicClusters>(db, options_.topic_clusters)) {}

std::string MemoryService::UrlOf(const std::string& id) const {
  if (options_.public_base_url.empty()) return "memory://" + id;
  return options_.public_base_url + id;
}

Result<const CursorCodec*> MemoryService::Cursors() {
  std::lock_guard<std::mutex> lock(cursors_mutex_);
  if (!cursors_) {
    std::string secret;
    RM_RETURN_IF_ERROR(db_.Write([&](store::Connection& conn) -> Status {
      Result<std::string> stored = store::LoadOrCreateServerSecret(conn, "cursor");
      if (!stored.ok()) return stored.status();
      secret = std::move(*stored);
      return Status::Ok();
    }));
    Result<SealedBox> box = SealedBox::FromHexSecret(secret);
    if (!box.ok()) return box.status();
    cursors_.emplace(std::move(*box));
  }
  return &*cursors_;
}

namespace {

// The calling user as stored now (plan, org, team); Unauthenticated if deleted.
Result<store::User> CallingUser(store::Connection& conn, const Caller& caller) {
  Result<store::User> user = store::FindUserById(conn, caller.user_id);
  if (!user.ok() && user.status().code() == Status::Code::kNotFound) {
    return Status::Unauthenticated("the calling user no longer exists");
  }
  return user;
}

// Before any work: a call the client already gave up on does nothing.
Status NotCancelled(const Caller& caller) {
  if (!caller.hooks.StopRequested()) return Status::Ok();
  return Status::Cancelled("the call was cancelled before it started; nothing was done");
}

void SendWarnings(const Caller& caller, const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) caller.hooks.Warn(warning);
}

store::UsageEvent UsageEventOf(const Caller& caller, store::UsageOperation operation, const std::string& now) {
  store::UsageEvent event;
  event.id = NewTimeOrderedUuid();
  event.user_id = caller.user_id;
  event.operation = operation;
  event.origin = caller.origin;
  event.created_at = now;
  return event;
}

// What the call changed, inside its transaction: each touched thread as it is now
// against how Touch() found it. A thread's root always counts as changed; a reply
// only when its access columns changed (a cascade reached it).
Result<std::vector<MemoryChange>> ChangesOf(ServiceCall& call) {
  std::map<std::string, MemoryChange> by_id;
  std::set<std::string> roots(call.touched.begin(), call.touched.end());
  for (store::MemoryAccess& a : call.before) {
    MemoryChange& c = by_id[a.id];
    c.memory_id = a.id;
    c.before = std::move(a);
  }
  for (const std::string& root : roots) {
    Result<std::vector<store::MemoryAccess>> now = store::ReadThreadAccess(call.conn, root);
    if (!now.ok()) return now.status();
    for (store::MemoryAccess& a : *now) {
      MemoryChange& c = by_id[a.id];
      c.memory_id = a.id;
      c.after = std::move(a);
    }
  }
  std::vector<MemoryChange> changes;
  for (auto& [id, c] : by_id) {
    if (roots.count(id) == 0 && c.before == c.after) continue;
    changes.push_back(std::move(c));
  }
  return changes;
}

}  // namespace

Status Touch(ServiceCall& call, const std::string& root_id) {
  if (!call.track_changes) return Status::Ok();
  for (const std::string& t : call.touched) {
    if (t == root_id) return Status::Ok();
  }
  call.touched.push_back(root_id);
  Result<std::vector<store::MemoryAccess>> now = store::ReadThreadAccess(call.conn, root_id);
  if (!now.ok()) return now.status();
  for (store::MemoryAccess& a : *now) call.before.push_back(std::move(a));
  return Status::Ok();
}

MemoryService::Reply MemoryService::Execute(const Caller& caller, const Key& key,
                                            store::UsageOperation operation, const Body& body) {
  if (!key && operation != store::UsageOperation::kMemoryWrite) return ExecuteRead(caller, operation, body);
  if (key) RM_RETURN_IF_ERROR(CheckRequestId(key->request_id));
  RM_RETURN_IF_ERROR(NotCancelled(caller));
  std::optional<json::value> reply;
  std::vector<std::string> warnings;
  std::vector<MemoryChange> changes;
  std::vector<std::string> embed_authors;  // whose memories may need new vectors
  Status status = db_.Write([&](store::Connection& conn) -> Status {
    // The store may run this function more than once (PostgreSQL retries a transaction
    // that lost a race or its connection): only the last, committed run's outcome counts.
    reply.reset();
    warnings.clear();
    changes.clear();
    embed_authors.clear();
    // Again now that its turn in the group commit came: until here it has done
    // nothing, and failing leaves the other writes of the batch untouched.
    RM_RETURN_IF_ERROR(NotCancelled(caller));
    Result<store::User> user = CallingUser(conn, caller);
    if (!user.ok()) return user.status();
    if (key) {
      Result<std::optional<store::IdempotencyRecord>> earlier =
          store::FindIdempotencyRecord(conn, caller.user_id, key->request_id);
      if (!earlier.ok()) return earlier.status();
      if (*earlier) {
        if ((*earlier)->request_hash != key->fingerprint) {
          return Status::Conflict("request_id '" + key->request_id +
                                  "' was already used for a different request; use a new "
                                  "request_id for a new request");
        }
        boost::system::error_code ec;
        reply = json::parse((*earlier)->result_json, ec);
        if (ec) return Status::Internal("a stored idempotent result is not JSON");
        return Status::Ok();  // the first call's result; nothing applied, nothing metered
      }
    }

    ServiceCall call{conn, caller, std::move(*user), {}, NowUtc()};
    call.viewer = {call.user.id, call.user.org_id, call.user.team_id, caller.vendor};
    call.track_changes = live_->listening();
    Reply result = body(call);
    if (!result.ok()) return result.status();
    if (call.track_changes && !call.touched.empty()) {
      Result<std::vector<MemoryChange>> made = ChangesOf(call);
      if (!made.ok()) return made.status();
      changes = std::move(*made);
    }

    store::UsageEvent event = UsageEventOf(caller, operation, call.now);
    // usage_events.request_id is UNIQUE across users: scope it to the user.
    if (key) event.request_key = caller.user_id + ":" + key->request_id;
    RM_RETURN_IF_ERROR(store::RecordUsage(conn, event));

    if (key) {
      RM_RETURN_IF_ERROR(store::SaveIdempotencyRecord(
          conn, caller.user_id, key->request_id,
          {key->fingerprint, json::serialize(result.value())}, call.now));
    }
    reply = std::move(result).value();
    warnings = std::move(call.warnings);
    if (operation == store::UsageOperation::kMemoryWrite) {
      embed_authors = std::move(call.changed_authors);
      embed_authors.push_back(caller.user_id);
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (embeddings_) {  // committed: vectors follow in the background, the call does not wait
    for (const std::string& author : embed_authors) embeddings_->Queue(author);
  }
  live_->Publish(std::move(changes));  // committed: listeners may hear of it
  SendWarnings(caller, warnings);  // only now: the write is committed
  return std::move(*reply);
}

// A read's answer does not depend on its usage row, so the caller does not wait for
// a commit: the row (usage_events and monthly_usage, together) goes into the next
// write-behind batch, a couple of milliseconds later, shared with every other read
// metered meanwhile. A read that fails is not metered, as with writes. The price:
// reads answered in the last few milliseconds before the process is killed may go
// unmetered; a graceful stop commits them (docs/RELIABILITY.md).
MemoryService::Reply MemoryService::ExecuteRead(const Caller& caller, store::UsageOperation operation,
                                                const Body& body) {
  std::optional<json::value> reply;
  std::string now;
  // A read the client cancels is interrupted by SQLite, and so is not metered.
  Status status = db_.Read([&](store::Connection& conn) -> Status {
    Result<store::User> user = CallingUser(conn, caller);
    if (!user.ok()) return user.status();
    ServiceCall call{conn, caller, std::move(*user), {}, NowUtc()};
    call.viewer = {call.user.id, call.user.org_id, call.user.team_id, caller.vendor};
    Reply result = body(call);
    if (!result.ok()) return result.status();
    reply = std::move(result).value();
    now = std::move(call.now);
    return Status::Ok();
  }, caller.hooks.should_stop);
  if (!status.ok()) return status;
  read_usage_.Record(UsageEventOf(caller, operation, now));
  return std::move(*reply);
}

Status MemoryService::ReadAs(const Caller& caller, const ReadFn& fn) {
  return db_.Read([&](store::Connection& conn) -> Status {
    Result<store::User> user = CallingUser(conn, caller);
    if (!user.ok()) return user.status();
    return fn(conn, store::Viewer{user->id, user->org_id, user->team_id, caller.vendor});
  }, caller.hooks.should_stop);
}

Result<MemoryService::DeletePreview> MemoryService::PreviewPermanentDelete(const Caller& caller, const Key& key,
                                                                          const std::string& id) {
  DeletePreview preview;
  Status status = db_.Read([&](store::Connection& conn) -> Status {
    Result<store::User> user = CallingUser(conn, caller);
    if (!user.ok()) return user.status();
    if (key) {
      Result<std::optional<store::IdempotencyRecord>> earlier =
          store::FindIdempotencyRecord(conn, caller.user_id, key->request_id);
      if (!earlier.ok()) return earlier.status();
      if (*earlier) {
        preview.already_done = true;
        return Status::Ok();
      }
    }
    ServiceCall call{conn, caller, std::move(*user), {}, NowUtc()};
    call.viewer = {call.user.id, call.user.org_id, call.user.team_id, caller.vendor};
    // As DeleteMemory finds and checks it for a permanent delete.
    Result<store::MemoryRow> memory = FindVisible(call, id, store::TrashFilter::kAny);
    if (!memory.ok()) return memory.status();
    RM_RETURN_IF_ERROR(CheckMayChange(call, *memory, Change::kAuthorOnly));
    // Only the replies the caller can see, as memories_affected counts them.
    Result<std::vector<store::MemoryRow>> replies =
        store::ListVisibleReplies(conn, call.viewer, id, store::TrashFilter::kAny);
    if (!replies.ok()) return replies.status();
    preview.title = memory->title;
    preview.replies = static_cast<std::int64_t>(replies->size());
    return Status::Ok();
  }, caller.hooks.should_stop);
  if (!status.ok()) return status;
  return preview;
}

Status MemoryService::ConsumeRequestState(const RequestState& state) {
  return db_.Write([&](store::Connection& conn) { return request_states_.Consume(conn, state); });
}

// ---------------------------------------------------------------- shared rules

Result<store::MemoryRow> FindVisible(ServiceCall& call, const std::string& id,
                                     store::TrashFilter trash) {
  Result<std::optional<store::MemoryRow>> found =
      store::FindVisibleMemory(call.conn, call.viewer, id, trash);
  if (!found.ok()) return found.status();
  if (!*found) {
    const char* where = trash == store::TrashFilter::kTrashOnly ? " in the trash" : "";
    return Status::NotFound("memory '" + id.substr(0, 80) + "' not found" + where);
  }
  return std::move(**found);
}

Status CheckMayChange(const ServiceCall& call, const store::MemoryRow& memory, Change change) {
  if (change == Change::kAuthorOnly && memory.user_id != call.caller.user_id) {
    return Status::PermissionDenied("memory '" + memory.id +
                                    "' was written by another member of your pool; only its "
                                    "author may delete, restore, share or unshare it");
  }
  if (call.caller.vendor && memory.origin != *call.caller.vendor) {
    return Status::PermissionDenied("memory '" + memory.id + "' was written through '" +
                                    memory.origin + "'; an agent ('" + *call.caller.vendor +
                                    "') may change only memories it wrote. Use an owner key "
                                    "to change it.");
  }
  return Status::Ok();
}

Result<std::int64_t> MemoriesCountedByQuota(store::Connection& conn, const store::User& user) {
  std::optional<store::PlanLimits> limits = store::LimitsOfPlan(user.plan);
  if (limits && limits->memories_counted_per_org && user.org_id) {
    return store::CountMemoriesOfOrgMembers(conn, *user.org_id);
  }
  return store::CountMemoriesOfUser(conn, user.id);
}

Status HoldQuotaCount(store::Connection& conn, const store::User& user) {
  std::optional<store::PlanLimits> limits = store::LimitsOfPlan(user.plan);
  if (limits && limits->memories_counted_per_org && user.org_id) return store::HoldOrgRow(conn, *user.org_id);
  return store::HoldUserRow(conn, user.id);
}

Status CheckMemoryQuota(ServiceCall& call) {
  std::optional<store::PlanLimits> limits = store::LimitsOfPlan(call.user.plan);
  if (!limits || !limits->max_memories) return Status::Ok();
  const bool per_org = limits->memories_counted_per_org && call.user.org_id;
  RM_RETURN_IF_ERROR(HoldQuotaCount(call.conn, call.user));
  Result<std::int64_t> stored = MemoriesCountedByQuota(call.conn, call.user);
  if (!stored.ok()) return stored.status();
  const std::string limit = std::to_string(*limits->max_memories);
  const std::string plan_limit = "the " + call.user.plan + " plan stores at most " + limit + " memories" +
                                 (per_org ? " per org" : "");
  // The count includes memories an agent's vendor may not see (and, per org, other
  // members'), so an agent is told about the limit, never the count (issue 20).
  const bool agent = call.caller.vendor.has_value();
  if (*stored < *limits->max_memories) {
    const std::int64_t after = *stored + 1;  // with the memory about to be added
    if (after * 10 >= *limits->max_memories * 9) {
      call.warnings.push_back(
          agent ? plan_limit + " (trash included), and this account is close to that limit; permanently "
                               "delete some or upgrade the plan"
                : std::to_string(after) + " of the " + limit + " memories the " + call.user.plan + " plan allows" +
                      (per_org ? " per org" : "") +
                      " are used (trash included); permanently delete some or upgrade the plan");
    }
    return Status::Ok();
  }
  return Status::QuotaExceeded(
      plan_limit +
      (agent ? std::string(" and that limit is reached (trash included)")
             : " (" + std::to_string(*stored) + " stored, trash included)") +
      "; permanently delete some or upgrade the plan");
}

Result<NewMemory> CheckNewMemory(NewMemory memory) {
  RM_RETURN_IF_ERROR(CheckTitle(memory.title));
  RM_RETURN_IF_ERROR(CheckContent(memory.content));
  RM_RETURN_IF_ERROR(CheckMemoryType(memory.memory_type));
  Result<std::vector<std::string>> tags = NormalizeTags(memory.tags);
  if (!tags.ok()) return tags.status();
  Result<std::vector<std::string>> vendors = NormalizeVendors(memory.allowed_vendors);
  if (!vendors.ok()) return vendors.status();
  memory.tags = std::move(*tags);
  memory.allowed_vendors = std::move(*vendors);
  return memory;
}

std::string_view PoolName(PoolKind pool) { return pool == PoolKind::kOrg ? "org" : "team"; }

Result<std::string> CallersPool(const ServiceCall& call, PoolKind pool, std::string_view field) {
  const std::optional<std::string>& id = pool == PoolKind::kOrg ? call.user.org_id : call.user.team_id;
  if (!id) {
    return Status::InvalidArgument(std::string(field) + ": you are not a member of " +
                                   (pool == PoolKind::kOrg ? "an org" : "a team") +
                                   ", so there is no " + std::string(PoolName(pool)) +
                                   " pool to use");
  }
  return *id;
}

// ---------------------------------------------------------------- fingerprints

namespace {
json::value Canonical(const json::value& v) {
  if (v.is_object()) {
    std::vector<std::pair<std::string, const json::value*>> members;
    for (const auto& m : v.get_object()) members.emplace_back(std::string(m.key()), &m.value());
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    json::object out;
    for (const auto& [k, value] : members) out[k] = Canonical(*value);
    return out;
  }
  if (v.is_array()) {
    json::array out;
    for (const json::value& item : v.get_array()) out.push_back(Canonical(item));
    return out;
  }
  return v;
}
}  // namespace

std::string RequestFingerprint(std::string_view tool, const json::object& arguments,
                               const std::optional<std::string>& vendor) {
  json::object rest = arguments;
  rest.erase("request_id");
  // An owner key has no vendor; "*" is no vendor name (store/validation.h), so
  // it cannot collide with one.
  return Sha256Hex(std::string(tool) + "\n" + vendor.value_or("*") + "\n" + json::serialize(Canonical(rest)));
}

}  // namespace rm::tools
