// JSON-RPC 2.0 as MCP uses it: error codes, the error type method handlers
// throw, and builders for the messages a server sends.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace mcp::jsonrpc {

// The codes of the JSON-RPC 2.0 specification, plus MCP's resource-not-found.
enum ErrorCode : int {
  kParseError = -32700,      // not JSON (the id is then null)
  kInvalidRequest = -32600,  // JSON, but not a valid request object
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kResourceNotFound = -32002,  // MCP: resources/read of an unknown URI
};

// Thrown by a method handler to answer with a JSON-RPC error instead of a result.
class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message, std::optional<boost::json::value> data = std::nullopt)
      : std::runtime_error(message), code_(code), data_(std::move(data)) {}
  int code() const { return code_; }
  const std::optional<boost::json::value>& data() const { return data_; }

 private:
  int code_;
  std::optional<boost::json::value> data_;
};

// One message received, as JSON-RPC 2.0 defines its three shapes. Views into the
// parsed value it was read from, which must outlive it.
struct Message {
  enum class Kind { kRequest, kNotification, kResponse };
  Kind kind = Kind::kNotification;
  boost::json::value id;                        // requests and responses; null for notifications
  std::string_view method;                      // requests and notifications
  const boost::json::value* params = nullptr;   // null when absent; not yet checked
};

// Reads the envelope of one message (not a batch). Throws Error(kInvalidRequest) naming
// what is wrong: not an object, "jsonrpc" not "2.0", a method that is not a string, an id
// that is not a string or an integer (MCP forbids null ids), or neither method nor
// result/error. Anything with result or error and no method is a response.
Message ReadMessage(const boost::json::value& message);

// The id to answer an invalid message with: its id if that is a valid id, else null.
boost::json::value ResponseIdOf(const boost::json::value& message);

// {"jsonrpc":"2.0","id":id,"result":result}
boost::json::object MakeResult(const boost::json::value& id, boost::json::value result);
// {"jsonrpc":"2.0","id":id,"error":{"code":code,"message":message[,"data":data]}}
boost::json::object MakeError(const boost::json::value& id, int code, std::string_view message,
                              const std::optional<boost::json::value>& data = std::nullopt);
// {"jsonrpc":"2.0","method":method,"params":params}
boost::json::object MakeNotification(std::string_view method, boost::json::object params);

}  // namespace mcp::jsonrpc
