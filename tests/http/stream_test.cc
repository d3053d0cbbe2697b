// How responses travel: JSON, or an event stream when the server has something to say
// before the response; keep-alive; body limits.
#include <future>

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

// A server whose one tool asks the client to fill in a form and returns the answer.
std::unique_ptr<mcp::ServerDefinition> AskingServer() {
  auto server = std::make_unique<mcp::ServerDefinition>();
  mcp::Tool ask;
  ask.name = "ask";
  ask.description = "Asks the user";
  ask.input_schema = boost::json::object{{"type", "object"}};
  ask.handler = [](const boost::json::object&, mcp::CallContext& ctx) {
    auto answer = ctx.request("elicitation/create",
                              {{"message", "Your name?"}, {"requestedSchema", {{"type", "object"}}}});
    if (!answer.ok()) return mcp::ToolResult::Error("no_answer", answer.status().message());
    return mcp::ToolResult::Ok(boost::json::object{{"answer", *answer}});
  };
  server->tools.Add(std::move(ask));
  return server;
}

TEST(HttpStream, TheServerAsksTheClientOnTheStreamAndTheAnswerArrivesByPost) {
  transports::HttpOptions options = TestOptions();
  options.worker_threads = 1;  // the waiting tool holds the only worker: the answer must not need one
  TestServer server(options, AskingServer());
  Client caller(server.port());
  Response init = caller.Send("POST", "/mcp", McpHeaders(kAliceKey),
                              RequestJson(1, "initialize",
                                          {{"protocolVersion", "2025-11-25"},
                                           {"capabilities", {{"elicitation", boost::json::object{}}}},
                                           {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
  const std::string session = init.header("mcp-session-id");
  ASSERT_EQ(session.size(), 32u) << init.body;

  const std::string call = RequestJson(5, "tools/call", {{"name", "ask"}, {"arguments", boost::json::object{}}});
  caller.WriteRaw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Accept: application/json, text/event-stream\r\nAuthorization: Bearer " + std::string(kAliceKey) +
                  "\r\nMcp-Session-Id: " + session + "\r\nContent-Length: " + std::to_string(call.size()) +
                  "\r\n\r\n" + call);
  const std::string so_far = caller.ReadUntil("elicitation/create");
  ASSERT_NE(so_far.find("text/event-stream"), std::string::npos) << so_far;
  const auto data = so_far.find("data: ");
  ASSERT_NE(data, std::string::npos);
  const boost::json::value request = boost::json::parse(so_far.substr(data + 6, so_far.find('\n', data) - data - 6));
  EXPECT_EQ(request.at("params").at("message"), "Your name?");

  // The answer comes on another connection, as a client's POST of a JSON-RPC response.
  Client answerer(server.port());
  Response accepted = answerer.Send(
      "POST", "/mcp", McpHeaders(kAliceKey, session, "2025-11-25"),
      boost::json::serialize(boost::json::object{
          {"jsonrpc", "2.0"}, {"id", request.at("id")}, {"result", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}));
  EXPECT_EQ(accepted.status, 202);

  const std::string all = caller.ReadUntil("0\r\n\r\n");
  EXPECT_NE(all.find(R"("answer":{"action":"accept","content":{"name":"Ada"}})"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("id":5)"), std::string::npos);
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

TEST(HttpStream, AfterA413TheClientSeesTheEndAtOnceNotAfterTheDrain) {
  TestServer server;
  Client client(server.port());
  // Headers announce 2 MiB (the limit is 1 MiB); only the start of the body follows, and the client then
  // waits for the server's answer and its end of the connection (as curl does).
  client.WriteRaw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Authorization: Bearer " + std::string(kAliceKey) + "\r\nContent-Length: 2097152\r\n\r\n{\"jsonrpc\"");
  std::optional<Response> refused = client.ReadResponse();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 413);
  // The server drains what a client still sends for 2 s before closing, but says it
  // will send nothing more first: the end arrives well before the drain is over.
  EXPECT_TRUE(client.ClosedByServer(std::chrono::milliseconds(1000)));
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
