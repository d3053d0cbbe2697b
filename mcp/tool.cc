#include "mcp/tool.h"

#include <stdexcept>

#include <boost/json/serialize.hpp>

namespace mcp {

ToolResult ToolResult::Ok(boost::json::value structured) {
  ToolResult result;
  result.structured = std::move(structured);
  return result;
}

ToolResult ToolResult::Error(std::string_view code, std::string_view message) {
  ToolResult result;
  result.structured = boost::json::object{
      {"error", boost::json::object{{"code", code}, {"message", message}}}};
  result.is_error = true;
  return result;
}

ToolResult ToolResult::NeedsInput(boost::json::object input_requests, std::string request_state) {
  ToolResult result;
  result.input_required = InputRequired{std::move(input_requests), std::move(request_state)};
  return result;
}

void ToolRegistry::Add(Tool tool) {
  if (tool.name.empty()) throw std::invalid_argument("tool name is empty");
  if (Find(tool.name)) throw std::invalid_argument("tool '" + tool.name + "' is registered twice");
  if (!tool.handler) throw std::invalid_argument("tool '" + tool.name + "' has no handler");
  const auto* type = tool.input_schema.if_contains("type");
  if (!type || *type != "object") {
    throw std::invalid_argument("tool '" + tool.name +
                                "': inputSchema must be {\"type\":\"object\",...}");
  }
  tools_.push_back(std::move(tool));
}

const Tool* ToolRegistry::Find(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

}  // namespace mcp
