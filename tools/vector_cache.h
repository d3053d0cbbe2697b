// The memories' vectors a process has read lately, so a hybrid search reads from the
// store only the vectors it does not hold yet (issue 17). Reading every visible vector
// for every search was ~85 % of a search's time at 10,000 vectors (BENCHMARKS.md
// "Semantic search"): a 1536-dimension vector is 6 KiB, two SQLite overflow pages.
//
// What a search may score is still decided by the store for every search:
// store::ListVisibleVectors applies the pools, the vendor filter and the search's filters
// in SQL, and only the vectors it names are scored. The cache holds floats by memory,
// model and version (the version changes whenever a vector is replaced), never which
// caller may see them: a vector re-embedded, hidden or deleted since it was kept is
// never scored, and a process sharing a PostgreSQL store with others needs no
// invalidation message.
//
// Bounded by bytes, least recently used out first, but never for a vector the same
// search has used: a caller with more vectors than fit keeps a fixed part of them held
// (and reads the rest each time) instead of every search pushing out what the next one
// needs. Shared by the searches of one process (a mutex, held while looking up and
// storing, never while reading the store).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/connection.h"
#include "store/memory_vectors.h"
#include "util/status.h"

namespace rm::tools {

// 256 MiB: ~43,000 vectors of 1536 dimensions (OpenAI's text-embedding-3-small).
inline constexpr std::size_t kDefaultVectorCacheBytes = std::size_t{256} << 20;

class VectorCache {
 public:
  explicit VectorCache(std::size_t max_bytes = kDefaultVectorCacheBytes);

  // The vectors of `model` of the memories `viewer` may see (store::ListVisibleVectors),
  // in its order; those not held, or held in another version, are read from `conn`.
  Result<std::vector<store::VisibleVector>> Visible(store::Connection& conn, const store::Viewer& viewer,
                                                    const store::SearchFilters& filters, std::string_view model,
                                                    std::int64_t max_rowid);

  std::size_t bytes_held() const;

 private:
  struct Entry {
    std::string version;
    std::shared_ptr<const std::vector<float>> vector;
    std::size_t bytes = 0;
    std::uint64_t used_by = 0;                // the last search that used it
    std::list<std::string>::iterator recent;  // its place in recent_
  };

  // Holds `vector` if room can be made without dropping what `search` has used.
  void Keep(const std::string& key, const std::string& version, std::shared_ptr<const std::vector<float>> vector,
            std::uint64_t search);

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::size_t bytes_ = 0;
  std::uint64_t searches_ = 0;
  std::list<std::string> recent_;                   // keys, most recently used first
  std::unordered_map<std::string, Entry> entries_;  // key: model '\n' memory id
};

}  // namespace rm::tools
