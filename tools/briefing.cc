// The briefing: what a model should know before it starts (SPEC §5
// get_memory_briefing, and the initialize instructions). Vendor-filtered like
// every read; bounded in size.
#include <boost/json/object.hpp>

#include <algorithm>

#include "store/memory_lists.h"
#include "tools/memory_json.h"
#include "tools/service_call.h"
#include "tools/topic_clusters.h"

namespace rm::tools {
namespace json = boost::json;

namespace {

constexpr int kTopTags = 10;
constexpr int kTagSample = 1000;  // top tags are those of the newest 1,000 memories
constexpr int kRecent = 5;
constexpr int kThreads = 5;
constexpr std::size_t kTopics = 5;      // the topic map: the 5 largest clusters
constexpr std::size_t kTopicTags = 5;   // with their 5 most central tags

// The topic map: the largest clusters of two tags or more (a one-tag cluster is
// already in the top tags). Empty while the clusters are being computed (in the
// background: a briefing never waits for them).
Result<json::array> TopicMap(TopicClusters& topics, store::Connection& conn, const store::Viewer& viewer) {
  json::array map;
  Result<std::optional<store::ClusterCache>> clusters = topics.Get(conn, viewer, store::Scope::kAll);
  if (!clusters.ok()) return clusters.status();
  if (!*clusters) return map;
  for (const auto& cluster : (*clusters)->clusters) {
    if (map.size() == kTopics) break;
    if (cluster.tags.size() < 2) continue;
    json::array tags;
    for (std::size_t i = 0; i < std::min(kTopicTags, cluster.tags.size()); ++i) tags.emplace_back(cluster.tags[i]);
    map.push_back({{"name", cluster.name}, {"tags", std::move(tags)}, {"memories", cluster.member_count}});
  }
  return map;
}

// With `count_cap`, a total over it means "more than that many".
Result<json::object> Collect(store::Connection& conn, const store::Viewer& viewer, TopicClusters& topics,
                             std::optional<std::int64_t> count_cap = std::nullopt) {
  json::object totals;
  for (auto [scope, name] : {std::pair{store::Scope::kPersonal, "personal"},
                             std::pair{store::Scope::kOrg, "org"},
                             std::pair{store::Scope::kTeam, "team"}}) {
    std::int64_t n = 0;
    const bool member = scope == store::Scope::kPersonal ||
                        (scope == store::Scope::kOrg ? viewer.org_id : viewer.team_id).has_value();
    if (member) {
      Result<std::int64_t> count = store::CountVisibleMemories(conn, viewer, scope, count_cap);
      if (!count.ok()) return count.status();
      n = *count;
    }
    totals[name] = n;
  }
  // Own memories shared with a pool the user has left count only in "memories".
  Result<std::int64_t> visible = store::CountVisibleMemories(conn, viewer, store::Scope::kAll, count_cap);
  if (!visible.ok()) return visible.status();
  totals["memories"] = *visible;

  Result<std::vector<store::TagCount>> tags = store::TopVisibleTags(conn, viewer, kTagSample, kTopTags);
  if (!tags.ok()) return tags.status();
  json::array top_tags;
  for (const auto& t : *tags) top_tags.push_back({{"tag", t.tag}, {"count", t.count}});

  store::ListQuery recent_query;
  recent_query.limit = kRecent;
  Result<std::vector<store::MemoryRow>> recent = store::ListVisibleMemories(conn, viewer, recent_query);
  if (!recent.ok()) return recent.status();
  json::array recent_titles;
  for (const auto& m : *recent) {
    recent_titles.push_back({{"id", m.id}, {"title", m.title}, {"created_at", m.created_at}});
  }

  Result<std::vector<store::ThreadSummary>> threads = store::RecentVisibleThreads(conn, viewer, kThreads);
  if (!threads.ok()) return threads.status();
  json::array open_threads;
  for (const auto& t : *threads) {
    open_threads.push_back({{"id", t.parent_id},
                            {"title", t.title},
                            {"replies", t.replies},
                            {"last_reply_at", t.last_reply_at}});
  }
  Result<json::array> topic_map = TopicMap(topics, conn, viewer);
  if (!topic_map.ok()) return topic_map.status();
  return json::object{{"vendor", viewer.vendor ? json::value(*viewer.vendor) : json::value(nullptr)},
                      {"totals", std::move(totals)},
                      {"top_tags", std::move(top_tags)},
                      {"topics", std::move(*topic_map)},
                      {"recent", std::move(recent_titles)},
                      {"open_threads", std::move(open_threads)}};
}

std::string Str(const json::value& v) { return std::string(v.as_string()); }

std::string Markdown(const json::object& b, std::optional<std::int64_t> count_cap = std::nullopt) {
  const json::object& totals = b.at("totals").as_object();
  const auto count = [&](const char* name) {
    const std::int64_t n = totals.at(name).as_int64();
    return count_cap && n > *count_cap ? std::to_string(*count_cap) + "+" : std::to_string(n);
  };
  std::string md = "## Your memories\n";
  md += count("memories") + " memories (" + count("personal") + " personal, " + count("org") +
        " shared with your org, " + count("team") + " with your team)";
  if (b.at("vendor").is_string()) md += " visible to " + Str(b.at("vendor"));
  md += ".\n";
  if (!b.at("top_tags").as_array().empty()) {
    md += "\nTop tags:";
    for (const auto& t : b.at("top_tags").as_array()) {
      md += " " + Str(t.at("tag")) + " (" + std::to_string(t.at("count").as_int64()) + ")";
    }
    md += "\n";
  }
  if (!b.at("topics").as_array().empty()) {
    md += "\nTopics (call get_topic_cluster with one of their tags):\n";
    for (const auto& t : b.at("topics").as_array()) {
      md += "- " + Str(t.at("name")) + " (" + std::to_string(t.at("memories").as_int64()) + " memories; tags";
      for (const auto& tag : t.at("tags").as_array()) md += " " + Str(tag);
      md += ")\n";
    }
  }
  if (!b.at("recent").as_array().empty()) {
    md += "\nRecent:\n";
    for (const auto& r : b.at("recent").as_array()) {
      md += "- " + Str(r.at("title")) + " (" + Str(r.at("created_at")).substr(0, 10) + ", id " +
            Str(r.at("id")) + ")\n";
    }
  }
  if (!b.at("open_threads").as_array().empty()) {
    md += "\nOpen threads:\n";
    for (const auto& t : b.at("open_threads").as_array()) {
      md += "- " + Str(t.at("title")) + " (" + std::to_string(t.at("replies").as_int64()) +
            " replies, id " + Str(t.at("id")) + ")\n";
    }
  }
  return md;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 character.
std::string CutUtf8(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  s.resize(end);
  return s;
}

}  // namespace

MemoryService::Reply MemoryService::GetBriefing(const Caller& caller, const Key& key,
                                                bool markdown) {
  return Execute(caller, key, store::UsageOperation::kMemoryRead, [&](ServiceCall& call) -> Reply {
    Result<json::object> briefing = Collect(call.conn, call.viewer, *topics_);
    if (!briefing.ok()) return briefing.status();
    if (markdown) return json::value(json::object{{"format", "markdown"}, {"briefing", Markdown(*briefing)}});
    return json::value(json::object{{"format", "json"}, {"briefing", std::move(*briefing)}});
  });
}

Result<std::string> MemoryService::Instructions(const Caller& caller, std::size_t max_bytes) {
  std::string text =
      "Reflect Memory keeps this user's memories, shared by all their AI tools. Before "
      "answering about the user's past work, preferences or decisions, call search_memories; "
      "save durable facts with write_memory (reply in a thread with write_child_memory).\n\n";
  Status status = ReadAs(caller, [&](store::Connection& conn, const store::Viewer& viewer) -> Status {
    // ServiceOptions::instructions_count_cap says why the totals are capped here.
    Result<json::object> briefing = Collect(conn, viewer, *topics_, options_.instructions_count_cap);
    if (!briefing.ok()) return briefing.status();
    text += Markdown(*briefing, options_.instructions_count_cap);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return CutUtf8(std::move(text), max_bytes);
}

}  // namespace rm::tools
