// tools/list and tools/call.
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/methods.h"
#include "mcp/pagination.h"
#include "mcp/params.h"
#include "mcp/schema_validator.h"

namespace mcp::methods {
namespace {

namespace json = boost::json;

json::object DescribeTool(const Tool& tool, const RevisionFeatures& features) {
  json::object out{{"name", tool.name}, {"description", tool.description},
                   {"inputSchema", tool.input_schema}};
  if (features.titles && !tool.title.empty()) out["title"] = tool.title;
  if (features.structured_content && !tool.output_schema.empty()) {
    out["outputSchema"] = tool.output_schema;
  }
  if (features.tool_annotations) {
    // Every hint is sent explicitly: the spec's defaults (destructive and open-world
    // true) are the opposite of ours.
    const ToolAnnotations& a = tool.annotations;
    json::object annotations{{"readOnlyHint", a.read_only_hint},
                             {"destructiveHint", a.destructive_hint},
                             {"idempotentHint", a.idempotent_hint},
                             {"openWorldHint", a.open_world_hint}};
    if (!a.title.empty()) annotations["title"] = a.title;
    out["annotations"] = std::move(annotations);
  }
  return out;
}

// The CallToolResult for `result`: content (by default `structured` as one text block),
// structuredContent where the revision has it, isError.
json::object ToCallToolResult(const ToolResult& result, const RevisionFeatures& features) {
  json::object out;
  if (result.content) {
    out["content"] = *result.content;
  } else {
    out["content"] = json::array{json::object{{"type", "text"}, {"text", json::serialize(result.structured)}}};
  }
  if (features.structured_content && result.structured.is_object()) {
    out["structuredContent"] = result.structured;
  }
  out["isError"] = result.is_error;
  return out;
}

// Why `input` may not be sent to this request's client, or nothing when it may: only a
// modern request may get input_required (SEP-2322), and each input request must be
// one of the three methods, for a capability the client declared in this request.
std::optional<std::string> InputRequiredProblem(const InputRequired& input, const CallContext& ctx) {
  if (!ctx.modern()) return "input_required is only allowed in protocol revision 2026-07-28 and later";
  if (input.input_requests.empty() && input.request_state.empty()) {
    return "input_required needs inputRequests or requestState";
  }
  for (const auto& entry : input.input_requests) {
    const json::object* request = entry.value().if_object();
    const json::value* method = request ? request->if_contains("method") : nullptr;
    if (method == nullptr || !method->is_string()) return "inputRequests." + std::string(entry.key()) + " has no method";
    std::string_view capability;
    if (*method == "elicitation/create") capability = "elicitation";
    else if (*method == "sampling/createMessage") capability = "sampling";
    else if (*method == "roots/list") capability = "roots";
    else return "inputRequests." + std::string(entry.key()) + ": a client cannot be asked " + std::string(method->get_string());
    if (!ctx.client_capabilities().contains(capability)) {
      return "inputRequests." + std::string(entry.key()) + ": the client did not declare '" + std::string(capability) + "'";
    }
  }
  return std::nullopt;
}

// The InputRequiredResult: no content, no structuredContent, no isError (so nothing a
// client validates against the tool's outputSchema). CompleteResult adds _meta and
// leaves the resultType, and caches nothing.
json::object ToInputRequiredResult(const InputRequired& input) {
  json::object out{{"resultType", "input_required"}};
  if (!input.input_requests.empty()) out["inputRequests"] = input.input_requests;
  if (!input.request_state.empty()) out["requestState"] = input.request_state;
  return out;
}

const ToolRegistry& Tools(const Request& request) {
  // Without tools the capability is not declared: the methods do not exist.
  if (request.server.tools.empty()) {
    throw jsonrpc::Error(jsonrpc::kMethodNotFound, "this server has no tools");
  }
  return request.server.tools;
}

}  // namespace

json::value ListTools(const Request& request) {
  return ListPage("tools", Tools(request).All(), request.server.page_size,
                  params::OptionalString(request.params, "cursor"),
                  [&](const Tool& tool) { return DescribeTool(tool, request.features); });
}

json::value CallTool(const Request& request) {
  const std::string name = params::RequiredString(request.params, "name");
  const Tool* tool = Tools(request).Find(name);
  if (!tool) throw jsonrpc::Error(jsonrpc::kInvalidParams, "unknown tool '" + name + "'");

  static const json::object kNoArguments;
  const json::object* arguments = params::OptionalObject(request.params, "arguments");
  if (!arguments) arguments = &kNoArguments;

  // A model can fix bad arguments, so they are a tool result it will read, not a protocol error.
  if (auto problem = ValidateAgainstSchema(*arguments, tool->input_schema)) {
    return ToCallToolResult(ToolResult::Error("validation_error", *problem), request.features);
  }
  try {
    ToolResult result = tool->handler(*arguments, request.ctx);
    if (!result.input_required) return ToCallToolResult(result, request.features);
    if (auto problem = InputRequiredProblem(*result.input_required, request.ctx)) {
      // A handler's bug, never the client's: answer as for a handler that threw.
      throw std::logic_error(*problem);
    }
    return ToInputRequiredResult(*result.input_required);
  } catch (const std::exception& e) {
    if (request.server.report_internal_error) {
      request.server.report_internal_error("tool '" + name + "' threw: " + e.what());
    }
  } catch (...) {
    if (request.server.report_internal_error) {
      request.server.report_internal_error("tool '" + name + "' threw a non-standard exception");
    }
  }
  return ToCallToolResult(
      ToolResult::Error("internal_error", "the tool '" + name + "' failed unexpectedly; the server logged the cause"),
      request.features);
}

}  // namespace mcp::methods
