// The modern era of MCP (revision 2026-07-28 and later): no initialize and no
// session. Each request carries its revision, the client's capabilities and info,
// and its log level in params._meta; every result says what kind of result it is
// (resultType) and who answered (_meta serverInfo); lists say how long they may be
// cached and by whom. docs/PROTOCOL.md says how a request's era is decided.
//
// This file holds what tells the eras apart and what the modern era adds to a
// result; mcp::Session dispatches both eras.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "mcp/call_context.h"
#include "mcp/server_definition.h"

namespace mcp::modern {

// The modern revisions this server speaks, newest first.
const std::vector<std::string>& ModernProtocolVersions();
// Every revision this server speaks, both eras, newest first (server/discover,
// and the -32022 error's data.supported).
std::vector<std::string> AllProtocolVersions();

// The keys of a modern request's params._meta.
inline constexpr std::string_view kProtocolVersionKey = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kClientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kClientInfoKey = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view kLogLevelKey = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view kServerInfoKey = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view kSubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";

// The error codes the modern revision added (all answered with HTTP 400).
enum ErrorCode : int {
  kHeaderMismatch = -32020,                   // an HTTP header disagrees with the body
  kMissingRequiredClientCapability = -32021,  // data.requiredCapabilities
  kUnsupportedProtocolVersion = -32022,       // data.supported, data.requested
};

// The revision a request's params._meta names, if it names one (a string under
// kProtocolVersionKey): such a request belongs to the modern era, whatever else
// the connection did before. nullopt: a legacy request (or no params at all).
std::optional<std::string> DeclaredVersion(const boost::json::value* params);

// What a modern request says about its client.
struct RequestMeta {
  std::string version;
  boost::json::object capabilities;
  std::string client_name;              // clientInfo.name; "" when not sent
  std::optional<LogLevel> log_level;    // nothing: send no log messages for this request
};

// Reads params._meta of a request DeclaredVersion called modern. Throws
// jsonrpc::Error: -32022 for a revision this server does not speak (with
// data.supported and data.requested); -32602 when clientCapabilities is missing or
// not an object, or clientInfo / logLevel are malformed.
RequestMeta ReadRequestMeta(const boost::json::object& params);

// What a retry of a multi-round-trip request carries (SEP-2322): params.inputResponses
// and params.requestState. Read only for the methods that may answer input_required
// (tools/call, prompts/get, resources/read); empty for the others.
struct InputResponses {
  boost::json::object responses;             // key -> the client's result object
  std::optional<std::string> request_state;  // byte for byte as sent
};

// Reads them from a modern request's params. Throws jsonrpc::Error -32602 when
// inputResponses is not an object of objects or requestState is not a string.
InputResponses ReadInputResponses(std::string_view method, const boost::json::object& params);

// True for the methods that may answer with an input_required result.
bool MayRequireInput(std::string_view method);

// Makes `result` a complete modern result of `method`: resultType "complete" (unless
// the handler set one, e.g. "input_required"), _meta serverInfo, and for the
// cacheable methods ttlMs and cacheScope (see the .cc for why each is what it is).
void CompleteResult(std::string_view method, boost::json::value& result, const ServerInfo& info);

// The server/discover result (without the envelope CompleteResult adds).
boost::json::object DiscoverResult(const boost::json::object& capabilities, const std::string& instructions);

// A legacy error code as the modern revision spells it (resource not found is
// -32602 there); others unchanged.
int ModernErrorCode(int legacy_code);

// Methods a modern request may not call: the lifecycle of the legacy era.
bool IsLegacyOnlyMethod(std::string_view method);

}  // namespace mcp::modern
