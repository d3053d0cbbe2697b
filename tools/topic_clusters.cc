#include "tools/topic_clusters.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <utility>

#include <spdlog/spdlog.h>

#include "util/clock.h"
#include "store/llm_keys.h"
#include "tools/provider_keys.h"
#include "util/louvain.h"

namespace rm::tools {
namespace {

constexpr std::size_t kNameTags = 3;         // a cluster is named after its 3 most central tags
constexpr std::size_t kDescriptionTags = 6;  // and described by its 6 most central

std::string Join(const std::vector<std::string>& tags, std::size_t count, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < std::min(count, tags.size()); ++i) {
    if (i > 0) out += separator;
    out += tags[i];
  }
  return out;
}

}  // namespace

std::string TagName(const std::vector<std::string>& tags) { return Join(tags, kNameTags, " / "); }

namespace {

std::string Describe(const store::CachedCluster& cluster) {
  std::string text = std::to_string(cluster.member_count) +
                     (cluster.member_count == 1 ? " memory" : " memories") + " tagged " +
                     Join(cluster.tags, kDescriptionTags, ", ");
  if (cluster.tags.size() > kDescriptionTags) {
    text += " and " + std::to_string(cluster.tags.size() - kDescriptionTags) + " more tags";
  }
  return text;
}

std::string_view ScopeName(store::Scope scope) {
  switch (scope) {
    case store::Scope::kPersonal: return "personal";
    case store::Scope::kOrg: return "org";
    case store::Scope::kTeam: return "team";
    case store::Scope::kAll: break;
  }
  return "all";
}

}  // namespace

std::vector<store::CachedCluster> ComputeTopicClusters(const std::vector<std::vector<std::string>>& tag_sets) {
  // Node ids in tag order, so the graph (and Louvain's visiting order) does not
  // depend on the order the memories came in.
  std::map<std::string, std::size_t> ids;
  for (const auto& tags : tag_sets) {
    for (const auto& tag : tags) ids.emplace(tag, 0);
  }
  std::vector<std::string> names;
  names.reserve(ids.size());
  for (auto& [tag, id] : ids) {
    id = names.size();
    names.push_back(tag);
  }

  // Edge weight = how many memories have both tags; frequency = how many have the tag.
  std::vector<std::int64_t> frequency(names.size(), 0);
  std::vector<std::vector<std::size_t>> memory_tags;
  memory_tags.reserve(tag_sets.size());
  std::unordered_map<std::uint64_t, double> pair_weights;
  for (const auto& tags : tag_sets) {
    std::vector<std::size_t> nodes;
    for (const auto& tag : tags) nodes.push_back(ids.at(tag));
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      ++frequency[nodes[i]];
      for (std::size_t j = i + 1; j < nodes.size(); ++j) {
        pair_weights[(static_cast<std::uint64_t>(nodes[i]) << 32) | nodes[j]] += 1;
      }
    }
    memory_tags.push_back(std::move(nodes));
  }
  std::vector<std::pair<std::uint64_t, double>> pairs(pair_weights.begin(), pair_weights.end());
  std::sort(pairs.begin(), pairs.end());  // a fixed edge order: same input, same clusters
  util::WeightedGraph graph(names.size());
  for (const auto& [key, weight] : pairs) graph.AddEdge(key >> 32, key & 0xffffffffu, weight);
  const std::vector<std::size_t> community = util::LouvainCommunities(graph);

  // A tag's centrality: the weight of its edges inside its own cluster.
  std::vector<double> inside(names.size(), 0);
  for (const auto& [key, weight] : pairs) {
    const std::size_t a = key >> 32, b = key & 0xffffffffu;
    if (community[a] == community[b]) {
      inside[a] += weight;
      inside[b] += weight;
    }
  }
  std::size_t count = 0;
  for (std::size_t c : community) count = std::max(count, c + 1);
  std::vector<std::vector<std::size_t>> members(count);
  for (std::size_t node = 0; node < names.size(); ++node) members[community[node]].push_back(node);
  std::vector<std::int64_t> memories(count, 0);
  for (const auto& nodes : memory_tags) {
    std::vector<std::size_t> seen;
    for (std::size_t node : nodes) seen.push_back(community[node]);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (std::size_t c : seen) ++memories[c];
  }

  std::vector<store::CachedCluster> clusters;
  clusters.reserve(count);
  for (std::size_t c = 0; c < count; ++c) {
    std::vector<std::size_t>& nodes = members[c];
    std::sort(nodes.begin(), nodes.end(), [&](std::size_t a, std::size_t b) {
      if (inside[a] != inside[b]) return inside[a] > inside[b];
      if (frequency[a] != frequency[b]) return frequency[a] > frequency[b];
      return names[a] < names[b];
    });
    store::CachedCluster cluster;
    for (std::size_t node : nodes) cluster.tags.push_back(names[node]);
    cluster.member_count = memories[c];
    cluster.name = TagName(cluster.tags);
    cluster.description = Describe(cluster);
    cluster.hash = store::ClusterHash(cluster.tags);
    clusters.push_back(std::move(cluster));
  }
  std::sort(clusters.begin(), clusters.end(), [](const auto& a, const auto& b) {
    if (a.member_count != b.member_count) return a.member_count > b.member_count;
    return a.name < b.name;
  });
  return clusters;
}

TopicClusters::TopicClusters(store::Store& db, Options options) : db_(db), options_(std::move(options)) {}

TopicClusters::~TopicClusters() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::string TopicClusters::ScopeKey(const store::Viewer& viewer, store::Scope scope) {
  std::string key(ScopeName(scope));
  if (viewer.vendor) key += "@" + *viewer.vendor;
  return key;
}

std::chrono::system_clock::time_point TopicClusters::Now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

Result<store::ClusterCache> TopicClusters::Compute(store::Connection& conn, const store::Viewer& viewer,
                                                   store::Scope scope) {
  // Counters first, tags second, on one snapshot: the clusters are exactly as fresh
  // as the counters say.
  Result<store::PoolChanges> seen = store::SumPoolChanges(conn, store::ScopePools(viewer, scope));
  if (!seen.ok()) return seen.status();
  Result<std::vector<std::vector<std::string>>> tag_sets = store::VisibleTagSets(conn, viewer, scope);
  if (!tag_sets.ok()) return tag_sets.status();
  store::ClusterCache cache;
  cache.state = {viewer.org_id, viewer.team_id, FormatUtc(Now()), *seen};
  cache.clusters = ComputeTopicClusters(*tag_sets);
  return cache;
}

Result<std::optional<store::ClusterCache>> TopicClusters::Get(store::Connection& conn,
                                                              const store::Viewer& viewer, store::Scope scope) {
  Result<std::optional<store::ClusterCache>> cached =
      store::ReadClusterCache(conn, viewer.user_id, ScopeKey(viewer, scope));
  if (!cached.ok()) return cached.status();
  Result<store::PoolChanges> now = store::SumPoolChanges(conn, store::ScopePools(viewer, scope));
  if (!now.ok()) return now.status();
  if (*cached) {
    const store::ClusterCacheState& state = (*cached)->state;
    // Clusters computed before the first memory (a new user's first session queues
    // them) would hide every topic until N more writes: not served either.
    const bool empty_since = (*cached)->clusters.empty() && now->added != state.seen.added;
    const bool usable = state.org_id == viewer.org_id && state.team_id == viewer.team_id &&
                        state.seen.hidden == now->hidden && !empty_since;
    if (usable) {
      const bool aged = now->added - state.seen.added >= options_.stale_after_added ||
                        state.computed_at < FormatUtc(Now() - options_.max_age);
      if (aged) Queue({viewer, scope});
      return cached;
    }
  }
  Queue({viewer, scope});
  return std::optional<store::ClusterCache>();
}

void TopicClusters::Refresh(const store::Viewer& viewer, store::Scope scope) { Queue({viewer, scope}); }

void TopicClusters::Queue(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    const std::string key = job.viewer.user_id + "\n" + ScopeKey(job.viewer, job.scope);
    if (!queued_keys_.insert(key).second) return;  // already queued
    jobs_.push_back(std::move(job));
    if (!worker_.joinable()) worker_ = std::thread([this] { RunJobs(); });
  }
  changed_.notify_all();
}

void TopicClusters::WaitForRefreshes() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (jobs_.empty() && !running_) || stopping_; });
}

void TopicClusters::RunJobs() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (stopping_) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    queued_keys_.erase(job.viewer.user_id + "\n" + ScopeKey(job.viewer, job.scope));
    running_ = true;
    lock.unlock();
    RunJob(job);
    lock.lock();
    running_ = false;
    changed_.notify_all();
  }
}

void TopicClusters::NameWithProvider(store::ClusterCache& computed, const std::optional<store::ClusterCache>& previous,
                                     const store::LlmKeyRow& llm_key) {
  if (previous) KeepProviderNames(computed.clusters, previous->clusters);
  Result<std::string> key = OpenProviderKey(*options_.cipher, llm_key);
  if (!key.ok()) {
    spdlog::warn("topic names: LLM key {} is not usable ({}); topics keep names made from their tags", llm_key.id,
                 key.status().message());
    return;
  }
  NameTopicsWithProvider(computed.clusters,
                         {ChatCompletionsUrl(llm_key.base_url.value_or("")), *key, llm_key.model}, options_.naming);
}

void TopicClusters::RunJob(Job& job) {
  std::optional<store::ClusterCache> computed;
  std::optional<store::ClusterCache> previous;
  std::optional<store::LlmKeyRow> llm_key;
  Status read = db_.Read([&](store::Connection& conn) -> Status {
    Result<store::ClusterCache> clusters = Compute(conn, job.viewer, job.scope);
    if (!clusters.ok()) return clusters.status();
    computed = std::move(*clusters);
    if (!options_.cipher) return Status::Ok();
    Result<std::optional<store::ClusterCache>> before =
        store::ReadClusterCache(conn, job.viewer.user_id, ScopeKey(job.viewer, job.scope));
    if (!before.ok()) return before.status();
    previous = std::move(*before);
    Result<std::optional<store::LlmKeyRow>> key = store::FindLlmKey(conn, job.viewer.user_id, job.viewer.org_id);
    if (!key.ok()) return key.status();
    llm_key = std::move(*key);
    return Status::Ok();
  });
  if (!read.ok()) {
    spdlog::warn("topic clusters: could not compute the clusters of user {} ({}): {}", job.viewer.user_id,
                 ScopeKey(job.viewer, job.scope), read.message());
    return;
  }
  if (llm_key) NameWithProvider(*computed, previous, *llm_key);
  bool raced = false;
  Status write = db_.Write([&](store::Connection& conn) -> Status {
    Result<store::PoolChanges> now = store::SumPoolChanges(conn, store::ScopePools(job.viewer, job.scope));
    if (!now.ok()) return now.status();
    // A change that may hide a tag committed after the snapshot: these clusters
    // could name it, so they are not stored; a new computation is queued instead.
    raced = now->hidden != computed->state.seen.hidden;
    if (raced) return Status::Ok();
    return store::WriteClusterCache(conn, job.viewer.user_id, ScopeKey(job.viewer, job.scope), *computed);
  });
  if (!write.ok()) {
    spdlog::warn("topic clusters: could not store the clusters of user {} ({}): {}", job.viewer.user_id,
                 ScopeKey(job.viewer, job.scope), write.message());
  } else if (raced) {
    Queue({job.viewer, job.scope});
  }
}

}  // namespace rm::tools
