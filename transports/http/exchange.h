// The transport's view of one HTTP exchange, free of Boost.Beast so that the decisions
// (routing, guards, MCP semantics) read as plain code and the socket code stays small.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mcp/session.h"

namespace transports::http {

// A request as received. Views point into the connection's parsed request, which
// outlives routing. Absent headers are empty.
struct Request {
  std::string_view method;  // "POST"
  std::string_view target;  // "/mcp" or "/mcp?x=1"
  std::string_view host;
  std::string_view origin;
  std::string_view authorization;
  std::string_view session_id;        // Mcp-Session-Id
  std::string_view protocol_version;  // MCP-Protocol-Version
  std::string_view mcp_method;        // Mcp-Method (2026-07-28: repeats the body's method)
  std::string_view mcp_name;          // Mcp-Name (2026-07-28: repeats params.name or params.uri)
  std::string_view accept;
  std::string_view content_type;
  std::string_view cookie;
  std::string body;
  std::string peer_address;
  bool from_loopback = false;  // the peer's address is 127.0.0.0/8 or ::1
  bool can_stream = false;     // HTTP/1.1: a response of unknown length can be chunked
};

using Header = std::pair<std::string, std::string>;

// A complete response.
struct Reply {
  int status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  std::vector<Header> headers;
};

// A JSON-RPC request to run on a worker thread; its response may be preceded by messages
// the server sends while it runs (a text/event-stream, when `can_stream`).
struct McpCall {
  std::shared_ptr<mcp::Session> session;
  std::string session_id;
  std::string credential_id;
  bool new_session = false;  // initialize: the session is dropped again if it fails
  bool can_stream = false;   // the client accepts text/event-stream and the connection can chunk
  bool read_only = false;    // one request that changes nothing: it runs on the read workers
  // Live changes (transports/http/live_endpoint.cc): a subscriptions/listen request, whose
  // stream stays open after the worker returns; or GET /mcp, the session's standalone stream
  // (no message, nothing for a worker to run).
  bool listen = false;
  bool standalone_stream = false;
  // A 2026-07-28 request: `session` is its own, made for it alone and bound to the caller's
  // credential (no Mcp-Session-Id); closing the connection before it is answered cancels it.
  bool modern = false;
  std::vector<Header> headers;  // for the response, JSON or stream (Mcp-Session-Id of a new session)
  // The body, received by the session when the POST arrived: it is judged against the
  // session's lifecycle as it stood then, whenever a worker runs it.
  mcp::ReceivedMessage message;
};

// What a worker produced for an McpCall.
struct McpResult {
  std::optional<std::string> message;  // nothing: the request was cancelled
  std::vector<Header> headers;          // the call's headers, unless initialize failed
  bool listening = false;               // a listen that stays open: its stream goes on
  int status = 200;  // a 2026-07-28 request's errors have their own statuses (400, 404)
};

// A page or endpoint of the application's route table (HttpRoute), to run on a worker.
struct RouteCall {
  std::function<Reply()> run;
};

// The router's decision: answer now, or run MCP requests (or a route's handler) on a worker.
struct Routed {
  std::variant<Reply, McpCall, RouteCall> action;
  std::string credential_id;  // who asked, for the access log (empty before authentication)
  std::vector<Header> headers;  // added to whatever response this request gets (CORS)
};

}  // namespace transports::http
