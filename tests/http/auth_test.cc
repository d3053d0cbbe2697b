// Bearer keys on /mcp: missing, wrong and revoked keys, the key cache, and rate limits.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace http_test {
namespace {

using namespace std::chrono_literals;

TEST(HttpAuth, MissingKeyIsRefusedWithAChallenge) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", McpHeaders(""), InitializeJson());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"reflect-memory\"");
  EXPECT_EQ(r.header("content-type"), "application/json");
  const boost::json::value body = r.json();
  const auto& error = body.at("error").as_object();
  EXPECT_NE(std::string(error.at("message").as_string()).find("Authorization: Bearer"), std::string::npos);
  EXPECT_TRUE(r.json().at("id").is_null());
}

TEST(HttpAuth, UnknownKeyIsRefusedAsInvalidToken) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", McpHeaders("rm_live_nope"), InitializeJson());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"reflect-memory\", error=\"invalid_token\"");
}

TEST(HttpAuth, AnUnreachableKeyStoreGives503WithRetryAfterNot401AndRecovers) {
  TestServer server;
  server.keys().SetUnavailable(true);
  Client client(server.port());
  Response down = client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
  EXPECT_EQ(down.status, 503);  // a 401 would tell the client to throw its good key away
  EXPECT_EQ(down.header("retry-after"), "1");
  EXPECT_NE(std::string(down.json().at("error").at("message").as_string()).find("unavailable"), std::string::npos);
  server.keys().SetUnavailable(false);  // the database is back: no restart, no cached failure
  EXPECT_EQ(client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson()).status, 200);
}

TEST(HttpAuth, OtherSchemesAreRefused) {
  TestServer server;
  Client client(server.port());
  Headers headers = McpHeaders("");
  headers.emplace_back("Authorization", std::string("Basic ") + kAliceKey);
  EXPECT_EQ(client.Send("POST", "/mcp", headers, InitializeJson()).status, 401);
}

TEST(HttpAuth, EveryMethodOfTheEndpointNeedsAKey) {
  TestServer server;
  Client client(server.port());
  EXPECT_EQ(client.Send("GET", "/mcp", {{"Accept", "text/event-stream"}}).status, 401);
  EXPECT_EQ(client.Send("DELETE", "/mcp", {{"Mcp-Session-Id", "00"}}).status, 401);
}

TEST(HttpAuth, ValidKeyOpensASessionAndTheToolSeesItsPrincipal) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response r = CallTool(client, kAliceKey, session, "whoami");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("principal"), "alice");
}

TEST(HttpAuth, RevokedKeyStopsWorkingWithinOneSecond) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  ASSERT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 200);

  server.keys().Revoke(kAliceKey);
  const auto revoked_at = std::chrono::steady_clock::now();
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() - revoked_at < 3s) {
    status = CallTool(client, kAliceKey, session, "whoami").status;
    if (status == 200) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 401);
  EXPECT_LE(std::chrono::steady_clock::now() - revoked_at, 1100ms);
}

TEST(HttpAuth, KeyAnswersAreCachedSoTheStoreIsNotAskedPerRequest) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  const int before = server.keys().lookups();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(CallTool(client, kAliceKey, session, "whoami", {}, 10 + i).status, 200);
  EXPECT_LE(server.keys().lookups() - before, 1);
}

TEST(HttpAuth, RateLimitAnswers429WithRetryAfter) {
  transports::HttpOptions options = TestOptions();
  options.rate_limit_per_second = 1;
  options.rate_limit_burst = 3;
  TestServer server(options);
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);  // 2 requests of the burst of 3
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 200);
  Response limited = CallTool(client, kAliceKey, session, "whoami");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "1");
  EXPECT_TRUE(limited.keep_alive);

  // The limit is per key: Bob is not slowed down by Alice.
  Client bob(server.port());
  EXPECT_EQ(bob.Send("POST", "/mcp", McpHeaders(kBobKey), InitializeJson()).status, 200);

  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 200);
}

TEST(HttpAuth, HealthNeedsNoKey) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("status"), "ok");
}

TEST(HttpAuth, HealthSays503WhileTheApplicationCannotReachItsStore) {
  auto store_up = std::make_shared<std::atomic<bool>>(false);
  transports::HttpOptions options = TestOptions();
  options.healthy = [store_up] { return store_up->load(); };
  TestServer server(std::move(options));
  Client client(server.port());
  Response down = client.Send("GET", "/healthz");
  EXPECT_EQ(down.status, 503);  // a load balancer takes this process out of rotation
  EXPECT_EQ(down.json().at("status"), "unavailable");
  EXPECT_EQ(down.header("retry-after"), "1");
  store_up->store(true);
  EXPECT_EQ(client.Send("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace http_test
