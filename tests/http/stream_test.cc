// How responses travel: JSON, or an event stream when the server has something to say
// before the response; keep-alive; body limits.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace http_test {
namespace {

TEST(HttpStream, PlainRequestsGetJson) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response r = CallTool(client, kAliceKey, session, "echo", {{"text", "hi"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("echo"), "hi");
}

TEST(HttpStream, ProgressTurnsTheResponseIntoAnEventStream) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response r = CallTool(client, kAliceKey, session, "progress", {}, 7, {{"progressToken", "tok"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  const auto events = r.events();
  ASSERT_EQ(events.size(), 4u) << r.body;  // three progress notifications, then the response
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].at("method"), "notifications/progress");
    EXPECT_EQ(events[i].at("params").at("progressToken"), "tok");
    EXPECT_EQ(events[i].at("params").at("progress").to_number<double>(), i + 1);
  }
  EXPECT_EQ(events[3].at("id"), 7);
  EXPECT_EQ(events[3].at("result").at("structuredContent").at("steps"), 3);
  EXPECT_NE(r.body.find("event: message\ndata: "), std::string::npos);
  // The stream ended cleanly, so the connection serves the next request.
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami", {}, 8).status, 200);
}

TEST(HttpStream, ClientsThatTakeOnlyJsonGetTheResponseWithoutTheNotifications) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Headers headers = McpHeaders(kAliceKey, session, "2025-11-25");
  for (auto& [name, value] : headers) {
    if (name == "Accept") value = "application/json";
  }
  Response r = client.Send("POST", "/mcp", headers,
                           RequestJson(9, "tools/call", {{"name", "progress"},
                                                          {"arguments", boost::json::object{}},
                                                          {"_meta", {{"progressToken", 1}}}}));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.json().at("result").at("structuredContent").at("steps"), 3);
}

TEST(HttpStream, LogMessagesTravelOnTheRequestsStream) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  ASSERT_EQ(client.Send("POST", "/mcp", McpHeaders(kAliceKey, session, "2025-11-25"),
                        RequestJson(3, "logging/setLevel", {{"level", "error"}}))
                .status,
            200);
  Response r = CallTool(client, kAliceKey, session, "log");
  ASSERT_EQ(r.header("content-type"), "text/event-stream");
  const auto events = r.events();
  ASSERT_EQ(events.size(), 5u) << r.body;  // error, critical, alert, emergency, then the response
  EXPECT_EQ(events[0].at("params").at("level"), "error");
  EXPECT_TRUE(events[4].as_object().contains("result"));
}

TEST(HttpStream, OneConnectionServesManyRequests) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  for (int i = 0; i < 50; ++i) {
    Response r = CallTool(client, kAliceKey, session, "echo", {{"text", std::to_string(i)}}, 100 + i);
    ASSERT_EQ(r.status, 200);
    ASSERT_TRUE(r.keep_alive);
    ASSERT_EQ(r.json().at("id"), 100 + i);
  }
}

TEST(HttpStream, ClientsThatWaitFor100ContinueGetIt) {
  TestServer server;
  Client client(server.port());
  const std::string body = InitializeJson();
  client.WriteRaw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Accept: application/json, text/event-stream\r\nAuthorization: Bearer " +
                  std::string(kAliceKey) + "\r\nExpect: 100-continue\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n");
  auto go_on = client.ReadResponse();
  ASSERT_TRUE(go_on.has_value());
  EXPECT_EQ(go_on->status, 100);
  client.WriteRaw(body);
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("mcp-session-id").size(), 32u);
}

TEST(HttpStream, BodiesOverTheLimitAre413) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  const std::string big = RequestJson(4, "tools/call", {{"name", "echo"}, {"arguments", {{"text", std::string(1024 * 1024, 'x')}}}});
  Response r = client.Send("POST", "/mcp", McpHeaders(kAliceKey, session, "2025-11-25"), big);
  EXPECT_EQ(r.status, 413);
  EXPECT_FALSE(r.keep_alive);
}

TEST(HttpStream, BodiesJustUnderTheLimitAreServed) {
  transports::HttpOptions options = TestOptions();
  options.max_body_bytes = 2000;
  TestServer server(options);
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  const std::string text(1500, 'x');
  Response r = CallTool(client, kAliceKey, session, "echo", {{"text", text}});
  ASSERT_EQ(r.status, 200);  // the tool rejects the long text, but the transport let it through
  EXPECT_EQ(r.json().at("result").at("isError"), true);
}

}  // namespace
}  // namespace http_test
