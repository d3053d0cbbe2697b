// Drives an mcp::Session the way a transport would, for tests: sends messages as
// text, parses what comes back, and records the notifications the server sends.
#pragma once

#include <any>
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "mcp/session.h"

namespace fixture {

class SessionClient {
 public:
  explicit SessionClient(const mcp::ServerDefinition& server, std::any principal = std::string("alice"))
      : session_(server, std::move(principal), [this](std::string message) { Record(std::move(message)); }) {}

  // The parsed response to `text`, or nothing when the server sends none.
  std::optional<boost::json::value> Send(std::string_view text) {
    auto response = session_.Handle(text);
    if (!response) return std::nullopt;
    return boost::json::parse(*response);
  }

  // Sends a request with a fresh integer id and returns the whole response object.
  boost::json::object Request(std::string_view method, boost::json::object params = {}) {
    boost::json::object request{{"jsonrpc", "2.0"}, {"id", ++next_id_}, {"method", method}};
    if (!params.empty()) request["params"] = std::move(params);
    auto response = Send(boost::json::serialize(request));
    return response ? response->as_object() : boost::json::object{};
  }

  void Notify(std::string_view method, boost::json::object params = {}) {
    boost::json::object message{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
    Send(boost::json::serialize(message));
  }

  // initialize + notifications/initialized; returns the initialize response.
  boost::json::object Initialize(std::string_view version = "2025-11-25",
                                 std::string_view client = "test-client") {
    auto response = Request("initialize", {{"protocolVersion", version},
                                           {"capabilities", boost::json::object{}},
                                           {"clientInfo", {{"name", client}, {"version", "1.0"}}}});
    Notify("notifications/initialized");
    return response;
  }

  // tools/call; returns the result object (empty if the response was an error).
  boost::json::object CallTool(std::string_view name, boost::json::object arguments = {}) {
    auto response = Request("tools/call", {{"name", name}, {"arguments", std::move(arguments)}});
    const auto* result = response.if_contains("result");
    return result ? result->as_object() : boost::json::object{};
  }

  std::vector<boost::json::object> Notifications() {
    std::lock_guard lock(mutex_);
    return notifications_;
  }

  mcp::Session& session() { return session_; }

 private:
  void Record(std::string message) {
    std::lock_guard lock(mutex_);
    notifications_.push_back(boost::json::parse(message).as_object());
  }

  std::mutex mutex_;
  std::vector<boost::json::object> notifications_;
  std::atomic<long> next_id_{0};
  mcp::Session session_;  // last: its sink refers to the members above
};

// The error code of a response (0 when it is not an error).
inline int64_t ErrorCode(const boost::json::object& response) {
  const auto* error = response.if_contains("error");
  return error ? error->at("code").to_number<int64_t>() : 0;
}
inline std::string ErrorMessage(const boost::json::object& response) {
  const auto* error = response.if_contains("error");
  return error ? std::string(error->at("message").as_string()) : "";
}

}  // namespace fixture
