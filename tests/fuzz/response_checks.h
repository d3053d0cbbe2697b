// What every fuzz target checks about the server's answers, whatever the input:
// the server may refuse anything, but always with well-formed JSON-RPC.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "mcp/session.h"

namespace fuzz {

// initialize (revision 2025-11-25, client "claude-code") + notifications/initialized.
void InitializeSession(mcp::Session& session);

// `text` is one JSON-RPC 2.0 response object, or a non-empty batch array of them:
// "jsonrpc":"2.0", an "id", and exactly one of "result" and "error" (an error with an
// integer code and a string message, never -32603 internal error); a tool error
// (isError) carries {"error":{"code","message"}}, never internal_error or io_error.
// Returns the parsed object of a single response (empty for a batch).
boost::json::object CheckResponse(std::string_view text);

// `text` is a JSON-RPC 2.0 notification or request the server sent (progress, log).
void CheckNotification(std::string_view text);

// A tools/call answer: a JSON-RPC error, or a result with a "content" array.
void CheckToolCallResponse(const boost::json::object& response);

}  // namespace fuzz
