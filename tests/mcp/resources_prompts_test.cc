// resources/*, prompts/* and completion/complete through a session.
#include <gtest/gtest.h>

#include "tests/mcp/fixture_server.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;
using fixture::ErrorCode;
using fixture::ErrorMessage;

class ResourcesAndPrompts : public ::testing::Test {
 protected:
  ResourcesAndPrompts() : server_(fixture::MakeServer(std::make_shared<fixture::Observations>())) {
    server_->report_internal_error = [](std::string_view) {};
  }
  std::unique_ptr<fixture::SessionClient> Connect(std::string_view version = "2025-11-25") {
    auto client = std::make_unique<fixture::SessionClient>(*server_);
    client->Initialize(version);
    return client;
  }
  std::unique_ptr<mcp::ServerDefinition> server_;
};

TEST_F(ResourcesAndPrompts, ResourcesListFollowsTheProvidersCursor) {
  auto client = Connect();
  auto first = client->Request("resources/list").at("result").as_object();
  ASSERT_EQ(first.at("resources").as_array().size(), 2u);
  EXPECT_EQ(first.at("resources").at(0), (json::object{{"uri", "test://a"},
                                                       {"name", "a"},
                                                       {"title", "Title a"},
                                                       {"description", "Resource a"},
                                                       {"mimeType", "text/plain"}}));
  auto second = client->Request("resources/list", {{"cursor", first.at("nextCursor")}}).at("result").as_object();
  EXPECT_EQ(second.at("resources").at(0).at("uri"), "test://c");
  EXPECT_FALSE(second.contains("nextCursor"));
  EXPECT_EQ(ErrorCode(client->Request("resources/list", {{"cursor", "bogus"}})), -32602);
}

TEST_F(ResourcesAndPrompts, OlderRevisionsGetNoTitles) {
  auto client = Connect("2025-03-26");
  auto listed = client->Request("resources/list").at("result").at("resources").at(0).as_object();
  EXPECT_FALSE(listed.contains("title"));
  auto prompt = client->Request("prompts/list").at("result").at("prompts").at(0).as_object();
  EXPECT_FALSE(prompt.contains("title"));
}

TEST_F(ResourcesAndPrompts, ReadReturnsTextContents) {
  auto client = Connect();
  auto result = client->Request("resources/read", {{"uri", "test://b"}}).at("result").as_object();
  EXPECT_EQ(result.at("contents"),
            (json::array{json::object{{"uri", "test://b"}, {"text", "content b"}, {"mimeType", "text/plain"}}}));
  EXPECT_EQ(ErrorCode(client->Request("resources/read")), -32602);  // uri is required
}

TEST_F(ResourcesAndPrompts, TemplatesAreListed) {
  auto client = Connect();
  auto result = client->Request("resources/templates/list").at("result").as_object();
  EXPECT_EQ(result.at("resourceTemplates"), (json::array{json::object{{"uriTemplate", "test://{name}"},
                                                                      {"name", "by-name"},
                                                                      {"title", "By name"},
                                                                      {"description", "A test resource by name"},
                                                                      {"mimeType", "text/plain"}}}));
}

TEST_F(ResourcesAndPrompts, PromptsListAndGet) {
  auto client = Connect();
  auto prompt = client->Request("prompts/list").at("result").at("prompts").at(0).as_object();
  EXPECT_EQ(prompt.at("name"), "greet");
  EXPECT_EQ(prompt.at("title"), "Greet");
  EXPECT_EQ(prompt.at("arguments").at(0),
            (json::object{{"name", "name"}, {"required", true}, {"title", "Name"}, {"description", "Who to greet"}}));

  auto got = client->Request("prompts/get", {{"name", "greet"}, {"arguments", {{"name", "Ada"}, {"style", "formal"}}}});
  const auto& result = got.at("result").as_object();
  EXPECT_EQ(result.at("description"), "A greeting");
  EXPECT_EQ(result.at("messages"),
            (json::array{json::object{{"role", "user"},
                                      {"content", json::object{{"type", "text"}, {"text", "Greet Ada (formal)"}}}}}));
}

TEST_F(ResourcesAndPrompts, PromptErrorsAreInvalidParams) {
  auto client = Connect();
  auto missing = client->Request("prompts/get", {{"name", "greet"}});
  EXPECT_EQ(ErrorCode(missing), -32602);
  EXPECT_NE(ErrorMessage(missing).find("'name'"), std::string::npos);
  EXPECT_EQ(ErrorCode(client->Request("prompts/get", {{"name", "nope"}})), -32602);
  EXPECT_EQ(ErrorCode(client->Request("prompts/get", {{"name", "greet"}, {"arguments", {{"name", 3}}}})), -32602);
  EXPECT_EQ(ErrorCode(client->Request("prompts/get", {{"name", "greet"}, {"arguments", {{"name", "nobody"}}}})),
            -32602);
}

TEST_F(ResourcesAndPrompts, CompletesPromptArgumentsWithContext) {
  auto client = Connect();
  auto result = client->Request("completion/complete",
                                {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}},
                                 {"argument", {{"name", "style"}, {"value", "f"}}},
                                 {"context", {{"arguments", {{"name", "Ada"}}}}}});
  EXPECT_EQ(result.at("result").at("completion"),
            (json::object{{"values", json::array{"formal", "friendly", "funny", "for-Ada"}}, {"hasMore", false}}));
}

TEST_F(ResourcesAndPrompts, CompletesTemplateVariables) {
  auto client = Connect();
  auto result = client->Request("completion/complete", {{"ref", {{"type", "ref/resource"}, {"uri", "test://{name}"}}},
                                                        {"argument", {{"name", "name"}, {"value", "a"}}}});
  EXPECT_EQ(result.at("result").at("completion").at("values"), (json::array{"a", "apple"}));
}

TEST_F(ResourcesAndPrompts, CompletionErrorsAreInvalidParams) {
  auto client = Connect();
  const json::object argument{{"name", "style"}, {"value", ""}};
  EXPECT_EQ(ErrorCode(client->Request("completion/complete", {{"ref", {{"type", "ref/other"}}}, {"argument", argument}})),
            -32602);
  EXPECT_EQ(ErrorCode(client->Request("completion/complete",
                                      {{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}}, {"argument", argument}})),
            -32602);
  EXPECT_EQ(ErrorCode(client->Request("completion/complete",
                                      {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}},
                                       {"argument", {{"name", "mood"}, {"value", ""}}}})),
            -32602);
  EXPECT_EQ(ErrorCode(client->Request("completion/complete",
                                      {{"ref", {{"type", "ref/resource"}, {"uri", "test://{other}"}}}, {"argument", argument}})),
            -32602);
  auto no_argument = client->Request("completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}}});
  EXPECT_NE(ErrorMessage(no_argument).find("params.argument"), std::string::npos);
}

TEST(Completion, AnswersAreCappedAtOneHundredValues) {
  mcp::ServerDefinition server;
  mcp::Prompt many;
  many.name = "many";
  many.arguments = {{"n", "", "", false}};
  many.get = [](const mcp::PromptArguments&, mcp::CallContext&) -> rm::Result<mcp::PromptResult> {
    return mcp::PromptResult{};
  };
  many.complete = [](const std::string&, const std::string&, const mcp::PromptArguments&, mcp::CallContext&) {
    mcp::Completion c;
    for (int i = 0; i < 150; ++i) c.values.push_back(std::to_string(i));
    return c;
  };
  server.prompts.Add(many);
  fixture::SessionClient client(server);
  client.Initialize();
  auto completion = client.Request("completion/complete", {{"ref", {{"type", "ref/prompt"}, {"name", "many"}}},
                                                           {"argument", {{"name", "n"}, {"value", ""}}}})
                        .at("result")
                        .at("completion")
                        .as_object();
  EXPECT_EQ(completion.at("values").as_array().size(), 100u);
  EXPECT_EQ(completion.at("hasMore"), true);
  EXPECT_EQ(completion.at("total"), 150);
}

}  // namespace
