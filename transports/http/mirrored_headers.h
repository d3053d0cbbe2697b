// The HTTP headers a 2026-07-28 POST repeats from its body (MCP-Protocol-Version,
// Mcp-Method, Mcp-Name), so that proxies and load balancers can route on them without
// reading the body. The body is the truth: a header that is missing or says something
// else is refused with -32020 (HeaderMismatch) and HTTP 400 (docs/PROTOCOL.md,
// "HTTP and stdio in each era").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mcp/session.h"
#include "transports/http/exchange.h"

namespace transports::http {

// A mirrored header's value as the client meant it. Values that are not plain
// header-safe ASCII travel as "=?base64?{base64 of the UTF-8}?=" (the sentinel is
// lowercase and case-sensitive); that form is decoded, anything else is returned as
// sent. nullopt: the sentinel form around something that is not valid base64.
std::optional<std::string> DecodeMirroredValue(std::string_view value);

// The methods whose Mcp-Name header must repeat params.name (tools/call, prompts/get)
// or params.uri (resources/read).
bool NeedsMcpName(std::string_view method);

// Why the headers of the modern message `info` disagree with its body (the message of
// the -32020 error), or nothing when they agree. MCP-Protocol-Version is required on
// every POST, Mcp-Method on every request (on a notification it is checked when sent),
// Mcp-Name on the three methods above.
std::optional<std::string> MirroredHeaderMismatch(const Request& request, const mcp::MessageInfo& info);

}  // namespace transports::http
