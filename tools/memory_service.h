// MemoryService: every memory operation, with every rule of SPEC §3 and §4
// applied in ONE place and ONE transaction.
//
// Each tool call runs as one Database::Write function, in this order:
//   1. the caller's account, fresh (plan, org, team) — an unknown user is refused;
//   2. idempotency: a request_id this user used before returns the first result
//      (or idempotency_conflict if the arguments differ) and nothing else happens;
//   3. the operation: validation, visibility (store/memory_visibility.h: pools and
//      vendor filter — a hidden memory is "not found"), ownership, quota, the
//      version snapshot, the change;
//   4. the usage event + monthly_usage;
//   5. the idempotency record.
// A failure at any step rolls the function back: nothing is written and nothing
// is metered. Group commit serializes the functions, so two calls with one
// request_id arriving together still apply once.
//
// Results are the tools' structured JSON (what is replayed for a repeated
// request_id). Errors are Status codes; tools/tool_results.h maps them to tool
// errors (kConflict is idempotency_conflict).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "store/database.h"
#include "store/memory_visibility.h"
#include "store/usage_recorder.h"
#include "store/usage_repository.h"
#include "tools/cursor.h"
#include "tools/embedding_worker.h"
#include "tools/live_changes.h"
#include "tools/principal.h"
#include "tools/query_embedder.h"
#include "tools/request_state.h"
#include "tools/topic_clusters.h"
#include "tools/vector_cache.h"
#include "util/status.h"

namespace rm::tools {

struct ServiceOptions {
  // Base of the `url` that search/fetch return ("https://memory.example.com/m/"):
  // url = base + id. Empty: memory://{id}.
  std::string public_base_url;
  // K of store/search_repository.h: ranking looks at the newest K matches (and every match of a rare word).
  int search_candidate_limit = 1000;
  // The totals in the `initialize` instructions count no further than this ("10000+"):
  // every session starts by building them, and a count walks every visible memory (at
  // 158,000 memories the four counts took about 200 ms). get_memory_briefing counts all.
  std::int64_t instructions_count_cap = 10000;
  // Sealed state of multi-round-trip confirmations (tools/request_state.h): lifetime,
  // secret rotation, clock.
  RequestStateOptions request_states;
  // Listeners per credential, and changes waiting for the dispatcher (tools/live_changes.h).
  LiveChanges::Limits live_limits = {};
  // When topic clusters are recomputed (tools/topic_clusters.h).
  TopicClusters::Options topic_clusters = {};
  // Opt-in semantic search (tools/embedding_worker.h, tools/query_embedder.h): off
  // without a cipher to open stored LLM keys, and for users without an embeddings model.
  EmbeddingOptions embeddings = {};
};

// What makes a call idempotent: the user's request_id and a fingerprint of what
// was asked and by which vendor; see RequestFingerprint().
struct RequestKey {
  std::string request_id;
  std::string fingerprint;
};

struct NewMemory {
  std::string title;
  std::string content;
  std::vector<std::string> tags;
  std::string memory_type = "semantic";
  std::vector<std::string> allowed_vendors = {"*"};
};

struct MemoryEdit {
  std::optional<std::string> title;
  std::optional<std::string> content;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> memory_type;
  std::optional<std::vector<std::string>> allowed_vendors;
};

enum class PoolKind { kOrg, kTeam };

struct PageRequest {
  int limit = 10;
  std::optional<std::string> cursor;
  store::Scope scope = store::Scope::kAll;
};

struct SearchArgs {
  std::string term;
  std::vector<std::string> tags;
  std::optional<std::string> memory_type;
  std::optional<std::string> created_after;
  std::optional<std::string> created_before;
  store::Scope scope = store::Scope::kAll;
  int limit = 10;
  std::optional<std::string> cursor;
};

struct ServiceCall;  // one call inside its transaction (tools/service_call.h)

class MemoryService {
 public:
  using Reply = Result<boost::json::value>;
  using Key = std::optional<RequestKey>;

  explicit MemoryService(store::Store& db, ServiceOptions options = {});

  // --- writes (usage: memory_write)
  // merge_similar (nullopt: the user's default): a near-identical recent memory of
  // the caller's (tools/near_duplicate.h) is updated instead, a new version, and the
  // result says merged_into.
  Reply WriteMemory(const Caller& caller, const Key& key, NewMemory memory, std::optional<PoolKind> share,
                    std::optional<bool> merge_similar = std::nullopt);
  Reply WriteChildMemory(const Caller& caller, const Key& key, const std::string& parent_id,
                         NewMemory memory);
  Reply UpdateMemory(const Caller& caller, const Key& key, const std::string& id, MemoryEdit edit);
  // Runs inside an operation's transaction before it changes anything; a failure
  // rolls the whole call back (e.g. RequestStates::Consume for a confirmed delete).
  using Precondition = std::function<Status(store::Connection&)>;
  Reply DeleteMemory(const Caller& caller, const Key& key, const std::string& id, bool permanent,
                     const Precondition& precondition = {});
  // What a permanent delete of `id` would remove, to ask a person to confirm it: the
  // memory's title and how many replies the caller can see. Fails as DeleteMemory
  // would (not_found, permission_denied), on a read snapshot; not metered.
  // `already_done`: `key` names a request_id this user already used, so the call is a
  // replay (DeleteMemory answers it from the idempotency record without asking).
  struct DeletePreview {
    bool already_done = false;
    std::string title;
    std::int64_t replies = 0;
  };
  Result<DeletePreview> PreviewPermanentDelete(const Caller& caller, const Key& key, const std::string& id);
  // Marks a request state used (its own write transaction): for an answer that
  // changes nothing (a declined confirmation), so the state cannot be used again.
  Status ConsumeRequestState(const RequestState& state);
  Reply RestoreMemory(const Caller& caller, const Key& key, const std::string& id);
  Reply ShareMemory(const Caller& caller, const Key& key, const std::string& id, PoolKind pool);
  // `pool` nullopt: whatever the memory is shared with.
  Reply UnshareMemory(const Caller& caller, const Key& key, const std::string& id,
                      std::optional<PoolKind> pool);

  // --- reads (usage: memory_read)
  Reply GetMemory(const Caller& caller, const Key& key, const std::string& id);
  Reply GetMemoryVersions(const Caller& caller, const Key& key, const std::string& id);
  Reply ReadMemories(const Caller& caller, const Key& key, int limit, store::Scope scope);
  Reply GetLatestMemory(const Caller& caller, const Key& key, const std::optional<std::string>& tag);
  Reply BrowseMemories(const Caller& caller, const Key& key, const PageRequest& page);
  Reply GetMemoriesByTag(const Caller& caller, const Key& key, const std::vector<std::string>& tags,
                         const PageRequest& page);
  Reply ReadThread(const Caller& caller, const Key& key, const std::string& memory_id);
  // The caller's own trash, newest deletion first (the dashboard; MCP lists never show it).
  // For a person on the dashboard only: an agent (a caller with a vendor) gets NotFound.
  Reply ListTrash(const Caller& caller, int limit);
  Reply ReadPoolMemories(const Caller& caller, const Key& key, PoolKind pool, int limit,
                         const std::optional<std::string>& cursor);
  Reply GetBriefing(const Caller& caller, const Key& key, bool markdown);
  Reply GetUsage(const Caller& caller, const Key& key, const std::optional<std::string>& month);
  // The memories of the topic cluster holding `tag` (most recent first) with the
  // cluster's name and tags; NotFound when the caller sees no memory with that tag.
  Reply GetTopicCluster(const Caller& caller, const Key& key, const std::string& tag, int limit,
                        store::Scope scope);
  // A memory's neighbourhood: parent, replies, siblings, tag-similar memories and
  // references in both directions, each one a memory the caller may see.
  Reply GetGraphAround(const Caller& caller, const Key& key, const std::string& id, int min_shared_tags,
                       int top_tag_similar);
  // ChatGPT's fetch (usage: memory_read): {"id","title","text","url","metadata"}.
  Reply Fetch(const Caller& caller, const Key& key, const std::string& id);

  // --- searches (usage: query)
  Reply SearchMemories(const Caller& caller, const Key& key, const SearchArgs& args);
  // ChatGPT's search: {"results":[{"id","title","url"}]}.
  Reply Search(const Caller& caller, const Key& key, const std::string& query);

  // --- not tool calls, so not metered; read-only, vendor-filtered like the rest.
  // The initialize instructions: a markdown briefing of at most `max_bytes`.
  Result<std::string> Instructions(const Caller& caller, std::size_t max_bytes = 2048);
  // Runs `fn` on a read snapshot with the Viewer of `caller` (resources, prompts).
  using ReadFn = std::function<Status(store::Connection&, const store::Viewer&)>;
  Status ReadAs(const Caller& caller, const ReadFn& fn);

  store::Store& database() { return db_; }
  const ServiceOptions& options() const { return options_; }
  // memory://{id}, or the public URL when one is configured.
  std::string UrlOf(const std::string& id) const;
  // The change feed every committed write publishes to (tools/live_changes.h).
  const std::shared_ptr<LiveChanges>& live() const { return live_; }
  // Seals and opens page cursors under the store's "cursor" secret (read, or made,
  // on first use: every process serving one store shares it).
  Result<const CursorCodec*> Cursors();
  // The topic clusters' cache and its background refresh.
  TopicClusters& topics() { return *topics_; }
  // The background embedding of memories; nullptr when semantic search is off.
  EmbeddingWorker* embeddings() { return embeddings_.get(); }

  // Seals and opens multi-round-trip request state (confirmations).
  RequestStates& request_states() { return request_states_; }

 private:
  using Body = std::function<Reply(ServiceCall&)>;
  // Runs one metered operation. A write (and any call with a request_id) runs in one
  // write transaction with its usage event and idempotency record. A read without a
  // request_id runs on a read snapshot, and its usage event is committed right after,
  // batched with other reads' (store::UsageRecorder).
  Reply Execute(const Caller& caller, const Key& key, store::UsageOperation operation,
                const Body& body);
  Reply ExecuteRead(const Caller& caller, store::UsageOperation operation, const Body& body);

  // The query as a vector when the caller's semantic search is on and the provider
  // answers in time (tools/query_embedder.h); asked outside any transaction.
  struct QueryVector {
    std::string model;
    std::vector<float> vector;
  };
  std::optional<QueryVector> QueryVectorFor(const Caller& caller, const std::string& text);

  store::Store& db_;
  ServiceOptions options_;
  store::UsageRecorder read_usage_{db_};  // reads' usage events, committed in batches
  std::mutex cursors_mutex_;
  std::optional<CursorCodec> cursors_;  // set once by Cursors()
  RequestStates request_states_{db_, options_.request_states};
  std::shared_ptr<LiveChanges> live_;
  std::unique_ptr<QueryEmbedder> query_embedder_;  // nullptr: semantic search off
  std::unique_ptr<VectorCache> vectors_;           // nullptr: semantic search off
  std::unique_ptr<EmbeddingWorker> embeddings_;    // nullptr: semantic search off
  std::unique_ptr<TopicClusters> topics_;  // last: its refresh thread stops first
};

// SHA-256 of the tool name, its arguments (request_id left out) in a canonical
// form (object keys sorted, so equal requests match whatever the key order) and
// the vendor asking. The vendor is part of the request because a replay returns
// the first result as it was: a request_id first used by an owner key, replayed by
// an agent key of the same user, would otherwise hand the agent memories its
// vendor may not see. From another vendor it is idempotency_conflict instead.
std::string RequestFingerprint(std::string_view tool, const boost::json::object& arguments,
                               const std::optional<std::string>& vendor);

}  // namespace rm::tools
