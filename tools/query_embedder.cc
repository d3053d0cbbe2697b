#include "tools/query_embedder.h"

#include <spdlog/spdlog.h>

#include "tools/embedding_provider.h"

namespace rm::tools {

QueryEmbedder::QueryEmbedder(EmbeddingOptions options, std::size_t cache_entries)
    : options_(std::move(options)), cache_entries_(cache_entries) {}

std::optional<std::vector<float>> QueryEmbedder::Cached(const std::string& cache_key) {
  auto it = by_key_.find(cache_key);
  if (it == by_key_.end()) return std::nullopt;
  recent_.splice(recent_.begin(), recent_, it->second);
  return it->second->second;
}

void QueryEmbedder::Remember(const std::string& cache_key, const std::vector<float>& vector) {
  if (cache_entries_ == 0 || by_key_.count(cache_key)) return;
  recent_.emplace_front(cache_key, vector);
  by_key_[cache_key] = recent_.begin();
  if (recent_.size() > cache_entries_) {
    by_key_.erase(recent_.back().first);
    recent_.pop_back();
  }
}

std::optional<std::vector<float>> QueryEmbedder::Embed(const store::LlmKeyRow& key, const std::string& text) {
  if (!options_.cipher || !key.embedding_model) return std::nullopt;
  const std::string cache_key =
      key.id + '\n' + key.updated_at + '\n' + *key.embedding_model + '\n' + key.base_url.value_or("") + '\n' + text;
  {
    std::lock_guard lock(mutex_);
    if (auto hit = Cached(cache_key)) return hit;
    auto open = skip_until_.find(key.id);
    if (open != skip_until_.end()) {
      if (Clock::now() < open->second) return std::nullopt;  // the breaker: full text only for now
      skip_until_.erase(open);
    }
  }
  Result<EmbeddingEndpoint> endpoint = EmbeddingEndpointOf(*options_.cipher, key);
  Result<std::vector<std::vector<float>>> vectors =
      endpoint.ok() ? tools::Embed(*endpoint, {text}, options_.query_timeout)
                    : Result<std::vector<std::vector<float>>>(endpoint.status());
  std::lock_guard lock(mutex_);
  if (!vectors.ok()) {
    skip_until_[key.id] = Clock::now() + options_.query_breaker;
    spdlog::warn("semantic search: the embeddings provider of LLM key {} failed ({}); searches use full text alone "
                 "for the next {} s",
                 key.id, vectors.status().message(),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.query_breaker).count());
    return std::nullopt;
  }
  Remember(cache_key, vectors->front());
  return std::move(vectors->front());
}

}  // namespace rm::tools
