// McpEndpoint: the Streamable HTTP semantics of /mcp once the caller is known, in both
// eras (docs/PROTOCOL.md): legacy sessions (created by initialize, bound to the caller's
// key) and the MCP-Protocol-Version header; 2026-07-28 requests with no session, their
// mirrored headers (mirrored_headers.h) and their HTTP statuses; 202 for notifications and
// responses; and running requests on a session.
#pragma once

#include <variant>

#include "mcp/server_definition.h"
#include "transports/http/exchange.h"
#include "transports/http/http_server.h"
#include "transports/http/metrics.h"
#include "transports/http/session_registry.h"

namespace transports::http {

class McpEndpoint {
 public:
  // `metrics` may be null (metrics off).
  McpEndpoint(const mcp::ServerDefinition& server, SessionRegistry& sessions, Metrics* metrics);

  // POST /mcp. Cheap work (checks, notifications, responses) is done here and answered;
  // requests come back as an McpCall to run on a worker.
  std::variant<Reply, McpCall> Post(Request& request, const Credential& caller);
  // DELETE /mcp: ends the caller's session.
  Reply Delete(const Request& request, const Credential& caller);

  // Runs the call's messages on its session (on a worker thread). Messages the server sends
  // before the response go to `sink`.
  McpResult Run(McpCall& call, const mcp::OutboundSink& sink);

 private:
  // A 2026-07-28 message (info.modern_version set): the mirrored headers are checked, and a
  // request runs on a session of its own.
  std::variant<Reply, McpCall> PostModern(Request& request, const Credential& caller, mcp::ReceivedMessage message,
                                          const mcp::MessageInfo& info, bool accepts_sse);
  // The caller's session named by the request, or the 400/404 reply.
  std::variant<std::shared_ptr<mcp::Session>, Reply> ExistingSession(const Request& request,
                                                                     const Credential& caller);
  void CountRequests(std::string_view body);
  // A single request that changes nothing (McpCall::read_only).
  bool IsReadOnly(const mcp::MessageInfo& info) const;

  const mcp::ServerDefinition& server_;
  SessionRegistry& sessions_;
  Metrics* metrics_;
};

}  // namespace transports::http
