// Topic names from the user's (or org's) LLM provider, when one is set with
// `reflect-memory llm-key set` (issue 18): a short name and a one-line description
// per cluster, asked of an OpenAI-compatible chat completions API. Optional and
// bounded: at most `max_clusters` (the largest) per computation, one deadline per
// request, names kept per cluster across refreshes; any failure leaves the names
// made from the tags (tools/topic_clusters.h). Only the tags of a cluster are sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "store/tag_clusters.h"

namespace rm::tools {

struct NamingEndpoint {
  std::string url;    // .../chat/completions
  std::string key;    // the provider key, in clear (never logged)
  std::string model;
};

struct NamingOptions {
  std::size_t max_clusters = 20;
  std::chrono::milliseconds timeout{5000};
};

// The chat completions URL of a stored key's base URL (default OpenAI's API).
std::string ChatCompletionsUrl(const std::string& base_url);

// Gives provider names to the largest clusters of `clusters` (two tags or more);
// returns how many got one. Warns (without the key) when the provider fails.
std::size_t NameTopicsWithProvider(std::vector<store::CachedCluster>& clusters, const NamingEndpoint& endpoint,
                                   const NamingOptions& options);

// Keeps the names a provider gave in `previous` for the clusters of `clusters` with
// the same tags (same hash), so a refresh asks only about new clusters. Returns how
// many it kept.
std::size_t KeepProviderNames(std::vector<store::CachedCluster>& clusters,
                              const std::vector<store::CachedCluster>& previous);

}  // namespace rm::tools
