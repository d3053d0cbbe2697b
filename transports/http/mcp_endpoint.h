// McpEndpoint: the Streamable HTTP semantics of /mcp once the caller is known, in both
// eras (docs/PROTOCOL.md): legacy sessions (created by initialize, bound to the caller's
// key) and the MCP-Protocol-Version header; 2026-07-28 requests with no session, their
// mirrored headers (mirrored_headers.h) and their HTTP statuses; 202 for notifications and
// responses; and running requests on a session.
#pragma once

#include <functional>
#include <optional>
#include <variant>

#include "mcp/server_definition.h"
#include "transports/http/exchange.h"
#include "transports/http/http_server.h"
#include "transports/http/metrics.h"
#include "transports/http/session_registry.h"

namespace transports::http {

class McpEndpoint {
 public:
  // `metrics` may be null (metrics off). `insufficient_scope` is the 403 a caller without the
  // write scope (Credential::may_write) gets for a request that is not read-only.
  McpEndpoint(const mcp::ServerDefinition& server, SessionRegistry& sessions, Metrics* metrics,
              Reply insufficient_scope);

  // POST /mcp. Cheap work (checks, notifications, responses) is done here and answered;
  // requests come back as an McpCall to run on a worker.
  std::variant<Reply, McpCall> Post(Request& request, const Credential& caller);
  // DELETE /mcp: ends the caller's session.
  Reply Delete(const Request& request, const Credential& caller);

  // Runs the call's messages on its session (on a worker thread). Messages the server sends
  // before the response go to `sink`. A listen that stays open (McpResult::listening) calls
  // `ended` when it ends (mcp::Session::Handle).
  McpResult Run(McpCall& call, const mcp::OutboundSink& sink, mcp::ListenEnded ended = {});

  // --- live changes (live_endpoint.cc)
  // GET /mcp: the standalone stream of the caller's session (handshake era), as an McpCall
  // with standalone_stream set, or the refusal.
  std::variant<Reply, McpCall> Get(const Request& request, const Credential& caller);
  // Opens the standalone stream of `call` (on the connection's strand); the refusal if it cannot.
  std::optional<Reply> OpenStream(McpCall& call, const mcp::OutboundSink& sink, std::function<void()> ended);

 private:
  // A 2026-07-28 message (info.modern_version set): the mirrored headers are checked, and a
  // request runs on a session of its own.
  std::variant<Reply, McpCall> PostModern(Request& request, const Credential& caller, mcp::ReceivedMessage message,
                                          const mcp::MessageInfo& info, bool accepts_sse);
  // The caller's session named by the request, or the 400/404 reply.
  std::variant<std::shared_ptr<mcp::Session>, Reply> ExistingSession(const Request& request,
                                                                     const Credential& caller);
  void CountRequests(std::string_view body);
  // A modern request without Mcp-Session-Id: served by a session of its own, which lives as
  // long as the call (a listen keeps it while its stream is open).
  // A listen the transport cannot carry (the client does not accept an event stream).
  std::optional<Reply> CheckListen(const mcp::MessageInfo& info, const McpCall& call) const;
  // A single request that changes nothing (McpCall::read_only).
  bool IsReadOnly(const mcp::MessageInfo& info) const;

  const mcp::ServerDefinition& server_;
  SessionRegistry& sessions_;
  Reply insufficient_scope_;
  Metrics* metrics_;
};

}  // namespace transports::http
