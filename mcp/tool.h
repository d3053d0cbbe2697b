// Tools: their declarations, their results, and the registry a server holds.
//
// A tool is a name, JSON Schemas for its input and output, hints for clients,
// and a handler. The Session validates `arguments` against `input_schema`
// (see schema_validator.h) before the handler runs, so a handler may rely on
// the declared types, required fields, enums and bounds.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/input_required.h"

namespace mcp {

// Hints for clients (MCP ToolAnnotations). Never trusted by the server itself.
struct ToolAnnotations {
  std::string title;
  bool read_only_hint = false;
  bool destructive_hint = false;
  bool idempotent_hint = false;
  bool open_world_hint = false;
};

struct ToolResult {
  // Sent as structuredContent (when the revision has it) AND, serialized, as the one text block.
  boost::json::value structured;
  bool is_error = false;
  // When set, replaces the default content (one text block of `structured`);
  // ChatGPT's search/fetch need one exact text item.
  std::optional<boost::json::array> content;
  // Set: the tool asks the client for input instead of finishing (mcp/input_required.h);
  // structured, is_error and content are then unused.
  std::optional<InputRequired> input_required;

  // A successful result carrying `structured`.
  static ToolResult Ok(boost::json::value structured);
  // An error a model can fix: {"error":{"code":code,"message":message}} with isError.
  // `code` is snake_case: "validation_error", "not_found", "quota_exceeded", ...
  static ToolResult Error(std::string_view code, std::string_view message);
  // A result asking the client for input (modern requests only; see InputRequired).
  static ToolResult NeedsInput(boost::json::object input_requests, std::string request_state);
};

using ToolHandler = std::function<ToolResult(const boost::json::object& args, CallContext& ctx)>;

struct Tool {
  std::string name;         // unique in the registry, [A-Za-z0-9_.-]{1,128}
  std::string title;        // for people; sent from 2025-06-18 on
  std::string description;  // for the model
  boost::json::object input_schema;   // a JSON Schema object ({"type":"object",...})
  boost::json::object output_schema;  // empty: none declared
  ToolAnnotations annotations;
  ToolHandler handler;
};

// The server's tools in registration order (tools/list returns them in this order).
// Filled once at start-up, then only read, so it needs no lock.
class ToolRegistry {
 public:
  // Throws std::invalid_argument for an empty or duplicate name, a missing handler,
  // or an input schema that is not {"type":"object",...}.
  void Add(Tool tool);

  // The tool called `name`, or null.
  const Tool* Find(std::string_view name) const;
  const std::vector<Tool>& All() const { return tools_; }
  bool empty() const { return tools_.empty(); }

 private:
  std::vector<Tool> tools_;
};

}  // namespace mcp
