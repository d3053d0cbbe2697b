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
  } catch (const jsonrpc::Error&) {
    // A protocol error the handler found in the request (a requestState that does not
    // open: -32602; a capability it needs and the client did not declare: -32021) is the
    // request's JSON-RPC error, as in prompts/get and resources/read; not the tool failing.
    throw;
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
