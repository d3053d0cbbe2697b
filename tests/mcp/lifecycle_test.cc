// initialize: version negotiation, what the server declares, the rules before and
// after it, and JSON-RPC batches per revision.
#include <gtest/gtest.h>

#include "mcp/protocol_version.h"
#include "tests/mcp/fixture_server.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;
using fixture::ErrorCode;
using fixture::ErrorMessage;

std::unique_ptr<mcp::ServerDefinition> Server() {
  return fixture::MakeServer(std::make_shared<fixture::Observations>());
}

class EachRevision : public ::testing::TestWithParam<std::string> {};

TEST_P(EachRevision, SupportedRevisionIsEchoed) {
  auto server = Server();
  fixture::SessionClient client(*server);
  auto response = client.Initialize(GetParam(), "claude-code");
  const auto& result = response.at("result").as_object();
  EXPECT_EQ(result.at("protocolVersion"), json::value(GetParam()));
  EXPECT_EQ(client.session().protocol_version(), GetParam());
  EXPECT_EQ(client.session().client_name(), "claude-code");
  EXPECT_TRUE(client.session().initialized());

  const auto& info = result.at("serverInfo").as_object();
  EXPECT_EQ(info.at("name"), "reflect-memory");
  EXPECT_EQ(info.at("version"), "9.9.9-test");
  EXPECT_EQ(info.contains("title"), GetParam() >= "2025-06-18");  // title arrived in 2025-06-18

  const auto& caps = result.at("capabilities").as_object();
  EXPECT_EQ(caps.at("tools"), (json::object{{"listChanged", false}}));
  EXPECT_EQ(caps.at("prompts"), (json::object{{"listChanged", false}}));
  EXPECT_EQ(caps.at("resources"), (json::object{{"subscribe", false}, {"listChanged", false}}));
  EXPECT_EQ(caps.at("logging"), json::object{});
  EXPECT_EQ(caps.contains("completions"), GetParam() >= "2025-03-26");  // capability added then
  EXPECT_FALSE(caps.contains("experimental"));

  EXPECT_EQ(result.at("instructions"), json::value("Instructions for claude-code on " + GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, EachRevision,
                         ::testing::Values("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"));

TEST(Lifecycle, UnknownRevisionGetsTheLatest) {
  auto server = Server();
  for (const char* asked : {"2099-01-01", "1.0", ""}) {
    fixture::SessionClient client(*server);
    auto response = client.Initialize(asked);
    EXPECT_EQ(response.at("result").at("protocolVersion"), json::value(mcp::kLatestProtocolVersion)) << asked;
  }
}

TEST(Lifecycle, InitializeNeedsAProtocolVersionString) {
  auto server = Server();
  fixture::SessionClient client(*server);
  auto missing = client.Request("initialize", {{"capabilities", json::object{}}});
  EXPECT_EQ(ErrorCode(missing), -32602);
  EXPECT_NE(ErrorMessage(missing).find("protocolVersion"), std::string::npos);
  auto number = client.Request("initialize", {{"protocolVersion", 20251125}});
  EXPECT_EQ(ErrorCode(number), -32602);
  EXPECT_FALSE(client.session().initialized());
}

TEST(Lifecycle, RequestsBeforeInitializeAreRefusedExceptPing) {
  auto server = Server();
  fixture::SessionClient client(*server);
  for (const char* method : {"tools/list", "tools/call", "resources/list", "prompts/list",
                             "logging/setLevel", "completion/complete", "no/such/method"}) {
    auto response = client.Request(method);
    EXPECT_EQ(ErrorCode(response), -32600) << method;
    EXPECT_NE(ErrorMessage(response).find("initialize"), std::string::npos) << method;
  }
  EXPECT_EQ(client.Request("ping").at("result"), json::object{});
  // Nothing has changed: initialize still works afterwards.
  EXPECT_TRUE(client.Initialize().contains("result"));
  EXPECT_TRUE(client.Request("tools/list").contains("result"));
}

// A transport may run messages on several threads, so tools/list sent just before
// initialize can reach the session after initialize finished: it is judged as the
// session stood when it was received, not when it runs.
TEST(Lifecycle, RequestIsJudgedAsTheSessionStoodWhenItWasReceived) {
  auto server = Server();
  mcp::Session session(*server, std::string("alice"), [](std::string) {});
  mcp::ReceivedMessage early = session.Receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  EXPECT_EQ(early.info().method, "tools/list");

  auto initialized = session.Handle(session.Receive(
      R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})"));
  ASSERT_TRUE(initialized && json::parse(*initialized).as_object().contains("result")) << initialized.value_or("");

  auto refused = session.Handle(std::move(early));
  ASSERT_TRUE(refused);
  EXPECT_EQ(ErrorCode(json::parse(*refused).as_object()), -32600) << *refused;
  EXPECT_NE(ErrorMessage(json::parse(*refused).as_object()).find("not initialized"), std::string::npos) << *refused;

  auto served = session.Handle(session.Receive(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})"));
  ASSERT_TRUE(served);
  EXPECT_TRUE(json::parse(*served).as_object().contains("result")) << *served;
}

TEST(Lifecycle, SecondInitializeIsRefusedAndKeepsTheFirstRevision) {
  auto server = Server();
  fixture::SessionClient client(*server);
  client.Initialize("2025-06-18");
  auto again = client.Initialize("2025-11-25");
  EXPECT_EQ(ErrorCode(again), -32600);
  EXPECT_EQ(client.session().protocol_version(), "2025-06-18");
}

TEST(Lifecycle, ServerWithoutPromptsOrResourcesDeclaresNeither) {
  mcp::ServerDefinition server;
  mcp::Tool tool;
  tool.name = "only";
  tool.input_schema = {{"type", "object"}};
  tool.handler = [](const json::object&, mcp::CallContext&) { return mcp::ToolResult::Ok(json::object{}); };
  server.tools.Add(tool);
  fixture::SessionClient client(server);
  auto result = client.Initialize().at("result").as_object();
  const auto& caps = result.at("capabilities").as_object();
  EXPECT_TRUE(caps.contains("tools"));
  EXPECT_FALSE(caps.contains("prompts"));
  EXPECT_FALSE(caps.contains("resources"));
  EXPECT_FALSE(caps.contains("completions"));
  EXPECT_FALSE(result.contains("instructions"));
  EXPECT_EQ(ErrorCode(client.Request("prompts/list")), -32601);
  EXPECT_EQ(ErrorCode(client.Request("resources/list")), -32601);
  EXPECT_EQ(ErrorCode(client.Request("completion/complete")), -32601);
}

TEST(Lifecycle, RegistriesRefuseBadDefinitions) {
  mcp::ToolRegistry tools;
  mcp::Tool tool;
  tool.name = "t";
  tool.input_schema = {{"type", "object"}};
  EXPECT_THROW(tools.Add(tool), std::invalid_argument);  // no handler
  tool.handler = [](const json::object&, mcp::CallContext&) { return mcp::ToolResult::Ok(nullptr); };
  tools.Add(tool);
  EXPECT_THROW(tools.Add(tool), std::invalid_argument);  // duplicate
  tool.name = "u";
  tool.input_schema = {{"type", "string"}};
  EXPECT_THROW(tools.Add(tool), std::invalid_argument);  // not an object schema
  mcp::PromptRegistry prompts;
  EXPECT_THROW(prompts.Add(mcp::Prompt{}), std::invalid_argument);
}

// Batches exist only in 2025-03-26.
class Batches : public ::testing::TestWithParam<std::string> {};

TEST_P(Batches, AllowedOnlyIn20250326) {
  auto server = Server();
  fixture::SessionClient client(*server);
  client.Initialize(GetParam());
  auto response = client.Send(R"([
    {"jsonrpc":"2.0","id":1,"method":"ping"},
    {"jsonrpc":"2.0","method":"notifications/initialized"},
    {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}},
    {"jsonrpc":"2.0","id":3,"method":"nope"}
  ])");
  ASSERT_TRUE(response);
  if (GetParam() == "2025-03-26") {
    ASSERT_TRUE(response->is_array());
    const auto& items = response->as_array();
    ASSERT_EQ(items.size(), 3u);  // the notification gets no entry
    EXPECT_EQ(items[0].at("id"), 1);
    EXPECT_EQ(items[1].at("result").at("content").at(0).at("text"), R"({"echo":"hi"})");
    EXPECT_EQ(items[2].at("error").at("code"), -32601);
  } else {
    ASSERT_TRUE(response->is_object());
    EXPECT_EQ(ErrorCode(response->as_object()), -32600);
    EXPECT_TRUE(response->at("id").is_null());
    EXPECT_NE(ErrorMessage(response->as_object()).find(GetParam()), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Lifecycle, Batches,
                         ::testing::Values("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"));

TEST(Lifecycle, BatchEdgeCasesIn20250326) {
  auto server = Server();
  fixture::SessionClient client(*server);
  auto before = client.Send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  ASSERT_TRUE(before);
  EXPECT_EQ(ErrorCode(before->as_object()), -32600);  // no revision negotiated yet

  client.Initialize("2025-03-26");
  auto empty = client.Send("[]");
  ASSERT_TRUE(empty);
  EXPECT_EQ(ErrorCode(empty->as_object()), -32600);
  EXPECT_FALSE(client.Send(R"([{"jsonrpc":"2.0","method":"notifications/initialized"}])"));
  auto junk = client.Send(R"([1, {"jsonrpc":"2.0","id":"a","method":"ping"}])");
  ASSERT_TRUE(junk && junk->is_array());
  EXPECT_EQ(junk->as_array()[0].at("error").at("code"), -32600);
  EXPECT_EQ(junk->as_array()[1].at("id"), "a");
}

TEST(ClassifyMessage, TellsWhatAMessageIs) {
  auto init = mcp::ClassifyMessage(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  EXPECT_TRUE(init.valid_json && init.is_initialize && init.has_requests && !init.is_batch);
  EXPECT_EQ(init.method, "initialize");
  auto note = mcp::ClassifyMessage(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_TRUE(note.valid_json && !note.has_requests && !note.is_initialize);
  EXPECT_EQ(note.method, "notifications/initialized");
  auto response = mcp::ClassifyMessage(R"({"jsonrpc":"2.0","id":1,"result":{}})");
  EXPECT_TRUE(response.valid_json && !response.has_requests);
  auto batch = mcp::ClassifyMessage(R"([{"jsonrpc":"2.0","method":"x"},{"jsonrpc":"2.0","id":2,"method":"ping"}])");
  EXPECT_TRUE(batch.is_batch && batch.has_requests && !batch.is_initialize);
  EXPECT_EQ(batch.method, "");
  EXPECT_FALSE(mcp::ClassifyMessage("{oops").valid_json);
}

}  // namespace
