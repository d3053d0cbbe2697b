#include "mcp/json_rpc.h"

namespace mcp::jsonrpc {
namespace {

// MCP ids are strings or integers; JSON-RPC discourages fractions and MCP forbids null.
bool IsValidId(const boost::json::value& id) {
  return id.is_string() || id.is_int64() || id.is_uint64();
}

}  // namespace

Message ReadMessage(const boost::json::value& value) {
  const boost::json::object* object = value.if_object();
  if (!object) throw Error(kInvalidRequest, "Invalid request: a message must be a JSON object");
  const boost::json::value* version = object->if_contains("jsonrpc");
  if (!version || *version != "2.0") {
    throw Error(kInvalidRequest, "Invalid request: \"jsonrpc\" must be \"2.0\"");
  }
  Message message;
  const boost::json::value* method = object->if_contains("method");
  const boost::json::value* id = object->if_contains("id");
  if (!method && (object->contains("result") || object->contains("error"))) {
    // A response. We never answer one (not even a malformed one: answering could
    // start an endless exchange of errors), so its id is taken as it is.
    message.kind = Message::Kind::kResponse;
    if (id) message.id = *id;
    return message;
  }
  if (id && !IsValidId(*id)) {
    throw Error(kInvalidRequest, "Invalid request: \"id\" must be a string or an integer");
  }
  if (!method) {
    throw Error(kInvalidRequest,
                "Invalid request: a message needs a \"method\" (request or notification), or "
                "\"result\" or \"error\" (response)");
  }
  if (!method->is_string()) throw Error(kInvalidRequest, "Invalid request: \"method\" must be a string");
  message.method = method->get_string();
  message.kind = id ? Message::Kind::kRequest : Message::Kind::kNotification;
  if (id) message.id = *id;
  message.params = object->if_contains("params");
  return message;
}

boost::json::value ResponseIdOf(const boost::json::value& message) {
  if (const auto* object = message.if_object()) {
    if (const auto* id = object->if_contains("id"); id && IsValidId(*id)) return *id;
  }
  return nullptr;
}

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
