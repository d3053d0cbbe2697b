// The MCP request methods that only read the server definition: tools, resources,
// prompts and completion. Each takes a request's params and returns its result, or
// throws jsonrpc::Error. The Session owns the lifecycle methods (initialize, ping,
// logging/setLevel) because they change session state. Internal to mcp/.
#pragma once

#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/input_required.h"
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

// input_required results (tools/call, prompts/get; mcp/input_required.h).
// Why `input` may not be sent to this request's client, or nothing when it may: only a
// modern request may get one, and each input request must be one of the three methods,
// for a capability the client declared in this request.
std::optional<std::string> InputRequiredProblem(const InputRequired& input, const CallContext& ctx);
// The InputRequiredResult; CompleteResult adds _meta, keeps the resultType, caches nothing.
boost::json::object ToInputRequiredResult(const InputRequired& input);

}  // namespace mcp::methods
