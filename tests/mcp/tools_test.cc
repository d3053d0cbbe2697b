// tools/list and tools/call: what each revision sees, pagination, argument
// validation, results, and handlers that fail.
#include <gtest/gtest.h>

#include "tests/mcp/fixture_server.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;
using fixture::ErrorCode;
using fixture::ErrorMessage;

class Tools : public ::testing::Test {
 protected:
  Tools() : server_(fixture::MakeServer(std::make_shared<fixture::Observations>())) {
    server_->report_internal_error = [this](std::string_view what) { reported_.emplace_back(what); };
  }
  std::unique_ptr<fixture::SessionClient> Connect(std::string_view version = "2025-11-25") {
    auto client = std::make_unique<fixture::SessionClient>(*server_, std::string("alice"));
    client->Initialize(version, "cursor-vscode");
    return client;
  }
  json::object FindTool(fixture::SessionClient& client, std::string_view name) {
    const auto listed = client.Request("tools/list");
    for (const auto& tool : listed.at("result").at("tools").as_array()) {
      if (tool.at("name").as_string() == name) return tool.as_object();
    }
    ADD_FAILURE() << "tool " << name << " not listed";
    return {};
  }

  std::unique_ptr<mcp::ServerDefinition> server_;
  std::vector<std::string> reported_;
};

TEST_F(Tools, ListShowsEverythingTheNewestRevisionHas) {
  auto client = Connect("2025-11-25");
  auto echo = FindTool(*client, "echo");
  EXPECT_EQ(echo.at("title"), "Echo");
  EXPECT_EQ(echo.at("description"), "Returns its text.");
  EXPECT_EQ(echo.at("inputSchema").at("required").at(0), "text");
  EXPECT_EQ(echo.at("outputSchema").at("required").at(0), "echo");
  EXPECT_EQ(echo.at("annotations"), (json::object{{"title", "Echo it"},
                                                  {"readOnlyHint", true},
                                                  {"destructiveHint", false},
                                                  {"idempotentHint", true},
                                                  {"openWorldHint", false}}));
  // A tool without an output schema does not claim one.
  EXPECT_FALSE(FindTool(*client, "slow").contains("outputSchema"));
}

TEST_F(Tools, OlderRevisionsSeeOnlyFieldsTheyDefine) {
  auto march = Connect("2025-03-26");
  auto echo = FindTool(*march, "echo");
  EXPECT_TRUE(echo.contains("annotations"));
  EXPECT_FALSE(echo.contains("title"));
  EXPECT_FALSE(echo.contains("outputSchema"));

  auto first = Connect("2024-11-05");
  echo = FindTool(*first, "echo");
  EXPECT_FALSE(echo.contains("annotations"));
  EXPECT_FALSE(echo.contains("title"));
  EXPECT_FALSE(echo.contains("outputSchema"));
  EXPECT_TRUE(echo.contains("inputSchema"));
}

TEST_F(Tools, ListPaginatesWithOpaqueCursors) {
  server_ = fixture::MakeServer(std::make_shared<fixture::Observations>(), /*filler_tools=*/6);
  server_->page_size = 3;
  auto client = Connect();
  std::vector<std::string> seen;
  json::object params;
  for (int page = 0; page < 10; ++page) {
    auto result = client->Request("tools/list", params).at("result").as_object();
    EXPECT_LE(result.at("tools").as_array().size(), 3u);
    for (const auto& tool : result.at("tools").as_array()) seen.emplace_back(tool.at("name").as_string());
    if (!result.contains("nextCursor")) break;
    params = {{"cursor", result.at("nextCursor")}};
  }
  std::vector<std::string> expected;
  for (const auto& tool : server_->tools.All()) expected.push_back(tool.name);
  EXPECT_EQ(seen, expected);  // every tool once, in registration order
  EXPECT_EQ(seen.size(), 13u);
}

TEST_F(Tools, InvalidCursorIsInvalidParams) {
  server_->page_size = 2;
  auto client = Connect();
  for (const char* cursor : {"garbage", "tools:", "tools:0", "tools:999", "tools:2x", "prompts:2"}) {
    auto response = client->Request("tools/list", {{"cursor", cursor}});
    EXPECT_EQ(ErrorCode(response), -32602) << cursor;
    EXPECT_NE(ErrorMessage(response).find("cursor"), std::string::npos);
  }
  EXPECT_EQ(ErrorCode(client->Request("tools/list", {{"cursor", 2}})), -32602);
}

TEST_F(Tools, ResultCarriesStructuredContentAndTheSameJsonAsText) {
  auto client = Connect();
  auto result = client->CallTool("echo", {{"text", "hello"}, {"mode", "loud"}});
  EXPECT_EQ(result.at("isError"), false);
  EXPECT_EQ(result.at("structuredContent"), (json::object{{"echo", "HELLO"}}));
  const auto& content = result.at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0].at("type"), "text");
  EXPECT_EQ(json::parse(content[0].at("text").as_string()), result.at("structuredContent"));
}

TEST_F(Tools, OlderRevisionsGetTextOnly) {
  for (const char* version : {"2025-03-26", "2024-11-05"}) {
    auto client = Connect(version);
    auto result = client->CallTool("echo", {{"text", "hi"}});
    EXPECT_FALSE(result.contains("structuredContent")) << version;
    EXPECT_EQ(result.at("content").at(0).at("text"), R"({"echo":"hi"})") << version;
  }
}

TEST_F(Tools, CustomContentReplacesTheDefault) {
  auto client = Connect();
  auto result = client->CallTool("custom_content");
  EXPECT_EQ(result.at("content"), (json::array{json::object{{"type", "text"}, {"text", "exact text"}}}));
  EXPECT_EQ(result.at("structuredContent"), (json::object{{"results", json::array{}}}));
}

TEST_F(Tools, HandlerSeesPrincipalClientAndRevision) {
  auto client = Connect("2025-06-18");
  auto result = client->CallTool("whoami");
  EXPECT_EQ(result.at("structuredContent"),
            (json::object{{"principal", "alice"}, {"client", "cursor-vscode"}, {"version", "2025-06-18"}}));
}

TEST_F(Tools, UnknownToolIsInvalidParams) {
  auto client = Connect();
  auto response = client->Request("tools/call", {{"name", "nope"}});
  EXPECT_EQ(ErrorCode(response), -32602);
  EXPECT_NE(ErrorMessage(response).find("nope"), std::string::npos);
}

TEST_F(Tools, ArgumentsMustBeAnObject) {
  auto client = Connect();
  auto response = client->Request("tools/call", {{"name", "echo"}, {"arguments", json::array{1}}});
  EXPECT_EQ(ErrorCode(response), -32602);
  EXPECT_NE(ErrorMessage(response).find("arguments"), std::string::npos);
}

struct BadArguments {
  const char* arguments;
  const char* field;      // the message must name it
  const char* complaint;  // and say what is wrong
};

class ToolValidation : public Tools, public ::testing::WithParamInterface<BadArguments> {};

TEST_P(ToolValidation, FailureIsAToolErrorNamingTheField) {
  auto client = Connect();
  auto response = client->Request(
      "tools/call", {{"name", "echo"}, {"arguments", json::parse(GetParam().arguments)}});
  ASSERT_TRUE(response.contains("result")) << json::serialize(response);
  const auto& result = response.at("result").as_object();
  EXPECT_EQ(result.at("isError"), true);
  const auto& error = result.at("structuredContent").at("error");
  EXPECT_EQ(error.at("code"), "validation_error");
  const std::string message(error.at("message").as_string());
  EXPECT_EQ(message.rfind(GetParam().field, 0), 0u) << message;  // starts with the field's path
  EXPECT_NE(message.find(GetParam().complaint), std::string::npos) << message;
  EXPECT_EQ(json::parse(result.at("content").at(0).at("text").as_string()), result.at("structuredContent"));
}

INSTANTIATE_TEST_SUITE_P(
    Tools, ToolValidation,
    ::testing::Values(BadArguments{R"({})", "text", "required"},
                      BadArguments{R"({"text":5})", "text", "must be a string"},
                      BadArguments{R"({"text":""})", "text", "must not be empty"},
                      BadArguments{R"({"text":"12345678901"})", "text", "at most 10 characters"},
                      BadArguments{R"({"text":"a","count":0})", "count", "at least 1"},
                      BadArguments{R"({"text":"a","count":6})", "count", "at most 5"},
                      BadArguments{R"({"text":"a","count":2.5})", "count", "must be an integer"},
                      BadArguments{R"({"text":"a","mode":"quiet"})", "mode", "one of \"plain\", \"loud\""},
                      BadArguments{R"({"text":"a","tags":["a","b","c","d"]})", "tags", "at most 3 items"},
                      BadArguments{R"({"text":"a","tags":["ok","toolong"]})", "tags[1]", "at most 4 characters"},
                      BadArguments{R"({"text":"a","tags":[1]})", "tags[0]", "must be a string"},
                      BadArguments{R"({"text":"a","ratio":0})", "ratio", "greater than 0"},
                      BadArguments{R"({"text":"a","colour":"red"})", "colour", "unknown field"}));

TEST_F(Tools, HandlerThatThrowsIsAnInternalToolErrorAndTheServerGoesOn) {
  auto client = Connect();
  auto result = client->CallTool("throws");
  EXPECT_EQ(result.at("isError"), true);
  EXPECT_EQ(result.at("structuredContent").at("error").at("code"), "internal_error");
  EXPECT_EQ(json::serialize(result).find("secret detail"), std::string::npos);
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_NE(reported_[0].find("secret detail"), std::string::npos);
  EXPECT_EQ(client->CallTool("echo", {{"text", "still"}}).at("isError"), false);
}

TEST_F(Tools, ToolErrorHelperHasTheDocumentedShape) {
  auto error = mcp::ToolResult::Error("not_found", "memory 42 does not exist");
  EXPECT_TRUE(error.is_error);
  EXPECT_EQ(error.structured,
            (json::object{{"error", json::object{{"code", "not_found"}, {"message", "memory 42 does not exist"}}}}));
}

}  // namespace
