// Origin and Host checks: the defences against cross-site requests and DNS rebinding.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"
#include "transports/http/origin_policy.h"

namespace http_test {
namespace {

using transports::http::OriginPolicy;

Headers With(Headers headers, const std::string& name, const std::string& value) {
  headers.emplace_back(name, value);
  return headers;
}

// Alice's initialize, sent by a page of `origin`.
Response InitializeFrom(Client& client, const std::string& origin) {
  return client.Send("POST", "/mcp", With(McpHeaders(kAliceKey), "Origin", origin), InitializeJson());
}

TEST(HttpGuard, ForeignOriginIsForbidden) {
  TestServer server;
  Client client(server.port());
  Response r = InitializeFrom(client, "https://evil.example.com");
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.json().at("id").is_null());
  EXPECT_TRUE(r.json().at("error").is_object());
}

TEST(HttpGuard, LocalOriginsAndNoOriginAreAllowed) {
  TestServer server;
  for (const std::string origin : {"http://localhost:3000", "http://127.0.0.1", "https://[::1]:8080", ""}) {
    Client client(server.port());
    Headers headers = McpHeaders(kAliceKey);
    if (!origin.empty()) headers.emplace_back("Origin", origin);
    EXPECT_EQ(client.Send("POST", "/mcp", headers, InitializeJson()).status, 200) << origin;
  }
}

TEST(HttpGuard, ConfiguredOriginIsAllowed) {
  transports::HttpOptions options = TestOptions();
  options.allowed_origins = {"https://app.example.com"};
  TestServer server(options);
  Client client(server.port());
  EXPECT_EQ(InitializeFrom(client, "https://app.example.com").status, 200);
  EXPECT_EQ(InitializeFrom(client, "http://app.example.com").status, 403);  // another scheme is another origin
}

TEST(HttpGuard, ForeignHostOnALoopbackServerIsForbiddenEvenWithAValidKey) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", With(McpHeaders(kAliceKey), "Host", "evil.example.com:8765"),
                           InitializeJson());
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Host"), std::string::npos);
}

// Issue 20, item 7: /metrics skipped the Host and Origin checks that /mcp applies, so a page
// on a rebinding domain (evil.example resolving to 127.0.0.1) could read every user's traffic
// figures. Every route but /healthz now passes the same source checks.
TEST(HttpGuard, MetricsRefuseAForeignHostOrOriginLikeMcp) {
  TestServer server;
  Client client(server.port());
  Response host = client.Send("GET", "/metrics", {{"Host", "evil.example"}});
  EXPECT_EQ(host.status, 403) << host.body;
  EXPECT_EQ(host.body.find("rm_http_responses_total"), std::string::npos) << "no figures in the refusal";
  EXPECT_NE(host.body.find("Host"), std::string::npos) << host.body;
  Response origin = client.Send("GET", "/metrics", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(origin.status, 403) << origin.body;
  // The same requests from the machine's own names still get the figures.
  EXPECT_EQ(client.Send("GET", "/metrics").status, 200);
  EXPECT_EQ(client.Send("GET", "/metrics", {{"Host", "localhost:8765"}, {"Origin", "http://localhost:3000"}}).status,
            200);
  // /healthz stays open to anyone who can reach the port (load balancers, probes).
  EXPECT_EQ(client.Send("GET", "/healthz", {{"Host", "evil.example"}}).status, 200);
}

// The same on a server bound to every address (0.0.0.0), where the Host header cannot be
// checked for /mcp (a public server is reached under names it does not know): a rebinding
// page's request still arrives from loopback, so /metrics also asks for a local Host.
TEST(HttpGuard, MetricsRefuseAForeignHostOnAServerBoundToEveryAddress) {
  transports::HttpOptions options = TestOptions();
  options.host = "0.0.0.0";
  TestServer server(options);
  Client client(server.port());
  Response foreign = client.Send("GET", "/metrics", {{"Host", "evil.example"}});
  EXPECT_NE(foreign.status, 200) << foreign.body;
  EXPECT_EQ(foreign.body.find("rm_http_responses_total"), std::string::npos) << "no figures for a foreign Host";
  EXPECT_EQ(client.Send("GET", "/metrics", {{"Host", "localhost:8765"}}).status, 200);
  EXPECT_EQ(client.Send("GET", "/metrics", {{"Host", "127.0.0.1"}}).status, 200);
}

TEST(HttpGuard, BrowserPagesFromAllowedOriginsMayCallAndReadTheSessionId) {
  transports::HttpOptions options = TestOptions();
  options.allowed_origins = {"https://app.example.com"};
  TestServer server(options);
  Client client(server.port());
  // The preflight a browser sends first carries no key.
  Response preflight = client.Send("OPTIONS", "/mcp",
                                   {{"Origin", "https://app.example.com"},
                                    {"Access-Control-Request-Method", "POST"},
                                    {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "https://app.example.com");
  EXPECT_NE(preflight.header("access-control-allow-headers").find("Mcp-Session-Id"), std::string::npos);
  EXPECT_NE(preflight.header("access-control-allow-methods").find("POST"), std::string::npos);

  Response init = InitializeFrom(client, "https://app.example.com");
  EXPECT_EQ(init.status, 200);
  EXPECT_EQ(init.header("access-control-allow-origin"), "https://app.example.com");
  EXPECT_NE(init.header("access-control-expose-headers").find("Mcp-Session-Id"), std::string::npos);

  // Other origins get neither.
  Response foreign = client.Send("OPTIONS", "/mcp", {{"Origin", "https://evil.example.com"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_TRUE(foreign.header("access-control-allow-origin").empty());
  // Clients that are not browsers send no Origin and get no CORS headers.
  Response plain = client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
  EXPECT_TRUE(plain.header("access-control-allow-origin").empty());
}

TEST(OriginPolicy, LoopbackNamesAreParsedNotPrefixMatched) {
  OriginPolicy policy({}, {}, /*bound_to_loopback=*/true);
  EXPECT_TRUE(policy.HostAllowed("localhost:8765"));
  EXPECT_TRUE(policy.HostAllowed("127.0.0.1"));
  EXPECT_TRUE(policy.HostAllowed("127.1.2.3:80"));
  EXPECT_TRUE(policy.HostAllowed("[::1]:8765"));
  EXPECT_TRUE(policy.HostAllowed("LOCALHOST"));
  EXPECT_FALSE(policy.HostAllowed("127.evil.example.com"));
  EXPECT_FALSE(policy.HostAllowed("localhost.evil.example.com"));
  EXPECT_FALSE(policy.HostAllowed(""));
  EXPECT_FALSE(policy.OriginAllowed("null"));
  EXPECT_FALSE(policy.OriginAllowed("http://127.evil.example.com"));
  EXPECT_FALSE(policy.OriginAllowed("file://localhost"));
  EXPECT_TRUE(policy.OriginAllowed("http://LOCALHOST:5173/"));
}

TEST(OriginPolicy, PublicServersDoNotCheckHostButStillCheckOrigin) {
  OriginPolicy policy({"https://app.example.com"}, {}, /*bound_to_loopback=*/false);
  EXPECT_TRUE(policy.HostAllowed("memory.example.com"));
  EXPECT_TRUE(policy.OriginAllowed("https://app.example.com"));
  EXPECT_FALSE(policy.OriginAllowed("https://evil.example.com"));
}

TEST(OriginPolicy, ProxyNamesCanBeAllowedOnALoopbackServer) {
  OriginPolicy policy({"https://app.example.com"}, {"memory.example.com"}, /*bound_to_loopback=*/true);
  EXPECT_TRUE(policy.HostAllowed("memory.example.com"));
  EXPECT_TRUE(policy.HostAllowed("app.example.com:443"));
  EXPECT_FALSE(policy.HostAllowed("other.example.com"));
}

}  // namespace
}  // namespace http_test
