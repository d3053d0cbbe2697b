#include "tools/tool_support.h"

#include <algorithm>
#include <any>
#include <chrono>
#include <cstdint>

#include "tools/call_feedback.h"

namespace rm::tools {
namespace json = boost::json;

namespace schema {

json::object String(std::string_view description, std::size_t min_length, std::size_t max_length) {
  json::object s{{"type", "string"}, {"description", description}};
  if (min_length > 0) s["minLength"] = min_length;
  if (max_length > 0) s["maxLength"] = max_length;
  return s;
}

json::object Integer(std::string_view description, int minimum, int maximum) {
  return {{"type", "integer"}, {"description", description}, {"minimum", minimum}, {"maximum", maximum}};
}

json::object Boolean(std::string_view description) {
  return {{"type", "boolean"}, {"description", description}};
}

json::object Enum(std::string_view description, std::initializer_list<std::string_view> values) {
  json::array list;
  for (std::string_view v : values) list.emplace_back(v);
  return {{"type", "string"}, {"description", description}, {"enum", std::move(list)}};
}

json::object ListOf(json::object item) { return {{"type", "array"}, {"items", std::move(item)}}; }

json::object Scope() {
  return Enum(
      "personal: your unshared memories; org / team: those shared with your org / team; "
      "all (default): all of them.",
      {"personal", "org", "team", "all"});
}

json::object StringList(std::string_view description, std::size_t max_items, std::size_t max_item_length) {
  return {{"type", "array"},
          {"description", description},
          {"maxItems", max_items},
          {"items", {{"type", "string"}, {"maxLength", max_item_length}}}};
}

json::object Input(json::object properties, std::initializer_list<std::string_view> required) {
  properties["request_id"] = String(
      "Optional idempotency key (1-128 chars). Repeating a request_id returns the first "
      "result without doing anything again; reusing it for different arguments is an "
      "idempotency_conflict.",
      1, 128);
  json::array names;
  for (std::string_view r : required) names.emplace_back(r);
  json::object s{{"type", "object"}, {"properties", std::move(properties)}};
  if (!names.empty()) s["required"] = std::move(names);
  s["additionalProperties"] = false;
  return s;
}

json::object Output(json::object properties, std::initializer_list<std::string_view> required) {
  properties["error"] = {
      {"type", "object"},
      {"description", "Set instead of the result when isError is true."},
      {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}},
      {"required", {"code", "message"}}};
  json::array names;
  for (std::string_view r : required) names.emplace_back(r);
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"anyOf", {json::object{{"required", std::move(names)}}, json::object{{"required", {"error"}}}}}};
}

}  // namespace schema

std::optional<std::string> OptionalString(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::string RequiredString(const json::object& args, std::string_view name) {
  return OptionalString(args, name).value_or("");
}

std::optional<int> OptionalInt(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<int>(std::clamp<std::int64_t>(v->get_int64(), INT32_MIN, INT32_MAX));
  if (v->is_uint64()) return static_cast<int>(std::min<std::uint64_t>(v->get_uint64(), INT32_MAX));
  if (v->is_double()) return static_cast<int>(std::clamp(v->get_double(), -2e9, 2e9));
  return std::nullopt;
}

std::optional<bool> OptionalBool(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

std::optional<std::vector<std::string>> OptionalStrings(const json::object& args, std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (!v || !v->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

store::Scope ScopeArg(const json::object& args) {
  std::optional<std::string> scope = OptionalString(args, "scope");
  if (scope == "personal") return store::Scope::kPersonal;
  if (scope == "org") return store::Scope::kOrg;
  if (scope == "team") return store::Scope::kTeam;
  return store::Scope::kAll;
}

mcp::ToolAnnotations ReadOnly(std::string title) {
  mcp::ToolAnnotations a;
  a.title = std::move(title);
  a.read_only_hint = true;
  a.idempotent_hint = true;
  return a;
}

mcp::ToolResult ErrorResult(const Status& status) {
  if (status.code() == Status::Code::kConflict) {
    return mcp::ToolResult::Error("idempotency_conflict", status.message());
  }
  return mcp::ToolResult::Error(status.code_name(), status.message());
}

Result<Caller> CallerOf(const mcp::CallContext& ctx) {
  const auto* principal = std::any_cast<Principal>(&ctx.principal());
  if (principal == nullptr || principal->user_id.empty()) {
    return Status::Unauthenticated("no authenticated user for this call");
  }
  Caller caller = ResolveCaller(*principal, ctx.client_name());
  caller.hooks = HooksOf(ctx);
  return caller;
}

namespace {

// The service call of one tool call, its stages reported as progress.
MemoryService::Reply CallService(std::string_view tool, const json::object& args, mcp::CallContext& ctx,
                                 ToolProgress& progress, const ServiceCallFn& call) {
  Result<Caller> caller = CallerOf(ctx);
  if (!caller.ok()) return caller.status();
  caller->hooks.on_stage = [&progress](std::string_view stage) { progress.Stage(stage); };
  MemoryService::Key key;
  if (std::optional<std::string> request_id = OptionalString(args, "request_id")) {
    key = RequestKey{*request_id, RequestFingerprint(tool, args, caller->vendor)};
  }
  return call(*caller, key);
}

}  // namespace

mcp::ToolResult RunTool(std::string_view tool, const json::object& args, mcp::CallContext& ctx,
                        const ServiceCallFn& call) {
  const auto started = std::chrono::steady_clock::now();
  ToolProgress progress(ctx);
  MemoryService::Reply reply = CallService(tool, args, ctx, progress, call);
  const Status outcome = reply.ok() ? Status::Ok() : reply.status();
  progress.Done(outcome);
  LogToolOutcome(ctx, tool, outcome, std::chrono::steady_clock::now() - started);
  if (!reply.ok()) return ErrorResult(reply.status());
  return mcp::ToolResult::Ok(std::move(reply).value());
}

}  // namespace rm::tools
