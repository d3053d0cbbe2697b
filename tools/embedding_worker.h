// Memories' vectors for opt-in semantic search (issue 17, SPEC §11), computed in
// the background after writes commit: a write never waits for the provider, and a
// memory without a vector is still found by full text.
//
// A memory is embedded with its author's key (store::FindEmbeddingKey: the user's own
// key with an embeddings model, else their org's), and its vector records the model;
// search compares a query only with vectors of its own model. A memory needs a
// (new) vector when it has none, its vector is of another model, or it changed since
// (store::ListMemoriesToEmbed) — and the provider is asked only when what is embedded
// (title, tags, content) changed, by its SHA-256.
//
// After a write, MemoryService queues its user; one thread embeds that user's stale
// memories in batches of at most 64 per request, outside any transaction (read the
// batch on a snapshot, ask the provider, store the vectors in a short write). A
// provider failure is logged as a warning (never the key) and the user is tried
// again later, with backoff (first_retry doubling up to max_retry).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/database.h"
#include "util/llm_key_cipher.h"
#include "util/status.h"

namespace rm::tools {

struct EmbeddingOptions {
  // Opens stored LLM keys; empty: semantic search is off for everyone.
  std::shared_ptr<const LlmKeyCipher> cipher;
  std::size_t batch_size = 64;                 // inputs per provider request (≤ 64)
  std::chrono::milliseconds timeout{15000};    // one provider request, in the background
  std::chrono::milliseconds first_retry{2000};
  std::chrono::milliseconds max_retry{300000};
  // The search path: how long a query's embedding may take, and how long the
  // provider is skipped after a failure or a timeout (tools/query_embedder.h).
  std::chrono::milliseconds query_timeout{300};
  std::chrono::milliseconds query_breaker{30000};
};

// What one pass over a user's stale memories did.
struct EmbeddingPass {
  bool enabled = false;        // the user has a key with an embeddings model
  std::int64_t embedded = 0;   // vectors asked of the provider and stored
  std::int64_t unchanged = 0;  // marked current without the provider (same text, same model)
};

// Embeds every stale memory of `user_id`, synchronously; `progress(done, total)`
// after each batch. Stops at the first provider failure (returned; what was stored
// before it stays), or before a batch once `stop()` says so (a server shutting down
// waits for one request at most). Used by the worker and by `reflect-memory reindex`.
Result<EmbeddingPass> EmbedStaleMemories(store::Store& db, const LlmKeyCipher& cipher, const std::string& user_id,
                                         const EmbeddingOptions& options,
                                         const std::function<void(std::int64_t, std::int64_t)>& progress = {},
                                         const std::function<bool()>& stop = {});

class EmbeddingWorker {
 public:
  EmbeddingWorker(store::Store& db, EmbeddingOptions options);
  ~EmbeddingWorker();  // waits for the provider request in progress, drops the rest
  EmbeddingWorker(const EmbeddingWorker&) = delete;
  EmbeddingWorker& operator=(const EmbeddingWorker&) = delete;

  // Embeds `user_id`'s stale memories soon, on the worker's thread; returns at once.
  void Queue(const std::string& user_id);

  // Blocks until no user is queued (retries due later excepted) and no pass runs (tests).
  void WaitIdle();

 private:
  using Clock = std::chrono::steady_clock;
  void Run();

  store::Store& db_;
  EmbeddingOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Clock::time_point> due_;             // user → when to embed
  std::map<std::string, std::chrono::milliseconds> backoff_;  // user → next retry delay
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;  // started by the first Queue
};

}  // namespace rm::tools
