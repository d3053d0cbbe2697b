#include "tools/embedding_worker.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "store/llm_keys.h"
#include "store/memory_vectors.h"
#include "store/users.h"
#include "tools/embedding_provider.h"

namespace rm::tools {

Result<EmbeddingPass> EmbedStaleMemories(store::Store& db, const LlmKeyCipher& cipher, const std::string& user_id,
                                         const EmbeddingOptions& options,
                                         const std::function<void(std::int64_t, std::int64_t)>& progress,
                                         const std::function<bool()>& stop) {
  EmbeddingPass pass;
  std::optional<store::LlmKeyRow> key;
  std::int64_t total = 0;
  RM_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    Result<store::User> user = store::FindUserById(conn, user_id);
    if (!user.ok()) return user.status();
    Result<std::optional<store::LlmKeyRow>> found = store::FindEmbeddingKey(conn, user->id, user->org_id);
    if (!found.ok()) return found.status();
    key = std::move(*found);
    if (!key) return Status::Ok();
    Result<std::int64_t> stale = store::CountMemoriesToEmbed(conn, user_id, *key->embedding_model);
    if (!stale.ok()) return stale.status();
    total = *stale;
    return Status::Ok();
  }));
  if (!key) return pass;
  pass.enabled = true;
  if (total == 0) return pass;
  Result<EmbeddingEndpoint> endpoint = EmbeddingEndpointOf(cipher, *key);
  if (!endpoint.ok()) return endpoint.status();
  const std::string& model = endpoint->model;
  const std::size_t batch = std::clamp<std::size_t>(options.batch_size, 1, kMaxEmbeddingBatch);

  // Each batch leaves fewer memories stale unless they change meanwhile: the bound
  // only keeps a user who edits without pause from holding the worker forever.
  const std::int64_t max_batches = total / static_cast<std::int64_t>(batch) + 16;
  for (std::int64_t round = 0; round < max_batches; ++round) {
    if (stop && stop()) break;
    std::vector<store::MemoryToEmbed> stale;
    RM_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
      Result<std::vector<store::MemoryToEmbed>> listed =
          store::ListMemoriesToEmbed(conn, user_id, model, static_cast<int>(batch));
      if (!listed.ok()) return listed.status();
      stale = std::move(*listed);
      return Status::Ok();
    }));
    if (stale.empty()) break;
    std::vector<std::string> inputs;
    for (const auto& m : stale) {
      if (!m.UnchangedFor(model)) inputs.push_back(m.text);
    }
    std::vector<std::vector<float>> vectors;
    if (!inputs.empty()) {  // outside any transaction: the provider may take seconds
      Result<std::vector<std::vector<float>>> embedded = Embed(*endpoint, inputs, options.timeout);
      if (!embedded.ok()) return embedded.status();
      vectors = std::move(*embedded);
    }
    RM_RETURN_IF_ERROR(db.Write([&](store::Connection& conn) -> Status {
      std::size_t next = 0;
      for (const auto& m : stale) {
        if (m.UnchangedFor(model)) {
          RM_RETURN_IF_ERROR(store::MarkVectorCurrent(conn, m.memory_id, m.memory_updated_at));
        } else {
          RM_RETURN_IF_ERROR(store::UpsertVector(
              conn, {m.memory_id, model, m.content_hash, m.memory_updated_at, std::move(vectors[next++])}));
        }
      }
      return Status::Ok();
    }));
    pass.embedded += static_cast<std::int64_t>(inputs.size());
    pass.unchanged += static_cast<std::int64_t>(stale.size() - inputs.size());
    if (progress) progress(pass.embedded + pass.unchanged, std::max(total, pass.embedded + pass.unchanged));
  }
  return pass;
}

EmbeddingWorker::EmbeddingWorker(store::Store& db, EmbeddingOptions options)
    : db_(db), options_(std::move(options)) {}

EmbeddingWorker::~EmbeddingWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EmbeddingWorker::Queue(const std::string& user_id) {
  if (!options_.cipher) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    // A user already waiting (or waiting for a retry after a failure) keeps their
    // time: writes do not hammer a provider that is down.
    due_.emplace(user_id, Clock::now());
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  changed_.notify_all();
}

void EmbeddingWorker::WaitIdle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] {
    if (stopping_) return true;
    if (running_) return false;
    const auto now = Clock::now();
    return std::none_of(due_.begin(), due_.end(), [&](const auto& d) { return d.second <= now; });
  });
}

void EmbeddingWorker::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock, [&] { return stopping_ || !due_.empty(); });
      continue;
    }
    auto next = std::min_element(due_.begin(), due_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    if (next->second > Clock::now()) {
      changed_.wait_until(lock, next->second);
      continue;
    }
    const std::string user_id = next->first;
    due_.erase(next);
    running_ = true;
    lock.unlock();
    Result<EmbeddingPass> pass = EmbedStaleMemories(db_, *options_.cipher, user_id, options_, {}, [this] {
      std::lock_guard stop_lock(mutex_);
      return stopping_;
    });
    lock.lock();
    running_ = false;
    if (pass.ok()) {
      backoff_.erase(user_id);
    } else {
      auto delay = backoff_.try_emplace(user_id, options_.first_retry).first;
      spdlog::warn(
          "semantic search: could not embed the memories of user {} ({}); full-text search still finds them; "
          "trying again in {} ms",
          user_id, pass.status().message(), delay->second.count());
      due_[user_id] = Clock::now() + delay->second;
      delay->second = std::min(delay->second * 2, options_.max_retry);
    }
    changed_.notify_all();
  }
}

}  // namespace rm::tools
