// The memory service's topic reads (usage: memory_read): get_topic_cluster and
// get_graph_around. Every node comes from a vendor-filtered, pool-restricted read,
// so a memory the caller may not see is neither shown nor counted. See memory_service.h.
#include <algorithm>
#include <regex>
#include <set>

#include <boost/json/object.hpp>

#include "store/memory_lists.h"
#include "store/memory_neighbours.h"
#include "tools/memory_input.h"
#include "tools/memory_json.h"
#include "tools/service_call.h"
#include "tools/topic_clusters.h"

namespace rm::tools {
namespace json = boost::json;
using store::UsageOperation;

namespace {

// Tag neighbours are looked for among the 300 most recently written visible
// memories sharing a tag with the memory (a bounded read, like the briefing's tag sample).
constexpr int kTagCandidates = 300;
constexpr int kMaxReferences = 20;  // each direction
// A provisional cluster (one tag) counts its memories no further than this.
constexpr std::int64_t kProvisionalCountCap = 10000;

json::object ClusterJson(const store::CachedCluster& cluster, const std::string& computed_at) {
  json::array tags;
  for (const auto& tag : cluster.tags) tags.emplace_back(tag);
  return {{"name", cluster.name},
          {"description", cluster.description},
          {"tags", std::move(tags)},
          {"member_count", cluster.member_count},
          {"computed_at", computed_at}};
}

const store::CachedCluster* ClusterHolding(const store::ClusterCache& cache, const std::string& tag) {
  for (const auto& cluster : cache.clusters) {
    if (std::find(cluster.tags.begin(), cluster.tags.end(), tag) != cluster.tags.end()) return &cluster;
  }
  return nullptr;
}

// The ids a memory's content names: UUIDs (the form of every id this server makes)
// and memory://{id} URIs, in order of appearance, each once.
std::vector<std::string> NamedIds(const std::string& content) {
  static const std::regex kId(
      "memory://([A-Za-z0-9_-]{1,128})|"
      "\\b([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\\b");
  std::vector<std::string> ids;
  for (auto it = std::sregex_iterator(content.begin(), content.end(), kId); it != std::sregex_iterator(); ++it) {
    std::string id = (*it)[1].matched ? (*it)[1].str() : AsciiLower((*it)[2].str());
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
  }
  return ids;
}

std::set<std::string> LowerTags(const std::string& tags_json) {
  std::set<std::string> tags;
  for (const auto& tag : StringsFromJsonText(tags_json)) tags.insert(AsciiLower(tag));
  return tags;
}

// Memories sharing at least `min_shared` tags with `memory`, most shared first
// (newest first among equals), at most `top` of them.
Result<json::array> TagSimilar(ServiceCall& call, const store::MemoryRow& memory, int min_shared, int top) {
  json::array out;
  const std::set<std::string> own = LowerTags(memory.tags_json);
  if (own.empty()) return out;
  Result<std::vector<store::MemoryRow>> candidates = store::RecentVisibleWithAnyTag(
      call.conn, call.viewer, store::Scope::kAll, memory.tags_json, kTagCandidates);
  if (!candidates.ok()) return candidates.status();
  struct Scored {
    const store::MemoryRow* row;
    std::vector<std::string> shared;
  };
  std::vector<Scored> scored;
  for (const auto& candidate : *candidates) {
    if (candidate.id == memory.id) continue;
    std::vector<std::string> shared;
    for (const auto& tag : LowerTags(candidate.tags_json)) {
      if (own.count(tag)) shared.push_back(tag);
    }
    if (static_cast<int>(shared.size()) >= min_shared) scored.push_back({&candidate, std::move(shared)});
  }
  // Stable: candidates come most recent first, so ties stay that way.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.shared.size() > b.shared.size(); });
  for (std::size_t i = 0; i < scored.size() && static_cast<int>(i) < top; ++i) {
    json::object node = MemorySummaryJson(*scored[i].row);
    json::array shared;
    for (const auto& tag : scored[i].shared) shared.emplace_back(tag);
    node["shared_tags"] = std::move(shared);
    out.push_back(std::move(node));
  }
  return out;
}

json::array Summaries(const std::vector<store::MemoryRow>& rows, const std::string& except = "") {
  json::array out;
  for (const auto& row : rows) {
    if (row.id != except) out.push_back(MemorySummaryJson(row));
  }
  return out;
}

}  // namespace

MemoryService::Reply MemoryService::GetTopicCluster(const Caller& caller, const Key& key, const std::string& tag,
                                                    int limit, store::Scope scope) {
  Result<std::vector<std::string>> normalized = NormalizeTags({tag}, "tag");
  if (!normalized.ok()) return normalized.status();
  const std::string wanted = AsciiLower(normalized->front());
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<std::optional<store::ClusterCache>> cached = topics_->Get(call.conn, call.viewer, scope);
    if (!cached.ok()) return cached.status();
    const store::CachedCluster* cluster = *cached ? ClusterHolding(**cached, wanted) : nullptr;
    json::object cluster_json;
    std::vector<std::string> tags;
    if (cluster) {
      cluster_json = ClusterJson(*cluster, (*cached)->state.computed_at);
      tags = cluster->tags;
    } else {
      // Clusters not computed yet, or a tag newer than them: the tag alone, marked
      // provisional, while they are computed in the background (a call never waits).
      const std::string tag_json = ToJsonText({wanted});
      Result<std::int64_t> count =
          store::CountVisibleWithAnyTag(call.conn, call.viewer, scope, tag_json, kProvisionalCountCap);
      if (!count.ok()) return count.status();
      if (*count == 0) return Status::NotFound("no memory you can see has the tag '" + normalized->front() + "'");
      if (*cached) topics_->Refresh(call.viewer, scope);
      store::CachedCluster alone{"", wanted, "memories tagged " + wanted + " (its topic is being computed)", {wanted},
                                 *count};
      cluster_json = ClusterJson(alone, call.now);
      cluster_json["provisional"] = true;
      tags = alone.tags;
    }
    store::ListQuery query;
    query.scope = scope;
    query.tags_any_json = ToJsonText(tags);
    query.limit = std::clamp(limit, 1, 50);
    Result<std::vector<store::MemoryRow>> rows = store::ListVisibleMemories(call.conn, call.viewer, query);
    if (!rows.ok()) return rows.status();
    json::array memories;
    for (const auto& row : *rows) memories.push_back(MemoryJson(row));
    return json::value(json::object{{"cluster", std::move(cluster_json)}, {"memories", std::move(memories)}});
  });
}

MemoryService::Reply MemoryService::GetGraphAround(const Caller& caller, const Key& key, const std::string& id,
                                                   int min_shared_tags, int top_tag_similar) {
  return Execute(caller, key, UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<store::MemoryRow> memory = FindVisible(call, id);
    if (!memory.ok()) return memory.status();

    json::value parent = nullptr;
    json::array siblings;
    if (memory->parent_memory_id) {
      Result<std::optional<store::MemoryRow>> found =
          store::FindVisibleMemory(call.conn, call.viewer, *memory->parent_memory_id);
      if (!found.ok()) return found.status();
      // Siblings only through a parent the caller sees: otherwise they would tell
      // that a hidden memory exists and what hangs from it (as read_thread does).
      if (*found) {
        parent = MemorySummaryJson(**found);
        Result<std::vector<store::MemoryRow>> family =
            store::ListVisibleReplies(call.conn, call.viewer, *memory->parent_memory_id);
        if (!family.ok()) return family.status();
        siblings = Summaries(*family, memory->id);
      }
    }
    Result<std::vector<store::MemoryRow>> children = store::ListVisibleReplies(call.conn, call.viewer, memory->id);
    if (!children.ok()) return children.status();

    Result<json::array> similar = TagSimilar(call, *memory, std::clamp(min_shared_tags, 1, 10),
                                             std::clamp(top_tag_similar, 1, 20));
    if (!similar.ok()) return similar.status();

    json::array outgoing;
    for (const std::string& named : NamedIds(memory->content)) {
      if (named == memory->id || static_cast<int>(outgoing.size()) >= kMaxReferences) continue;
      Result<std::optional<store::MemoryRow>> target = store::FindVisibleMemory(call.conn, call.viewer, named);
      if (!target.ok()) return target.status();
      if (*target) outgoing.push_back(MemorySummaryJson(**target));
    }
    Result<std::vector<store::MemoryRow>> incoming =
        store::VisibleMemoriesNaming(call.conn, call.viewer, memory->id, kMaxReferences);
    if (!incoming.ok()) return incoming.status();

    return json::value(json::object{
        {"memory", MemoryJson(*memory)},
        {"parent", std::move(parent)},
        {"children", Summaries(*children)},
        {"siblings", std::move(siblings)},
        {"tag_similar", std::move(*similar)},
        {"references", json::object{{"outgoing", std::move(outgoing)}, {"incoming", Summaries(*incoming)}}}});
  });
}

}  // namespace rm::tools
