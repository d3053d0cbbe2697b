// Checks what a stdio server wrote to stdout: nothing but JSON-RPC 2.0 messages, one
// per line. Test support only.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace testing_support {

// `line` as a JSON-RPC 2.0 message; anything else fails the test (and yields an empty object).
inline boost::json::object JsonRpcMessage(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value message = boost::json::parse(line, ec);
  if (ec || !message.is_object()) {
    ADD_FAILURE() << "not a JSON object on stdout: " << line;
    return {};
  }
  const boost::json::value* version = message.get_object().if_contains("jsonrpc");
  if (!version || *version != "2.0") ADD_FAILURE() << "not JSON-RPC 2.0 on stdout: " << line;
  return std::move(message.get_object());
}

// Every line of `out` as a JSON-RPC message; `out` must end with a complete line.
inline std::vector<boost::json::object> JsonRpcLines(const std::string& out) {
  std::vector<boost::json::object> messages;
  std::size_t start = 0;
  for (std::size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    messages.push_back(JsonRpcMessage(std::string_view(out).substr(start, end - start)));
  }
  EXPECT_EQ(start, out.size()) << "stdout ends in the middle of a line: " << out.substr(start);
  return messages;
}

// The message answering request `id` among `messages`; an empty object if none does.
inline boost::json::object ResponseTo(const std::vector<boost::json::object>& messages, std::int64_t id) {
  for (const auto& message : messages) {
    const boost::json::value* got = message.if_contains("id");
    if (got && got->is_int64() && got->as_int64() == id) return message;
  }
  return {};
}

}  // namespace testing_support
