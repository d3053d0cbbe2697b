// ServerDefinition: everything that makes up one MCP server, shared (read-only)
// by all of its sessions. The application fills it at start-up, then hands it to
// a transport; it must outlive every Session built on it.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mcp/call_context.h"
#include "mcp/prompt.h"
#include "mcp/resource.h"
#include "mcp/tool.h"

namespace mcp {

struct ServerInfo {
  std::string name = "reflect-memory";
  std::string version = RM_VERSION;
  std::string title = "Reflect Memory";  // sent from 2025-06-18 on
};

struct ServerDefinition {
  ServerInfo info;

  // The initialize result's "instructions", computed for the caller (empty: omitted).
  std::function<std::string(CallContext& ctx)> instructions;

  ToolRegistry tools;
  PromptRegistry prompts;
  // Null: the server declares no resources capability.
  std::shared_ptr<ResourceProvider> resources;

  // Page size of tools/list, prompts/list and resources/templates/list.
  std::size_t page_size = 50;

  // Told about failures the client only sees as "internal error" (a handler that threw),
  // so an operator can find them in the log. mcp/ does no I/O itself.
  std::function<void(std::string_view what)> report_internal_error;
};

}  // namespace mcp
