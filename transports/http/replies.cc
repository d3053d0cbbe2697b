#include "transports/http/replies.h"

#include <cstdio>

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/utf8.h"

namespace transports::http {
namespace {

// Error messages quote request headers (Host, Origin, MCP-Protocol-Version), whose
// values may hold any byte. JSON text must be UTF-8 and Boost.JSON serializes strings
// as given, so a message that is not valid UTF-8 gets its non-ASCII bytes written as
// \xNN: the reply stays valid JSON and still shows the client what it sent.
std::string PrintableUtf8(std::string_view message) {
  if (mcp::IsValidUtf8(message)) return std::string(message);
  std::string out;
  for (unsigned char c : message) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
    }
  }
  return out;
}

}  // namespace

Reply JsonReply(int status, std::string json) {
  return Reply{status, "application/json", std::move(json), {}};
}

Reply ErrorReply(int status, int code, std::string_view message) {
  return JsonReply(status, boost::json::serialize(mcp::jsonrpc::MakeError(nullptr, code, PrintableUtf8(message))));
}

Reply Accepted() { return Reply{202, "", "", {}}; }

}  // namespace transports::http
