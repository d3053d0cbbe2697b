// The modern era (2026-07-28): requests that carry their revision in _meta are
// served statelessly, beside sessions of the handshake era, on the same Session.
#include <gtest/gtest.h>

#include "mcp/modern_era.h"
#include "tests/mcp/fixture_server.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;
using fixture::ErrorCode;
using fixture::ErrorMessage;

json::object Meta(json::object extra = {}) {
  json::object meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                    {"io.modelcontextprotocol/clientCapabilities", json::object{}},
                    {"io.modelcontextprotocol/clientInfo", {{"name", "claude-ai"}, {"version", "1.0"}}}};
  for (auto& [k, v] : extra) meta[k] = v;
  return meta;
}

json::object Modern(json::object params = {}, json::object meta_extra = {}) {
  params["_meta"] = Meta(std::move(meta_extra));
  return params;
}

class ModernEra : public ::testing::Test {
 protected:
  std::unique_ptr<mcp::ServerDefinition> server_ = fixture::MakeServer(std::make_shared<fixture::Observations>(), 3);
  fixture::SessionClient client_{*server_};
};

TEST_F(ModernEra, DiscoverNeedsNoHandshakeAndNamesEveryRevision) {
  json::object response = client_.Request("server/discover", Modern());
  ASSERT_TRUE(response.contains("result")) << json::serialize(response);
  const json::object& result = response.at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("supportedVersions"),
            (json::array{"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}));
  EXPECT_TRUE(result.at("capabilities").as_object().contains("tools"));
  EXPECT_EQ(result.at("cacheScope"), "private");  // the instructions are the caller's
  EXPECT_TRUE(result.at("ttlMs").is_int64());
  EXPECT_EQ(result.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name"), "reflect-memory");
  EXPECT_FALSE(client_.session().initialized()) << "a modern request must not start a session";
}

TEST_F(ModernEra, EveryRequestIsServedFromItsOwnMeta) {
  json::object whoami = client_.Request(
      "tools/call", Modern({{"name", "whoami"}, {"arguments", json::object{}}}));
  const json::object& result = whoami.at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("structuredContent").at("client"), "claude-ai");
  EXPECT_EQ(result.at("structuredContent").at("version"), "2026-07-28");
  EXPECT_TRUE(result.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));
  // The next request names another client: nothing was remembered.
  json::object other = client_.Request(
      "tools/call", Modern({{"name", "whoami"}, {"arguments", json::object{}}},
                           {{"io.modelcontextprotocol/clientInfo", {{"name", "cursor"}, {"version", "2"}}}}));
  EXPECT_EQ(other.at("result").at("structuredContent").at("client"), "cursor");
}

TEST_F(ModernEra, ListsSayHowLongAndForWhomTheyMayBeCached) {
  json::object tools = client_.Request("tools/list", Modern());
  EXPECT_EQ(tools.at("result").at("cacheScope"), "public");
  EXPECT_GT(tools.at("result").at("ttlMs").as_int64(), 0);
  // A fixed order: the same list twice.
  EXPECT_EQ(tools.at("result").at("tools"), client_.Request("tools/list", Modern()).at("result").at("tools"));
  json::object resources = client_.Request("resources/list", Modern());
  EXPECT_EQ(resources.at("result").at("cacheScope"), "private");
  EXPECT_EQ(resources.at("result").at("ttlMs"), 0);
  json::object read = client_.Request("resources/read", Modern({{"uri", "test://a"}}));
  EXPECT_EQ(read.at("result").at("cacheScope"), "private");
  EXPECT_EQ(client_.Request("prompts/list", Modern()).at("result").at("cacheScope"), "public");
  EXPECT_EQ(client_.Request("resources/templates/list", Modern()).at("result").at("cacheScope"), "public");
  // Results that are not lists carry no cache fields.
  json::object call = client_.Request("tools/call", Modern({{"name", "echo"}, {"arguments", {{"text", "x"}}}}));
  EXPECT_FALSE(call.at("result").as_object().contains("ttlMs")) << json::serialize(call);
}

TEST_F(ModernEra, AnUnsupportedRevisionNamesTheSupportedOnes) {
  json::object response = client_.Request(
      "tools/list", Modern({}, {{"io.modelcontextprotocol/protocolVersion", "2099-01-01"}}));
  EXPECT_EQ(ErrorCode(response), mcp::modern::kUnsupportedProtocolVersion);
  const json::object& data = response.at("error").at("data").as_object();
  EXPECT_EQ(data.at("requested"), "2099-01-01");
  EXPECT_EQ(data.at("supported").as_array().front(), "2026-07-28");
  EXPECT_EQ(data.at("supported").as_array().size(), 5u);
}

TEST_F(ModernEra, ClientCapabilitiesAreRequiredAndMetaIsChecked) {
  json::object params{{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}}};
  json::object response = client_.Request("tools/list", params);
  EXPECT_EQ(ErrorCode(response), -32602);
  EXPECT_NE(ErrorMessage(response).find("clientCapabilities"), std::string::npos);
  response = client_.Request("tools/list", Modern({}, {{"io.modelcontextprotocol/logLevel", "loud"}}));
  EXPECT_EQ(ErrorCode(response), -32602);
  response = client_.Request("tools/list", Modern({}, {{"io.modelcontextprotocol/clientInfo", "claude"}}));
  EXPECT_EQ(ErrorCode(response), -32602);
}

TEST_F(ModernEra, MethodsTheRevisionRemovedAreUnknownThereOnly) {
  for (const char* method : {"ping", "logging/setLevel", "initialize", "resources/subscribe"}) {
    json::object params = Modern();
    if (std::string(method) == "logging/setLevel") params["level"] = "debug";
    EXPECT_EQ(ErrorCode(client_.Request(method, params)), -32601) << method;
  }
  EXPECT_EQ(ErrorCode(client_.Request("no/such/method", Modern())), -32601);
  // The handshake era still has them.
  client_.Initialize("2025-11-25");
  EXPECT_TRUE(client_.Request("ping").contains("result"));
  EXPECT_TRUE(client_.Request("logging/setLevel", {{"level", "debug"}}).contains("result"));
}

TEST_F(ModernEra, AMissingResourceIsInvalidParamsInTheModernEraOnly) {
  EXPECT_EQ(ErrorCode(client_.Request("resources/read", Modern({{"uri", "test://nope"}}))), -32602);
  client_.Initialize("2025-11-25");
  EXPECT_EQ(ErrorCode(client_.Request("resources/read", {{"uri", "test://nope"}})), -32002);
}

TEST_F(ModernEra, LogMessagesOnlyWhenTheRequestAsksForThem) {
  client_.Request("tools/call", Modern({{"name", "log"}, {"arguments", json::object{}}}));
  EXPECT_TRUE(client_.Notifications().empty());
  client_.Request("tools/call", Modern({{"name", "log"}, {"arguments", json::object{}}},
                                       {{"io.modelcontextprotocol/logLevel", "error"}}));
  // error, critical, alert, emergency
  EXPECT_EQ(client_.Notifications().size(), 4u);
}

TEST_F(ModernEra, BothErasOnOneConnection) {
  client_.Initialize("2025-06-18", "claude-code");
  json::object modern = client_.Request("tools/call", Modern({{"name", "whoami"}, {"arguments", json::object{}}}));
  EXPECT_EQ(modern.at("result").at("structuredContent").at("version"), "2026-07-28");
  json::object legacy = client_.Request("tools/call", {{"name", "whoami"}, {"arguments", json::object{}}});
  EXPECT_EQ(legacy.at("result").at("structuredContent").at("version"), "2025-06-18");
  EXPECT_EQ(legacy.at("result").at("structuredContent").at("client"), "claude-code");
  EXPECT_FALSE(legacy.at("result").as_object().contains("resultType"));  // the old shapes, exactly
  EXPECT_EQ(client_.session().protocol_version(), "2025-06-18");
}

TEST_F(ModernEra, ALegacyRequestBeforeInitializeSaysHowToStartEitherEra) {
  json::object response = client_.Request("tools/list");
  EXPECT_EQ(ErrorCode(response), -32600);
  EXPECT_NE(ErrorMessage(response).find("initialize"), std::string::npos);
  EXPECT_NE(ErrorMessage(response).find("2026-07-28"), std::string::npos);
}

TEST(ModernEraClassify, MessageInfoTellsTheEraAndTheName) {
  mcp::MessageInfo info = mcp::ClassifyMessage(
      R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"memory://x","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})");
  EXPECT_EQ(info.modern_version, "2026-07-28");
  EXPECT_EQ(info.name, "memory://x");
  info = mcp::ClassifyMessage(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"t"}})");
  EXPECT_EQ(info.modern_version, "");
  EXPECT_EQ(info.name, "t");
  EXPECT_EQ(info.tool, "t");
}

}  // namespace
