// Topic clusters: groups of tags that are used together (SPEC §11, issue 18), for
// get_topic_cluster and the briefing's topic map.
//
// A caller's clusters come from the memories that caller can see — its pools for
// the scope, filtered by its vendor — never from others: a cluster's tags and
// counts must not reveal a hidden memory. Tags are the nodes of a graph whose edge
// weights count the memories having both tags; communities of that graph by Louvain
// modularity (util/louvain.h) are the clusters. A cluster is named after its most
// central tags (highest weight inside the cluster); no LLM is needed.
//
// Clusters are cached in tag_cluster_cache per (user, scope, vendor) and refreshed
// by the rules of migration 9 (store/schema/009_topic_clusters.sql): served while
// fresh; after `stale_after_added` new memories in the scope's pools or `max_age`,
// still served while a background thread recomputes them; after a change that may
// hide a tag, never served again. Clusters are only ever computed on that thread,
// on a read snapshot: a call never waits for a computation (at 1M memories of one
// user it takes seconds) and never holds the store's writer for one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/memory_visibility.h"
#include "store/llm_keys.h"
#include "store/tag_clusters.h"
#include "tools/topic_naming.h"
#include "util/llm_key_cipher.h"
#include "util/status.h"

namespace rm::tools {

// The clusters of the memories whose tags are `tag_sets` (one entry per memory,
// lower-case tags), largest (most memories) first. Deterministic: the same sets in
// any order give the same clusters. Names and descriptions come from the tags.
std::vector<store::CachedCluster> ComputeTopicClusters(const std::vector<std::vector<std::string>>& tag_sets);

// A cluster's name made from its tags: its three most central, "a / b / c".
std::string TagName(const std::vector<std::string>& tags);

class TopicClusters {
 public:
  struct Options {
    std::int64_t stale_after_added = 25;  // new memories in the scope's pools
    std::chrono::seconds max_age = std::chrono::hours(24);
    // Now; empty: the system clock. Tests move time with it.
    std::function<std::chrono::system_clock::time_point()> now;
    // Opens stored LLM keys: with it, a user's (or org's) key names their topics
    // (tools/topic_naming.h). Empty: names come from the tags.
    std::shared_ptr<const LlmKeyCipher> cipher;
    NamingOptions naming = {};
  };

  TopicClusters(store::Store& db, Options options);
  ~TopicClusters();  // waits for the refresh in progress, drops the queued ones
  TopicClusters(const TopicClusters&) = delete;
  TopicClusters& operator=(const TopicClusters&) = delete;

  // The clusters `viewer` sees in `scope`, read on `conn` (the call's snapshot), or
  // nullopt when none are usable yet (a computation is then queued).
  Result<std::optional<store::ClusterCache>> Get(store::Connection& conn, const store::Viewer& viewer,
                                                 store::Scope scope);

  // Queues a computation of them (e.g. for a tag newer than the cached clusters).
  void Refresh(const store::Viewer& viewer, store::Scope scope);

  // Blocks until no refresh is queued or running (tests, benchmarks).
  void WaitForRefreshes();

  // The tag_cluster_cache scope key: "all", "personal", "org" or "team", plus
  // "@vendor" for an agent key.
  static std::string ScopeKey(const store::Viewer& viewer, store::Scope scope);

 private:
  struct Job {
    store::Viewer viewer;
    store::Scope scope;
  };
  std::chrono::system_clock::time_point Now() const;
  Result<store::ClusterCache> Compute(store::Connection& conn, const store::Viewer& viewer, store::Scope scope);
  void Queue(Job job);
  void RunJobs();
  void RunJob(Job& job);
  // Names from the provider of `llm_key` (kept from `previous` where the tags are the same).
  void NameWithProvider(store::ClusterCache& computed, const std::optional<store::ClusterCache>& previous,
                        const store::LlmKeyRow& llm_key);

  store::Store& db_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  std::set<std::string> queued_keys_;  // user + scope key of each queued job
  bool running_ = false;
  bool stopping_ = false;
  std::thread worker_;  // started by the first Queue
};

}  // namespace rm::tools
