#include "transports/http/replies.h"

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/utf8.h"

namespace transports::http {

Reply JsonReply(int status, std::string json) {
  return Reply{status, "application/json", std::move(json), {}};
}

Reply ErrorReply(int status, int code, std::string_view message) {
  // Messages may quote request headers (Host, Origin, MCP-Protocol-Version), which may
  // hold any byte; the reply must still be JSON.
  return JsonReply(status,
                   boost::json::serialize(mcp::jsonrpc::MakeError(nullptr, code, mcp::EscapeIfNotUtf8(message))));
}

Reply Accepted() { return Reply{202, "", "", {}}; }

}  // namespace transports::http
