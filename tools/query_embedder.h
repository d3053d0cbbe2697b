// A search's query as a vector, on the search path of hybrid search (issue 17):
// short and never in the way. One request with a short deadline (query_timeout,
// 300 ms by default), asked before the search's store transaction opens; after a
// failure or a timeout, the key's provider is skipped for query_breaker (30 s) so a
// provider that is down costs one slow search, not every search. Any failure
// leaves the search full-text only, with a warning log (never the key).
//
// Recent query vectors are kept (a small LRU per key and model): the next pages of a
// hybrid search need the same vector, and a repeated query costs no request.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/llm_keys.h"
#include "tools/embedding_worker.h"

namespace rm::tools {

class QueryEmbedder {
 public:
  explicit QueryEmbedder(EmbeddingOptions options, std::size_t cache_entries = 256);

  // The vector of `text` from the provider of `key` (a key with an embeddings
  // model); nullopt when the provider is skipped (breaker open), fails or is slow.
  std::optional<std::vector<float>> Embed(const store::LlmKeyRow& key, const std::string& text);

 private:
  using Clock = std::chrono::steady_clock;
  std::optional<std::vector<float>> Cached(const std::string& cache_key);
  void Remember(const std::string& cache_key, const std::vector<float>& vector);

  EmbeddingOptions options_;
  std::size_t cache_entries_;
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> skip_until_;  // key id → breaker open until
  std::list<std::pair<std::string, std::vector<float>>> recent_;  // most recent first
  std::unordered_map<std::string, decltype(recent_)::iterator> by_key_;
};

}  // namespace rm::tools
