// Fuzz target: the HTTP request path without sockets. The input is what a client
// sends on one connection — one or more pipelined HTTP/1.1 requests. Each is parsed
// by Boost.Beast with the server's limits, mapped to a transports::http::Request the
// way transports/http/connection.cc maps it, routed (Host/Origin checks, bearer key,
// /healthz, /metrics, /mcp sessions), and an MCP call is run on the real server.
//
// Keys: "Bearer rm_live_fuzzowner" is an owner key, "Bearer rm_live_fuzzagent" an
// agent key (vendor claude); any other token is unknown. An Mcp-Session-Id of
// "@session" stands for the session the last initialize created (its id is random).
//
// Invariants: every reply has an HTTP status in 100..599 and, when it says JSON, a body
// that parses; every MCP response passes the checks of response_checks.h.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>

#include "tests/fuzz/memory_fixture.h"
#include "tests/fuzz/response_checks.h"
#include "transports/http/exchange.h"
#include "transports/http/metrics.h"
#include "transports/http/router.h"
#include "transports/http/session_registry.h"

namespace {
namespace bhttp = boost::beast::http;
using transports::http::Reply;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

transports::HttpOptions FuzzOptions(fuzz::MemoryFixture& fixture) {
  transports::HttpOptions options;
  options.authenticator = [&fixture](std::string_view token) -> std::optional<transports::Credential> {
    if (token == "rm_live_fuzzowner") return transports::Credential{fixture.PrincipalOf(fuzz::Identity::kOwnerKey), "k1", "u1"};
    if (token == "rm_live_fuzzagent") return transports::Credential{fixture.PrincipalOf(fuzz::Identity::kAgentKey), "k2", "u1"};
    return std::nullopt;
  };
  options.rate_limit_per_second = 0;  // a fuzzer outruns any real rate limit; 429s would hide the rest
  options.allowed_origins = {"https://app.example.com"};
  return options;
}

void CheckReply(const Reply& reply) {
  fuzz::Require(reply.status >= 100 && reply.status <= 599, "an HTTP status out of range", reply.body);
  if (reply.content_type.rfind("application/json", 0) == 0) {
    boost::json::error_code ec;
    boost::json::parse(reply.body, ec);
    fuzz::Require(!ec, "a JSON reply that does not parse", reply.body);
  }
}

// Parses the next request off `rest` with the server's limits; nothing when the bytes
// are not a complete, valid request (the server would answer 400/413/431 and close).
std::optional<bhttp::request<bhttp::string_body>> ParseNext(std::string_view& rest,
                                                            const transports::HttpOptions& options) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    ec = {};
    const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec && ec != bhttp::error::need_more) return std::nullopt;
    if (used == 0) {  // no progress: the input holds no more of this request
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return std::nullopt;
    }
  }
  return parser.release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::MemoryFixture& fixture = fuzz::MemoryFixture::Get();
  fixture.BeginInput();
  const transports::HttpOptions options = FuzzOptions(fixture);
  transports::http::SessionRegistry sessions(
      {options.max_sessions, options.max_sessions_per_key, options.max_sessions_per_user}, options.session_idle_timeout);
  transports::http::Metrics metrics(fixture.tool_names());
  transports::http::Router router(fixture.server(), options, /*bound_to_loopback=*/true, sessions, &metrics);
  std::string last_session_id;

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    std::optional<bhttp::request<bhttp::string_body>> parsed = ParseNext(rest, options);
    if (!parsed) break;
    // As transports/http/connection.cc does (Connection::Dispatch).
    transports::http::Request request;
    request.method = View(parsed->method_string());
    request.target = View(parsed->target());
    request.host = View((*parsed)[bhttp::field::host]);
    request.origin = View((*parsed)[bhttp::field::origin]);
    request.authorization = View((*parsed)[bhttp::field::authorization]);
    request.session_id = View((*parsed)["Mcp-Session-Id"]);
    if (request.session_id == "@session") request.session_id = last_session_id;
    request.protocol_version = View((*parsed)["MCP-Protocol-Version"]);
    request.accept = View((*parsed)[bhttp::field::accept]);
    request.content_type = View((*parsed)[bhttp::field::content_type]);
    request.body = std::move(parsed->body());
    request.from_loopback = true;
    request.can_stream = parsed->version() >= 11;

    transports::http::Routed routed = router.Route(request);
    if (const Reply* reply = std::get_if<Reply>(&routed.action)) {
      CheckReply(*reply);
      continue;
    }
    transports::http::McpCall& call = std::get<transports::http::McpCall>(routed.action);
    transports::http::McpResult result =
        router.Run(call, [](std::string message) { fuzz::CheckNotification(message); });
    if (result.message) fuzz::CheckResponse(*result.message);
    for (const auto& [name, value] : result.headers) {
      if (name == "Mcp-Session-Id") last_session_id = value;
    }
    if (!parsed->keep_alive()) break;
  }
  fixture.EndInput();
  return 0;
}
