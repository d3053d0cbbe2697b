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
        return transports::Credential{std::any(1), "id-1", "user-1"};
      },
      5000ms);  // asked for 5 s, capped at 1 s
  const auto t0 = AuthCache::Clock::now();
  auto known = [&](std::string_view token, AuthCache::Clock::time_point at) {
    transports::AuthAnswer answer = cache.Resolve(token, at);
    EXPECT_TRUE(answer.ok());
    return answer.ok() && answer->has_value();
  };
  EXPECT_TRUE(known("good", t0));
  EXPECT_TRUE(known("good", t0 + 900ms));
  EXPECT_EQ(lookups, 1);
  valid = false;  // revoked
  EXPECT_FALSE(known("good", t0 + 1001ms));
  EXPECT_EQ(lookups, 2);
  EXPECT_FALSE(known("bad", t0));
  EXPECT_FALSE(known("bad", t0 + 10ms));
  EXPECT_EQ(lookups, 3);  // unknown keys are remembered too
}

TEST(AuthCache, AnUnavailableDatabaseIsPassedOnAndNotRemembered) {
  int lookups = 0;
  bool down = true;
  AuthCache cache(
      [&](std::string_view) -> transports::AuthAnswer {
        ++lookups;
        if (down) return rm::Status::Unavailable("connection refused");
        return std::optional<transports::Credential>(transports::Credential{std::any(1), "id-1", "user-1"});
      },
      1000ms);
  const auto t0 = AuthCache::Clock::now();
  transports::AuthAnswer first = cache.Resolve("good", t0);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), rm::Status::Code::kUnavailable);
  down = false;  // back 10 ms later: asked again at once, not answered from a remembered failure
  transports::AuthAnswer second = cache.Resolve("good", t0 + 10ms);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->has_value());
  EXPECT_EQ(lookups, 2);
}

TEST(SessionRegistry, SessionsBelongToTheirCredentialAndExpireWhenIdle) {
  mcp::ServerDefinition definition;
  SessionRegistry sessions({.total = 2}, 10s);
  auto make = [&] { return std::make_shared<mcp::Session>(definition, std::any(), [](std::string) {}); };
  const auto t0 = SessionRegistry::Clock::now();
  auto a = sessions.Create("key-a", "user-a", make, t0);
  ASSERT_TRUE(std::holds_alternative<SessionRegistry::Created>(a));
  const auto& a_created = std::get<SessionRegistry::Created>(a);
  EXPECT_EQ(sessions.Find(a_created.id, "key-a", t0 + 1s), a_created.session);
  EXPECT_EQ(sessions.Find(a_created.id, "key-b", t0 + 1s), nullptr);
  ASSERT_TRUE(std::holds_alternative<SessionRegistry::Created>(sessions.Create("key-b", "user-b", make, t0)));
  auto full = sessions.Create("key-c", "user-c", make, t0 + 2s);  // full, nobody idle
  ASSERT_TRUE(std::holds_alternative<SessionRegistry::Refused>(full));
  EXPECT_EQ(std::get<SessionRegistry::Refused>(full), SessionRegistry::Refused::kFull);
  // a (used at 1 s) and b idle: room again
  EXPECT_TRUE(std::holds_alternative<SessionRegistry::Created>(sessions.Create("key-c", "user-c", make, t0 + 11s + 1ms + 1s)));
  EXPECT_EQ(sessions.Find(a_created.id, "key-a", t0 + 13s), nullptr);
}

// The caps of issue 20 (item 3) at the registry's level: a key, and a user across its keys,
// make room from their own least recently used sessions and never from anyone else's.
TEST(SessionRegistry, KeyAndUserCapsEvictTheirOwnLeastRecentlyUsedSession) {
  mcp::ServerDefinition definition;
  SessionRegistry sessions({.total = 100, .per_key = 2, .per_user = 3}, 10min);
  auto make = [&] { return std::make_shared<mcp::Session>(definition, std::any(), [](std::string) {}); };
  const auto t0 = SessionRegistry::Clock::now();
  auto open = [&](const std::string& key, const std::string& user, SessionRegistry::Clock::duration at) {
    auto created = sessions.Create(key, user, make, t0 + at);
    EXPECT_TRUE(std::holds_alternative<SessionRegistry::Created>(created));
    return std::get<SessionRegistry::Created>(created);
  };
  const auto other = open("key-b", "user-b", 0s);
  const auto a1 = open("key-a", "user-a", 1s);
  const auto a2 = open("key-a", "user-a", 2s);
  ASSERT_TRUE(sessions.Find(a1.id, "key-a", t0 + 3s));  // a2 is now the key's idlest
  const auto a3 = open("key-a", "user-a", 4s);
  EXPECT_EQ(a3.evicted, 1u);
  EXPECT_FALSE(sessions.Find(a2.id, "key-a", t0 + 5s));
  EXPECT_TRUE(sessions.Find(a1.id, "key-a", t0 + 5s));
  // user-a holds 2 (a1, a3); its second key brings it to 3, then the next goes over the user cap.
  const auto c1 = open("key-c", "user-a", 6s);
  EXPECT_EQ(c1.evicted, 0u);
  const auto c2 = open("key-c", "user-a", 7s);
  EXPECT_EQ(c2.evicted, 1u);
  EXPECT_FALSE(sessions.Find(a3.id, "key-a", t0 + 8s)) << "a3 (used at 4 s; a1 at 5 s) was the user's idlest";
  EXPECT_EQ(sessions.size(), 4u);  // other, a1, c1, c2
  EXPECT_TRUE(sessions.Find(other.id, "key-b", t0 + 8s)) << "another user's session is never taken";
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
  auto posted = endpoint.Post(request, transports::Credential{std::string("alice"), "key-a", "alice"});
  EXPECT_TRUE(std::holds_alternative<McpCall>(posted)) << "the request was answered at once";
  return std::holds_alternative<McpCall>(posted) ? std::get<McpCall>(std::move(posted)) : McpCall{};
}

// Requests run on worker threads, in whatever order the pool picks them, so a request must
// be judged against the lifecycle as it stood when it arrived: one that arrived while the
// session's initialize was still waiting for a worker is refused even if it runs after it.
TEST(McpEndpoint, RequestThatArrivedBeforeInitializeFinishedIsRefusedWhenItRunsLater) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  SessionRegistry sessions({.total = 8}, 60s);
  McpEndpoint endpoint(*server, sessions, nullptr, transports::http::Reply{403, "", "", {}});

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
