// Router: decides what to do with each HTTP request. /healthz is answered here to anyone;
// every other path must first pass the Guard's source checks (Host, Origin: 403 — routes
// marked any_origin skip the Origin check); then /metrics is answered here (loopback peers
// only), /mcp is authenticated by the Guard and goes to the McpEndpoint, the application's
// routes (HttpOptions::routes: OAuth, sign-in) run on a worker, and anything else is 404.
#pragma once

#include "mcp/server_definition.h"
#include "transports/http/exchange.h"
#include "transports/http/guard.h"
#include "transports/http/http_server.h"
#include "transports/http/mcp_endpoint.h"
#include "transports/http/metrics.h"
#include "transports/http/session_registry.h"

namespace transports::http {

class Router {
 public:
  // `metrics` may be null (metrics off).
  Router(const mcp::ServerDefinition& server, const HttpOptions& options, bool bound_to_loopback,
         SessionRegistry& sessions, Metrics* metrics);

  // Runs on an I/O thread: must stay cheap (no JSON-RPC request is run here).
  Routed Route(Request& request);

  // Runs an McpCall that Route returned; on a worker thread.
  McpResult Run(McpCall& call, const mcp::OutboundSink& sink, mcp::ListenEnded ended = {}) {
    return mcp_.Run(call, sink, std::move(ended));
  }
  // Opens the standalone stream of an McpCall with standalone_stream (GET /mcp); on the I/O strand.
  std::optional<Reply> OpenStream(McpCall& call, const mcp::OutboundSink& sink, std::function<void()> ended) {
    return mcp_.OpenStream(call, sink, std::move(ended));
  }

 private:
  Routed RouteMcp(Request& request);
  // One of the application's routes (nullptr: none has this path).
  const HttpRoute* FindRoute(std::string_view path) const;
  Routed RouteApplication(const HttpRoute& route, Request& request, std::string_view path);
  // Authenticates, then hands the request to the MCP endpoint.
  Routed Admitted(Request& request);

  std::vector<HttpRoute> routes_;
  std::function<bool()> healthy_;  // HttpOptions::healthy
  Guard guard_;
  McpEndpoint mcp_;
  SessionRegistry& sessions_;
  Metrics* metrics_;
};

}  // namespace transports::http
