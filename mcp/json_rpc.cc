#include "mcp/json_rpc.h"

namespace mcp::jsonrpc {

boost::json::object MakeResult(const boost::json::value& id, boost::json::value result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

boost::json::object MakeError(const boost::json::value& id, int code, std::string_view message,
                              const std::optional<boost::json::value>& data) {
  boost::json::object error{{"code", code}, {"message", message}};
  if (data) error["data"] = *data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

boost::json::object MakeNotification(std::string_view method, boost::json::object params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace mcp::jsonrpc
