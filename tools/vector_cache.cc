#include "tools/vector_cache.h"

namespace rm::tools {
namespace {

std::string KeyOf(std::string_view model, std::string_view memory_id) {
  std::string key(model);
  key.push_back('\n');
  key.append(memory_id);
  return key;
}

}  // namespace

VectorCache::VectorCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

std::size_t VectorCache::bytes_held() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

Result<std::vector<store::VisibleVector>> VectorCache::Visible(store::Connection& conn, const store::Viewer& viewer,
                                                               const store::SearchFilters& filters,
                                                               std::string_view model, std::int64_t max_rowid) {
  Result<std::vector<store::VisibleVectorRef>> refs =
      store::ListVisibleVectors(conn, viewer, filters, model, max_rowid);
  if (!refs.ok()) return refs.status();

  std::vector<store::VisibleVector> vectors(refs->size());
  std::vector<std::size_t> missing;  // indexes into *refs
  std::uint64_t search = 0;
  {
    std::lock_guard lock(mutex_);
    search = ++searches_;
    for (std::size_t i = 0; i < refs->size(); ++i) {
      const store::VisibleVectorRef& ref = (*refs)[i];
      vectors[i].rowid = ref.rowid;
      vectors[i].memory_id = ref.memory_id;
      auto it = entries_.find(KeyOf(model, ref.memory_id));
      if (it == entries_.end() || it->second.version != ref.version) {
        missing.push_back(i);
        continue;
      }
      vectors[i].vector = it->second.vector;
      it->second.used_by = search;
      recent_.splice(recent_.begin(), recent_, it->second.recent);
    }
  }
  // Read in this search's transaction: the versions listed are the ones stored.
  std::vector<std::shared_ptr<const std::vector<float>>> read(missing.size());
  for (std::size_t m = 0; m < missing.size(); ++m) {
    const store::VisibleVectorRef& ref = (*refs)[missing[m]];
    Result<std::optional<std::vector<float>>> vector = store::ReadVector(conn, ref.memory_id, model, ref.version);
    if (!vector.ok()) return vector.status();
    if (*vector) read[m] = std::make_shared<const std::vector<float>>(std::move(**vector));
  }
  {
    std::lock_guard lock(mutex_);
    for (std::size_t m = 0; m < missing.size(); ++m) {
      if (!read[m]) continue;
      const store::VisibleVectorRef& ref = (*refs)[missing[m]];
      Keep(KeyOf(model, ref.memory_id), ref.version, read[m], search);
    }
  }
  std::vector<store::VisibleVector> found;
  found.reserve(vectors.size());
  for (std::size_t i = 0, m = 0; i < vectors.size(); ++i) {
    if (m < missing.size() && missing[m] == i) vectors[i].vector = std::move(read[m++]);
    if (vectors[i].vector) found.push_back(std::move(vectors[i]));
  }
  return found;
}

void VectorCache::Keep(const std::string& key, const std::string& version,
                       std::shared_ptr<const std::vector<float>> vector, std::uint64_t search) {
  auto drop = [&](std::unordered_map<std::string, Entry>::iterator it) {
    bytes_ -= it->second.bytes;
    recent_.erase(it->second.recent);
    entries_.erase(it);
  };
  if (auto older = entries_.find(key); older != entries_.end()) drop(older);  // another version
  const std::size_t bytes = vector->size() * sizeof(float) + key.size() + version.size() + sizeof(Entry);
  while (bytes_ + bytes > max_bytes_ && !recent_.empty()) {
    auto oldest = entries_.find(recent_.back());
    if (oldest->second.used_by == search) return;  // full of this search's vectors
    drop(oldest);
  }
  if (bytes_ + bytes > max_bytes_) return;
  recent_.push_front(key);
  entries_.emplace(key, Entry{version, std::move(vector), bytes, search, recent_.begin()});
  bytes_ += bytes;
}

}  // namespace rm::tools
