// Memories' embedding vectors (table memory_embeddings, migration 13) for opt-in
// semantic search (issue 17, SPEC §11): what needs (re)embedding, storing vectors,
// and reading the vectors a caller may see. Knows nothing of providers: the worker
// that asks one is tools/embedding_worker.h.
//
// What is embedded for a memory: its title, its tags and its content (EmbeddingText).
// Its SHA-256 is stored with the vector, so a memory whose updated_at moved for
// another reason (sharing, vendors) is marked current without asking the provider.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/memory_visibility.h"
#include "store/search_repository.h"
#include "util/status.h"

namespace rm::store {

// A memory whose vector is missing, of another model, or older than the memory.
struct MemoryToEmbed {
  std::string memory_id;
  std::string memory_updated_at;  // as read: stored with the vector
  std::string text;               // EmbeddingText of the memory
  std::string content_hash;       // SHA-256 (hex) of text
  std::optional<std::string> stored_model;  // the vector there now, if any
  std::optional<std::string> stored_hash;

  // The stored vector is of `model` and of this very text: only its
  // memory_updated_at needs to catch up (MarkVectorCurrent), no provider call.
  bool UnchangedFor(std::string_view model) const {
    return stored_model && *stored_model == model && stored_hash && *stored_hash == content_hash;
  }
};

// What is embedded is cut to this many bytes: models read a few thousand tokens at
// most (OpenAI's 8,191), and a request over a model's limit would fail every time.
inline constexpr std::size_t kMaxEmbeddedBytes = 16000;

// "title\n\ntags: a, b\n\ncontent" (the tags line only when there are tags), cut
// to kMaxEmbeddedBytes at a character boundary.
std::string EmbeddingText(std::string_view title, std::string_view tags_joined, std::string_view content);

// Up to `limit` live (untrashed) memories authored by `user_id` that need a vector
// of `model`, oldest first.
Result<std::vector<MemoryToEmbed>> ListMemoriesToEmbed(Connection& conn, std::string_view user_id,
                                                       std::string_view model, int limit);

// How many live memories of `user_id` need a vector of `model` (reindex's progress).
Result<std::int64_t> CountMemoriesToEmbed(Connection& conn, std::string_view user_id, std::string_view model);

struct StoredVector {
  std::string memory_id;
  std::string model;
  std::string content_hash;
  std::string memory_updated_at;
  std::vector<float> vector;
};

// Stores (or replaces) a memory's vector. A memory deleted since it was read is
// skipped, not an error.
Status UpsertVector(Connection& conn, const StoredVector& stored);

// The stored vector stays; it now stands for the memory as of `memory_updated_at`.
Status MarkVectorCurrent(Connection& conn, std::string_view memory_id, std::string_view memory_updated_at);

// Removes a memory's vector (a permanent delete removes it by cascade anyway).
Status DeleteVector(Connection& conn, std::string_view memory_id);

struct VisibleVector {
  std::int64_t rowid = 0;
  std::string memory_id;
  // Shared: a process keeps recent vectors (tools/vector_cache.h) and a search scores
  // them where they are.
  std::shared_ptr<const std::vector<float>> vector;
};

// A visible memory's stored vector named, not read: which memory, and which version of
// its vector (a new version whenever the vector is replaced: its content hash and when
// it was stored). Listing these reads no vector: a 6 KiB vector spans SQLite overflow
// pages, and reading them was most of a hybrid search's time (BENCHMARKS.md).
struct VisibleVectorRef {
  std::int64_t rowid = 0;
  std::string memory_id;
  std::string version;
};

// The vectors of `model` of the memories `viewer` may see in `filters.scope` that
// pass `filters` (untrashed) and whose rowid is at most `max_rowid`. Visibility (the
// pools and the vendor filter of store/memory_visibility.h) is decided in SQL, so a
// hidden memory's vector is never listed, read, let alone scored.
Result<std::vector<VisibleVectorRef>> ListVisibleVectors(Connection& conn, const Viewer& viewer,
                                                         const SearchFilters& filters, std::string_view model,
                                                         std::int64_t max_rowid);

// The stored vector of `memory_id` if it is still of `model` and `version`; nullopt when
// it was replaced or deleted since it was listed.
Result<std::optional<std::vector<float>>> ReadVector(Connection& conn, std::string_view memory_id,
                                                     std::string_view model, std::string_view version);

// The newest memory rowid (0: none): a hybrid search's first page bounds its later
// pages' vector list with it.
Result<std::int64_t> NewestMemoryRowid(Connection& conn);

// float32 little-endian bytes, and back (empty when the size is not a multiple of 4).
std::string VectorBytes(const std::vector<float>& vector);
std::vector<float> VectorFromBytes(std::string_view bytes);

}  // namespace rm::store
