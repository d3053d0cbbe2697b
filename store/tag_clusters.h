// Topic clusters in the store: the tags of the memories a viewer can see (what the
// clusters are computed from), and the cache of computed clusters —
// tag_cluster_cache (one row per cluster) with tag_cluster_state (when, from which
// pools, at which counts of migration 9's change counters). How clusters are computed and when
// they are refreshed is tools/topic_clusters.h; here is only what is stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/memory_visibility.h"
#include "util/status.h"

namespace rm::store {

// The lower-cased tags of each live memory the viewer may see in `scope`, one entry
// per memory that has tags (memories without tags are left out).
Result<std::vector<std::vector<std::string>>> VisibleTagSets(Connection& conn, const Viewer& viewer,
                                                             Scope scope);

struct CachedCluster {
  std::string hash;         // SHA-256 of the sorted member tags (ClusterHash)
  std::string name;
  std::string description;
  std::vector<std::string> tags;  // most central first
  std::int64_t member_count = 0;  // memories having any of the tags
};

// What migration 9's counters said about the pools of a scope: memories added, and
// changes that may have hidden a tag. Sums over the pools only grow.
struct PoolChanges {
  std::int64_t added = 0;
  std::int64_t hidden = 0;
};

// The counter rows ("u:", "o:", "t:" + id) of the pools `scope` reads for `viewer`.
std::vector<std::string> ScopePools(const Viewer& viewer, Scope scope);

// The counters summed over `pools` (0 for a pool never changed).
Result<PoolChanges> SumPoolChanges(Connection& conn, const std::vector<std::string>& pools);

struct ClusterCacheState {
  std::optional<std::string> org_id;  // the viewer's pools when computed
  std::optional<std::string> team_id;
  std::string computed_at;
  PoolChanges seen;  // SumPoolChanges at the snapshot the clusters were computed from
};

struct ClusterCache {
  ClusterCacheState state;
  std::vector<CachedCluster> clusters;  // largest first
};

// The stable key of a cluster: SHA-256 (hex) of its tags sorted and joined by '\n',
// so the same set of tags has the same key whatever their order.
std::string ClusterHash(std::vector<std::string> tags);

// The cached clusters of (user, scope), or nullopt when there are none.
Result<std::optional<ClusterCache>> ReadClusterCache(Connection& conn, const std::string& user_id,
                                                     const std::string& scope);

// Replaces the cached clusters of (user, scope) with `cache`. Needs a write connection.
Status WriteClusterCache(Connection& conn, const std::string& user_id, const std::string& scope,
                         const ClusterCache& cache);

}  // namespace rm::store
