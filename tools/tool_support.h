// What every memory tool declaration shares: JSON Schema builders, argument
// readers, and the adapter from a service call to an mcp::ToolResult.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/tool.h"
#include "tools/memory_service.h"
#include "tools/principal.h"
#include "util/status.h"

namespace rm::tools::schema {

boost::json::object String(std::string_view description, std::size_t min_length = 0,
                           std::size_t max_length = 0);
boost::json::object Integer(std::string_view description, int minimum, int maximum);
boost::json::object Boolean(std::string_view description);
boost::json::object Enum(std::string_view description, std::initializer_list<std::string_view> values);
boost::json::object StringList(std::string_view description, std::size_t max_items,
                               std::size_t max_item_length);

// An array of `item`s.
boost::json::object ListOf(boost::json::object item);

// The `scope` argument of the reads: personal, org, team or all.
boost::json::object Scope();

// An input schema: {"type":"object","properties":..,"required":..,"additionalProperties":false},
// with the optional request_id every tool takes (SPEC §4) added.
boost::json::object Input(boost::json::object properties, std::initializer_list<std::string_view> required);

// An output schema whose success shape requires `required`; it also admits the
// {"error":{"code","message"}} of a tool error, which MCP clients validate too.
boost::json::object Output(boost::json::object properties, std::initializer_list<std::string_view> required);

}  // namespace rm::tools::schema

namespace rm::tools {

// Typed access to validated arguments (the session checked types and bounds).
std::optional<std::string> OptionalString(const boost::json::object& args, std::string_view name);
std::string RequiredString(const boost::json::object& args, std::string_view name);
std::optional<int> OptionalInt(const boost::json::object& args, std::string_view name);
std::optional<bool> OptionalBool(const boost::json::object& args, std::string_view name);
std::optional<std::vector<std::string>> OptionalStrings(const boost::json::object& args,
                                                        std::string_view name);
// "personal" | "org" | "team" | "all" (default all).
store::Scope ScopeArg(const boost::json::object& args);

// Annotations of a tool that only reads (read-only, idempotent, closed world).
mcp::ToolAnnotations ReadOnly(std::string title);

// The tool error for a failed service call; kConflict is "idempotency_conflict".
mcp::ToolResult ErrorResult(const Status& status);

// Runs one tool call: resolves the caller from ctx, derives the idempotency key
// from request_id, calls `call`, and turns the reply into a ToolResult. Meanwhile the
// client hears of it (tools/call_feedback.h): progress when the request asked for
// it, a log line at the end, and cancellation stops the service call.
using ServiceCallFn = std::function<MemoryService::Reply(const Caller&, const MemoryService::Key&)>;
mcp::ToolResult RunTool(std::string_view tool, const boost::json::object& args,
                        mcp::CallContext& ctx, const ServiceCallFn& call);

// The Caller of ctx, or Unauthenticated if the transport set no tools::Principal.
// Its hooks refer to ctx (cancellation, warnings): use it during this call only.
Result<Caller> CallerOf(const mcp::CallContext& ctx);

}  // namespace rm::tools
