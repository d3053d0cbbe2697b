// The application's route table (HttpOptions::routes: OAuth and sign-in pages), the OAuth
// challenge on 401s (RFC 9728), and read-only credentials (403 insufficient_scope).
#include <gtest/gtest.h>

#include "tests/http/test_server.h"
#include "transports/http/access_log.h"

namespace http_test {
namespace {

// A route that reports what it received, with two cookies (a reply may repeat a header).
transports::HttpRoute EchoRoute(std::string path, bool any_origin) {
  return {std::move(path), any_origin, [](const transports::HttpRouteRequest& r) {
            return transports::HttpRouteReply{
                200,
                "text/plain",
                r.method + " " + r.path + " q=" + r.query + " cookie=" + r.cookie + " body=" + r.body +
                    " peer=" + r.peer_address,
                {{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}};
          }};
}

transports::HttpOptions WithRoutes() {
  transports::HttpOptions options = TestOptions();
  options.routes = {EchoRoute("/page", false), EchoRoute("/public", true)};
  options.resource_metadata_url = "http://127.0.0.1/.well-known/oauth-protected-resource/mcp";
  return options;
}

TEST(HttpRoutes, ARouteGetsTheRequestAndItsReplyIsSent) {
  TestServer server(WithRoutes());
  Client client(server.port());
  Response r = client.Send("POST", "/page?x=1&y=2", {{"Cookie", "rm_session=abc"}, {"Content-Type", "text/plain"}}, "hello");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /page q=x=1&y=2 cookie=rm_session=abc body=hello peer=127.0.0.1");
  EXPECT_FALSE(r.header("set-cookie").empty());
}

TEST(HttpRoutes, PagesRefuseForeignOriginsButPublicEndpointsServeAnyOrigin) {
  TestServer server(WithRoutes());
  Client client(server.port());
  EXPECT_EQ(client.Send("POST", "/page", {{"Origin", "https://evil.example"}}, "x").status, 403);
  Response open = client.Send("POST", "/public", {{"Origin", "https://evil.example"}}, "x");
  EXPECT_EQ(open.status, 200);
  EXPECT_EQ(open.header("access-control-allow-origin"), "*");
  Response preflight = client.Send("OPTIONS", "/public", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_NE(preflight.header("access-control-allow-methods").find("POST"), std::string::npos);
  // Still only under this server's own names (DNS rebinding).
  EXPECT_EQ(client.Send("GET", "/public", {{"Host", "rebind.example"}}).status, 403);
  EXPECT_EQ(client.Send("GET", "/nowhere").status, 404);
}

TEST(HttpRoutes, A401PointsToTheProtectedResourceMetadata) {
  TestServer server(WithRoutes());
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", McpHeaders(""), InitializeJson());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"),
            "Bearer realm=\"reflect-memory\", resource_metadata=\"http://127.0.0.1/.well-known/"
            "oauth-protected-resource/mcp\", scope=\"mcp:read mcp:write\"");
}

TEST(HttpRoutes, AReadOnlyCredentialReadsButCannotCallAToolThatWrites) {
  TestServer server(WithRoutes());
  const std::string reader = "rm_at_reader";
  transports::Credential credential{std::any(std::string("carol")), "grant-carol", "carol"};
  credential.may_write = false;
  server.keys().AddCredential(reader, credential);
  Client client(server.port());
  const std::string session = OpenSession(client, reader);
  Response read = CallTool(client, reader, session, "echo", {{"text", "hi"}});
  EXPECT_EQ(read.status, 200) << read.body;
  Response write = CallTool(client, reader, session, "whoami", {});
  EXPECT_EQ(write.status, 403);
  EXPECT_NE(write.header("www-authenticate").find("error=\"insufficient_scope\""), std::string::npos);
  EXPECT_NE(write.header("www-authenticate").find("resource_metadata="), std::string::npos);
}

TEST(HttpAccessLog, QueryValuesNeverReachTheLog) {
  using transports::http::RedactedTarget;
  EXPECT_EQ(RedactedTarget("/signin?link=rm_secret_token&next=%2F"), "/signin?link=…&next=…");
  EXPECT_EQ(RedactedTarget("/cb?code=abc&state=xyz&flag"), "/cb?code=…&state=…&flag");
  EXPECT_EQ(RedactedTarget("/mcp"), "/mcp");
  EXPECT_EQ(RedactedTarget("/invite/0123abcd?x=1"), "/invite/…");
}

}  // namespace
}  // namespace http_test
