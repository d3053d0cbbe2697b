// Live changes over Streamable HTTP (docs/PROTOCOL.md, "Live changes"): the parts of
// McpEndpoint that carry long-lived streams, kept apart from the request rules of
// mcp_endpoint.cc.
//
// - subscriptions/listen (2026-07-28): a POST whose response is an event stream that
//   stays open: the acknowledgement, then notifications, until the client closes it
//   (which cancels the listen) or the server ends it (the final result, then the end).
//   It needs a client that accepts text/event-stream (else 406).
// - GET /mcp with Mcp-Session-Id (handshake era): the session's standalone stream, where
//   resources/subscribe updates and list_changed go. One per session (409 for a second).
#include <spdlog/spdlog.h>

#include "mcp/json_rpc.h"
#include "transports/http/mcp_endpoint.h"
#include "transports/http/replies.h"

namespace transports::http {
namespace {

bool AcceptsEventStream(std::string_view accept) {
  for (std::size_t i = 0; i + 17 <= accept.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < 17 && match; ++j) {
      match = std::tolower(static_cast<unsigned char>(accept[i + j])) == "text/event-stream"[j];
    }
    if (match) return true;
  }
  return false;
}

}  // namespace

std::optional<Reply> McpEndpoint::CheckListen(const mcp::MessageInfo& info, const McpCall& call) const {
  if (!info.listen || call.can_stream) return std::nullopt;
  return ErrorReply(406, kTransportError,
                    "Not Acceptable: subscriptions/listen answers with an event stream that stays open; "
                    "send Accept: application/json, text/event-stream over HTTP/1.1");
}

std::variant<Reply, McpCall> McpEndpoint::Get(const Request& request, const Credential& caller) {
  if (!AcceptsEventStream(request.accept)) {
    return ErrorReply(406, kTransportError,
                      "Not Acceptable: GET /mcp opens the session's event stream; send Accept: text/event-stream");
  }
  if (!request.can_stream) {
    return ErrorReply(405, kTransportError, "Method Not Allowed: the event stream needs HTTP/1.1");
  }
  auto found = ExistingSession(request, caller);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  McpCall call;
  call.session = std::get<std::shared_ptr<mcp::Session>>(std::move(found));
  call.session_id = std::string(request.session_id);
  call.credential_id = caller.id;
  call.can_stream = true;
  call.standalone_stream = true;
  return call;
}

std::optional<Reply> McpEndpoint::OpenStream(McpCall& call, const mcp::OutboundSink& sink,
                                             std::function<void()> ended) {
  try {
    if (call.session->OpenStream(sink, std::move(ended))) return std::nullopt;
  } catch (const mcp::jsonrpc::Error& e) {
    if (e.code() == mcp::jsonrpc::kMethodNotFound) {
      Reply reply = ErrorReply(405, kTransportError,
                               "Method Not Allowed: this server opens no standalone event stream; everything it "
                               "sends arrives on the stream of the POST it belongs to");
      reply.headers.emplace_back("Allow", "POST, DELETE");
      return reply;
    }
    Reply reply = ErrorReply(429, kTransportError, e.what());
    reply.headers.emplace_back("Retry-After", "1");
    return reply;
  }
  return ErrorReply(409, kTransportError,
                    "Conflict: this session's event stream is open already; one stream per session");
}

}  // namespace transports::http
