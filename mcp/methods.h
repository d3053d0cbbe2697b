// The MCP request methods that only read the server definition: tools, resources,
// prompts and completion. Each takes a request's params and returns its result, or
// throws jsonrpc::Error. The Session owns the lifecycle methods (initialize, ping,
// logging/setLevel) because they change session state. Internal to mcp/.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/protocol_version.h"
#include "mcp/server_definition.h"

namespace mcp::methods {

struct Request {
  const ServerDefinition& server;
  const boost::json::object& params;
  CallContext& ctx;
  RevisionFeatures features;
};

boost::json::value ListTools(const Request& request);
boost::json::value CallTool(const Request& request);

boost::json::value ListResources(const Request& request);
boost::json::value ReadResource(const Request& request);
boost::json::value ListResourceTemplates(const Request& request);

boost::json::value ListPrompts(const Request& request);
boost::json::value GetPrompt(const Request& request);

boost::json::value Complete(const Request& request);

}  // namespace mcp::methods
