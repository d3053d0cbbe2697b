// Builders for the transport's own replies (errors before or around MCP).
//
// Error bodies are JSON-RPC error responses with a null id, as the MCP transport spec
// suggests, so a client always gets JSON it can show: {"jsonrpc":"2.0","id":null,
// "error":{"code":-32000,"message":"..."}}.
#pragma once

#include <string>
#include <string_view>

#include "transports/http/exchange.h"

namespace transports::http {

// JSON-RPC codes used at the HTTP level (the server-error range -32000..-32099 is ours).
inline constexpr int kTransportError = -32000;
inline constexpr int kSessionNotFound = -32001;

Reply JsonReply(int status, std::string json);
// `status` with a JSON-RPC error body.
Reply ErrorReply(int status, int code, std::string_view message);
// 202 Accepted with no body.
Reply Accepted();

}  // namespace transports::http
