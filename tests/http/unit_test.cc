// The transport's small parts on their own: token buckets, the key cache, sessions,
// the /mcp endpoint without sockets.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/mcp/fixture_server.h"
#include "transports/http/auth_cache.h"
#include "transports/http/mcp_endpoint.h"
#include "transports/http/rate_limiter.h"
#include "transports/http/session_registry.h"

namespace http_test {
namespace {

using namespace std::chrono_literals;
using transports::http::AuthCache;
using transports::http::McpCall;
using transports::http::McpEndpoint;
using transports::http::RateLimiter;
using transports::http::SessionRegistry;

TEST(RateLimiter, AllowsTheBurstThenRefillsAtTheRate) {
  RateLimiter limiter(10, 3);  // 10/s: one token per 100 ms
  const auto t0 = RateLimiter::Clock::now();
  EXPECT_FALSE(limiter.Take("k", t0));
  EXPECT_FALSE(limiter.Take("k", t0));
  EXPECT_FALSE(limiter.Take("k", t0));
  auto wait = limiter.Take("k", t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 100ms);
  EXPECT_TRUE(limiter.Take("k", t0 + 50ms));
  EXPECT_FALSE(limiter.Take("k", t0 + 150ms));
  EXPECT_FALSE(limiter.Take("other", t0));  // buckets are per key
}

TEST(RateLimiter, ZeroRateMeansUnlimited) {
  RateLimiter limiter(0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(limiter.Take("k"));
}

TEST(AuthCache, ReusesAnswersForTheTtlAndNeverLonger) {
  int lookups = 0;
  bool valid = true;
  AuthCache cache(
      [&](std::string_view token) -> std::optional<transports::Credential> {
        ++lookups;
        if (!valid || token != "good") return std::nullopt;
        return transports::Credential{std::any(1), "id-1"};
      },
      5000ms);  // asked for 5 s, capped at 1 s
  const auto t0 = AuthCache::Clock::now();
  EXPECT_TRUE(cache.Resolve("good", t0));
  EXPECT_TRUE(cache.Resolve("good", t0 + 900ms));
  EXPECT_EQ(lookups, 1);
  valid = false;  // revoked
  EXPECT_FALSE(cache.Resolve("good", t0 + 1001ms));
  EXPECT_EQ(lookups, 2);
  EXPECT_FALSE(cache.Resolve("bad", t0));
  EXPECT_FALSE(cache.Resolve("bad", t0 + 10ms));
  EXPECT_EQ(lookups, 3);  // unknown keys are remembered too
}

TEST(SessionRegistry, SessionsBelongToTheirCredentialAndExpireWhenIdle) {
  mcp::ServerDefinition definition;
  SessionRegistry sessions(2, 10s);
  auto make = [&] { return std::make_shared<mcp::Session>(definition, std::any(), [](std::string) {}); };
  const auto t0 = SessionRegistry::Clock::now();
  auto a = sessions.Create("key-a", make, t0);
  ASSERT_TRUE(a);
  EXPECT_EQ(sessions.Find(a->id, "key-a", t0 + 1s), a->session);
  EXPECT_EQ(sessions.Find(a->id, "key-b", t0 + 1s), nullptr);
  auto b = sessions.Create("key-b", make, t0);
  ASSERT_TRUE(b);
  EXPECT_FALSE(sessions.Create("key-c", make, t0 + 2s));  // full, nobody idle
  EXPECT_TRUE(sessions.Create("key-c", make, t0 + 11s + 1ms + 1s));  // a (used at 1 s) and b idle: room again
  EXPECT_EQ(sessions.Find(a->id, "key-a", t0 + 13s), nullptr);
}

// A POST /mcp as the connection would hand it over.
transports::http::Request McpPost(std::string body, std::string_view session_id = {}) {
  transports::http::Request request;
  request.method = "POST";
  request.target = "/mcp";
  request.accept = "application/json, text/event-stream";
  request.content_type = "application/json";
  request.session_id = session_id;
  request.body = std::move(body);
  return request;
}

McpCall PostCall(McpEndpoint& endpoint, transports::http::Request request) {
  auto posted = endpoint.Post(request, transports::Credential{std::string("alice"), "key-a"});
  EXPECT_TRUE(std::holds_alternative<McpCall>(posted)) << "the request was answered at once";
  return std::holds_alternative<McpCall>(posted) ? std::get<McpCall>(std::move(posted)) : McpCall{};
}

// Requests run on worker threads, in whatever order the pool picks them, so a request must
// be judged against the lifecycle as it stood when it arrived: one that arrived while the
// session's initialize was still waiting for a worker is refused even if it runs after it.
TEST(McpEndpoint, RequestThatArrivedBeforeInitializeFinishedIsRefusedWhenItRunsLater) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  SessionRegistry sessions(8, 60s);
  McpEndpoint endpoint(*server, sessions, nullptr);

  McpCall initialize = PostCall(endpoint, McpPost(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{)"
                                                  R"("protocolVersion":"2025-11-25","capabilities":{}}})"));
  ASSERT_FALSE(initialize.session_id.empty());
  McpCall early_list =
      PostCall(endpoint, McpPost(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", initialize.session_id));

  const auto init_result = endpoint.Run(initialize, {});
  ASSERT_TRUE(init_result.message);
  EXPECT_TRUE(boost::json::parse(*init_result.message).as_object().contains("result")) << *init_result.message;
  const auto list_result = endpoint.Run(early_list, {});
  ASSERT_TRUE(list_result.message);
  const auto response = boost::json::parse(*list_result.message).as_object();
  ASSERT_TRUE(response.contains("error")) << "tools/list arrived before initialize finished: " << *list_result.message;
  EXPECT_EQ(response.at("error").at("code"), -32600);

  // Requests that arrive once initialize has finished are served.
  McpCall later_list =
      PostCall(endpoint, McpPost(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})", initialize.session_id));
  const auto later = endpoint.Run(later_list, {});
  ASSERT_TRUE(later.message);
  EXPECT_TRUE(boost::json::parse(*later.message).as_object().contains("result")) << *later.message;
}

}  // namespace
}  // namespace http_test
