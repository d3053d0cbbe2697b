#include "bench/stdio_session.h"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace bench {
namespace json = boost::json;

StdioSession::StdioSession(const std::vector<std::string>& server, const std::string& client_name)
    : child_(server, /*capture_stderr=*/false) {
  Call("initialize", {{"protocolVersion", "2025-11-25"},
                      {"capabilities", json::object{}},
                      {"clientInfo", {{"name", client_name}, {"version", "1"}}}});
  Notify("notifications/initialized");
}

json::object StdioSession::Call(std::string_view method, const json::object& params, std::chrono::seconds timeout) {
  const std::int64_t id = ++next_id_;
  json::object request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.empty()) request["params"] = params;
  if (!child_.io().WriteLine(json::serialize(request))) throw std::runtime_error("the server closed its input");
  for (;;) {
    auto line = child_.io().ReadLine(timeout);
    if (!line) throw std::runtime_error("no response to " + std::string(method) + " within the timeout");
    json::object message = json::parse(*line).as_object();
    if (!message.contains("id")) continue;  // a notification
    if (message.at("id") != id) throw std::runtime_error("response to another request: " + *line);
    if (message.contains("error")) throw std::runtime_error("error: " + json::serialize(message.at("error")));
    return message;
  }
}

json::object StdioSession::CallTool(std::string_view tool, const json::object& arguments) {
  json::object response = Call("tools/call", {{"name", tool}, {"arguments", arguments}});
  json::object& result = response.at("result").as_object();
  if (const json::value* is_error = result.if_contains("isError"); is_error && *is_error == true) {
    throw std::runtime_error(std::string(tool) + " answered with an error: " + json::serialize(result));
  }
  return std::move(result);
}

void StdioSession::Notify(std::string_view method) {
  child_.io().WriteLine(json::serialize(json::object{{"jsonrpc", "2.0"}, {"method", method}}));
}

void StdioSession::Finish() {
  child_.io().CloseWrite();
  child_.Wait(std::chrono::seconds(30));
}

}  // namespace bench
