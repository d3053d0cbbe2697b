#include "tools/topic_naming.h"

#include <algorithm>
#include <map>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "tools/provider_client.h"
#include "tools/provider_keys.h"
#include "tools/topic_clusters.h"

namespace rm::tools {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxNameChars = 60;
constexpr std::size_t kMaxDescriptionChars = 200;
constexpr std::size_t kTagsSent = 12;

constexpr std::string_view kInstruction =
    "You name topics in a person's notes. Given the tags of one topic, answer with JSON only: "
    "{\"name\": a name of at most 4 words, \"description\": one sentence of at most 20 words}.";

// Printable text only, cut to `max` bytes at a character boundary.
std::string Clean(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
    out += c;
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  out = out.substr(first, out.find_last_not_of(' ') - first + 1);
  if (out.size() > max) {
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xc0) == 0x80) --end;
    out.resize(end);
  }
  return out;
}

// {"name","description"} from a chat completion, or false.
bool ReadAnswer(const std::string& body, std::string& name, std::string& description) {
  boost::system::error_code ec;
  json::value response = json::parse(body, ec);
  if (ec) return false;
  const json::value* content = nullptr;
  if (const json::object* o = response.if_object()) {
    if (const json::value* choices = o->if_contains("choices"); choices && choices->is_array() &&
                                                                !choices->as_array().empty()) {
      const json::value& first = choices->as_array()[0];
      if (first.is_object()) {
        if (const json::value* message = first.as_object().if_contains("message"); message && message->is_object()) {
          content = message->as_object().if_contains("content");
        }
      }
    }
  }
  if (!content || !content->is_string()) return false;
  std::string text(content->as_string());
  // Models sometimes wrap JSON in a code fence: take what is between the braces.
  const auto open = text.find('{'), close = text.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  json::value answer = json::parse(text.substr(open, close - open + 1), ec);
  if (ec || !answer.is_object()) return false;
  const json::value* n = answer.as_object().if_contains("name");
  const json::value* d = answer.as_object().if_contains("description");
  if (!n || !n->is_string()) return false;
  name = Clean(n->as_string(), kMaxNameChars);
  description = d && d->is_string() ? Clean(d->as_string(), kMaxDescriptionChars) : "";
  return !name.empty();
}

}  // namespace

std::string ChatCompletionsUrl(const std::string& base_url) { return ProviderUrl(base_url, "/chat/completions"); }

std::size_t NameTopicsWithProvider(std::vector<store::CachedCluster>& clusters, const NamingEndpoint& endpoint,
                                   const NamingOptions& options) {
  std::size_t asked = 0, named = 0;
  for (store::CachedCluster& cluster : clusters) {  // largest first
    if (asked == options.max_clusters) break;
    if (cluster.tags.size() < 2 || cluster.name != TagName(cluster.tags)) continue;  // one tag, or named already
    ++asked;
    json::array tags;
    for (std::size_t i = 0; i < std::min(kTagsSent, cluster.tags.size()); ++i) tags.emplace_back(cluster.tags[i]);
    const json::object body{
        {"model", endpoint.model},
        {"temperature", 0},
        {"max_tokens", 100},
        {"messages", json::array{json::object{{"role", "system"}, {"content", kInstruction}},
                                 json::object{{"role", "user"}, {"content", "Tags: " + json::serialize(tags)}}}}};
    Result<std::string> answer = PostJson({endpoint.url, endpoint.key, json::serialize(body), options.timeout});
    if (!answer.ok()) {
      spdlog::warn("topic names: the provider failed ({}); topics keep names made from their tags",
                   answer.status().message());
      break;  // a provider that is down is not asked again for every cluster
    }
    std::string name, description;
    if (!ReadAnswer(*answer, name, description)) {
      spdlog::warn("topic names: the provider's answer was not the JSON asked for; this topic keeps its tag name");
      continue;
    }
    cluster.name = std::move(name);
    if (!description.empty()) cluster.description = std::move(description);
    ++named;
  }
  return named;
}

std::size_t KeepProviderNames(std::vector<store::CachedCluster>& clusters,
                              const std::vector<store::CachedCluster>& previous) {
  std::map<std::string, const store::CachedCluster*> by_hash;
  for (const auto& p : previous) {
    if (p.name != TagName(p.tags)) by_hash[p.hash] = &p;  // a provider's name
  }
  std::size_t kept = 0;
  for (auto& cluster : clusters) {
    auto it = by_hash.find(cluster.hash);
    if (it == by_hash.end()) continue;
    cluster.name = it->second->name;
    cluster.description = it->second->description;
    ++kept;
  }
  return kept;
}

}  // namespace rm::tools
