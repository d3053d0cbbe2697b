#include "transports/http/replies.h"

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"

namespace transports::http {

Reply JsonReply(int status, std::string json) {
  return Reply{status, "application/json", std::move(json), {}};
}

Reply ErrorReply(int status, int code, std::string_view message) {
  return JsonReply(status, boost::json::serialize(mcp::jsonrpc::MakeError(nullptr, code, message)));
}

Reply Accepted() { return Reply{202, "", "", {}}; }

}  // namespace transports::http
