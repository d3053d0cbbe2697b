// Reading request params with the checks every method needs. Each function throws
// jsonrpc::Error(kInvalidParams) with a message naming the param when it is malformed.
// Internal to mcp/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "util/status.h"

namespace mcp::params {

// `where` names `params` in messages ("params", "params.ref", ...).

// params[key] as a string; throws when it is absent or not a string.
std::string RequiredString(const boost::json::object& params, std::string_view key,
                           std::string_view where = "params");
// params[key] as a string, or nothing when absent; throws when it is not a string.
std::optional<std::string> OptionalString(const boost::json::object& params, std::string_view key,
                                          std::string_view where = "params");
// params[key] as an object, or null when absent; throws when it is not an object.
const boost::json::object* OptionalObject(const boost::json::object& params, std::string_view key,
                                          std::string_view where = "params");

// The JSON-RPC error for a failed rm::Status from application code: InvalidArgument →
// -32602, NotFound → `not_found_code`, anything else → -32603 (message not disclosed).
[[noreturn]] void ThrowStatus(const rm::Status& status, int not_found_code);

}  // namespace mcp::params
