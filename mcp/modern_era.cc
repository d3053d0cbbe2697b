#include "mcp/modern_era.h"

#include <algorithm>

#include "mcp/json_rpc.h"
#include "mcp/protocol_version.h"

namespace mcp::modern {
namespace json = boost::json;
namespace {

// How long a result may be reused, and by whom. "public": the same for every
// caller; "private": for this credential only. The values must be true:
// - the tool, prompt and template lists are fixed for the life of the process and
//   are the same for everyone (listChanged is false): an hour, public;
// - the memories (resources/list, resources/read) are the caller's own, filtered by
//   its vendor, and change with every write: 0 (stale at once), private;
// - server/discover carries the caller's briefing (vendor-filtered) in its
//   instructions: private, and a minute, since a slightly old briefing misleads no one.
struct CachePolicy {
  std::string_view method;
  std::int64_t ttl_ms;
  std::string_view scope;
};
constexpr CachePolicy kCachePolicies[] = {
    {"tools/list", 3'600'000, "public"},
    {"prompts/list", 3'600'000, "public"},
    {"resources/templates/list", 3'600'000, "public"},
    {"resources/list", 0, "private"},
    {"resources/read", 0, "private"},
    {"server/discover", 60'000, "private"},
};

}  // namespace

const std::vector<std::string>& ModernProtocolVersions() {
  static const std::vector<std::string> versions = {"2026-07-28"};
  return versions;
}

std::vector<std::string> AllProtocolVersions() {
  std::vector<std::string> all = ModernProtocolVersions();
  const auto& legacy = SupportedProtocolVersions();
  all.insert(all.end(), legacy.begin(), legacy.end());
  return all;
}

std::optional<std::string> DeclaredVersion(const json::value* params) {
  if (params == nullptr || !params->is_object()) return std::nullopt;
  const json::value* meta = params->get_object().if_contains("_meta");
  if (meta == nullptr || !meta->is_object()) return std::nullopt;
  const json::value* version = meta->get_object().if_contains(kProtocolVersionKey);
  if (version == nullptr || !version->is_string()) return std::nullopt;
  return std::string(version->get_string());
}

RequestMeta ReadRequestMeta(const json::object& params) {
  const json::object& meta = params.at("_meta").get_object();  // DeclaredVersion found it
  RequestMeta out;
  out.version = std::string(meta.at(kProtocolVersionKey).get_string());
  const auto& modern = ModernProtocolVersions();
  if (std::find(modern.begin(), modern.end(), out.version) == modern.end()) {
    json::array supported;
    for (const std::string& v : AllProtocolVersions()) supported.emplace_back(v);
    throw jsonrpc::Error(kUnsupportedProtocolVersion,
                         "Unsupported protocol version \"" + out.version.substr(0, 64) +
                             "\"; this server speaks 2026-07-28 per request, or 2025-11-25 … 2024-11-05 "
                             "after initialize",
                         json::object{{"supported", std::move(supported)}, {"requested", out.version}});
  }
  const json::value* capabilities = meta.if_contains(kClientCapabilitiesKey);
  if (capabilities == nullptr || !capabilities->is_object()) {
    throw jsonrpc::Error(jsonrpc::kInvalidParams,
                         "params._meta[\"" + std::string(kClientCapabilitiesKey) +
                             "\"] is required in every 2026-07-28 request (an object; {} declares none)");
  }
  out.capabilities = capabilities->get_object();
  if (const json::value* info = meta.if_contains(kClientInfoKey)) {
    const json::value* name = info->is_object() ? info->get_object().if_contains("name") : nullptr;
    if (name == nullptr || !name->is_string()) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams, "params._meta[\"" + std::string(kClientInfoKey) +
                                                        "\"] must be an object with a string \"name\"");
    }
    out.client_name = std::string(name->get_string());
  }
  if (const json::value* level = meta.if_contains(kLogLevelKey)) {
    std::optional<LogLevel> parsed = level->is_string() ? ParseLogLevel(level->get_string()) : std::nullopt;
    if (!parsed) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams,
                           "params._meta[\"" + std::string(kLogLevelKey) +
                               "\"] must be one of debug, info, notice, warning, error, critical, alert, emergency");
    }
    out.log_level = parsed;
  }
  return out;
}

bool MayRequireInput(std::string_view method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

InputResponses ReadInputResponses(std::string_view method, const json::object& params) {
  InputResponses out;
  if (!MayRequireInput(method)) return out;
  if (const json::value* responses = params.if_contains("inputResponses")) {
    const json::object* o = responses->if_object();
    if (o == nullptr) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams, "params.inputResponses must be an object (key -> result)");
    }
    for (const auto& entry : *o) {
      if (!entry.value().is_object()) {
        throw jsonrpc::Error(jsonrpc::kInvalidParams, "params.inputResponses[\"" +
                                                          std::string(entry.key()).substr(0, 64) +
                                                          "\"] must be an object (the client's result)");
      }
    }
    out.responses = *o;
  }
  if (const json::value* state = params.if_contains("requestState")) {
    if (!state->is_string()) {
      throw jsonrpc::Error(jsonrpc::kInvalidParams, "params.requestState must be a string, echoed as it was received");
    }
    out.request_state = std::string(state->get_string());
  }
  return out;
}

void CompleteResult(std::string_view method, json::value& result, const ServerInfo& info) {
  if (!result.is_object()) return;
  json::object& o = result.get_object();
  // Room for the members added below up front: growing a Boost.JSON object re-hashes it,
  // and this runs on every 2026-07-28 response (the stateless path's hot spot in callgrind).
  o.reserve(o.size() + 4);
  json::value& type = o["resultType"];
  if (type.is_null()) type = "complete";
  const bool complete = type == "complete";  // an input_required result is never cached
  json::value& meta = o["_meta"];
  if (!meta.is_object()) meta = json::object{};
  meta.get_object()[kServerInfoKey] = json::object{{"name", info.name}, {"version", info.version}};
  if (!complete) return;
  for (const CachePolicy& p : kCachePolicies) {
    if (p.method == method) {
      o["ttlMs"] = p.ttl_ms;
      o["cacheScope"] = p.scope;
    }
  }
}

json::object DiscoverResult(const json::object& capabilities, const std::string& instructions) {
  json::array versions;
  for (const std::string& v : AllProtocolVersions()) versions.emplace_back(v);
  json::object result{{"supportedVersions", std::move(versions)}, {"capabilities", capabilities}};
  if (!instructions.empty()) result["instructions"] = instructions;
  return result;
}

int ModernErrorCode(int legacy_code) {
  return legacy_code == jsonrpc::kResourceNotFound ? jsonrpc::kInvalidParams : legacy_code;
}

bool IsLegacyOnlyMethod(std::string_view method) {
  return method == "initialize" || method == "ping" || method == "logging/setLevel" ||
         method == "resources/subscribe" || method == "resources/unsubscribe";
}

}  // namespace mcp::modern
