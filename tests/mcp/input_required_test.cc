// Multi-round-trip results (SEP-2322): a tool returns ToolResult::NeedsInput, a prompt
// PromptResult::NeedsInput, and a modern request gets an InputRequiredResult (not a
// CallToolResult or GetPromptResult); the retry's inputResponses and requestState reach
// the handler through CallContext. The handshake era, and input requests for
// capabilities the client did not declare, never get one. A handler that cannot work
// without a capability the client did not declare calls
// CallContext::RequireClientCapability: -32021 with data.requiredCapabilities.
#include <gtest/gtest.h>

#include "mcp/session.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;

// "confirm": asks `method` (default elicitation/create) unless the retry answered;
// then reports what the handler was given.
std::unique_ptr<mcp::ServerDefinition> ConfirmingServer(std::vector<std::string>* reported) {
  auto server = std::make_unique<mcp::ServerDefinition>();
  server->info = {"confirming", "1.0", ""};
  server->report_internal_error = [reported](std::string_view what) { reported->emplace_back(what); };
  mcp::Tool tool;
  tool.name = "confirm";
  tool.description = "Asks before it acts";
  tool.input_schema = json::parse(R"({"type":"object","properties":{"method":{"type":"string"}}})").as_object();
  tool.output_schema = json::parse(R"({"type":"object","properties":{"done":{"type":"boolean"}},"required":["done"]})")
                           .as_object();
  tool.handler = [](const json::object& args, mcp::CallContext& ctx) {
    if (!ctx.input_responses().empty()) {
      return mcp::ToolResult::Ok(json::object{{"done", true},
                                              {"responses", ctx.input_responses()},
                                              {"state", ctx.request_state().value_or("<none>")}});
    }
    const json::value* method = args.if_contains("method");
    json::object request{{"method", method ? method->as_string() : "elicitation/create"},
                         {"params", {{"message", "Sure?"}, {"requestedSchema", {{"type", "object"}}}}}};
    return mcp::ToolResult::NeedsInput(json::object{{"sure", std::move(request)}}, "state-1");
  };
  server->tools.Add(std::move(tool));

  // "summarize": works only by sampling, so it requires the capability.
  mcp::Tool sampler;
  sampler.name = "summarize";
  sampler.description = "Needs the client's model";
  sampler.input_schema = json::object{{"type", "object"}};
  sampler.handler = [](const json::object&, mcp::CallContext& ctx) {
    ctx.RequireClientCapability("sampling");
    return mcp::ToolResult::Ok(json::object{{"sampled", true}});
  };
  server->tools.Add(std::move(sampler));

  // The prompt "greeting": asks for a name unless the retry answered, then uses it.
  mcp::Prompt prompt;
  prompt.name = "greeting";
  prompt.description = "Greets someone by name";
  prompt.get = [](const mcp::PromptArguments&, mcp::CallContext& ctx) -> rm::Result<mcp::PromptResult> {
    if (const json::value* answer = ctx.input_responses().if_contains("who")) {
      std::string name(answer->at("content").at("name").as_string());
      return mcp::PromptResult{"", {mcp::PromptMessage::Text("user", "Greet " + name + ".")}};
    }
    return mcp::PromptResult::NeedsInput(
        json::object{{"who", {{"method", "elicitation/create"},
                               {"params", {{"message", "Whom?"}, {"requestedSchema", {{"type", "object"}}}}}}}},
        "");
  };
  server->prompts.Add(std::move(prompt));
  return server;
}

class InputRequired : public ::testing::Test {
 protected:
  json::object Modern(json::object capabilities, json::object extra = {}, json::object arguments = {}) {
    json::object params{{"name", "confirm"},
                        {"arguments", std::move(arguments)},
                        {"_meta",
                         {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                          {"io.modelcontextprotocol/clientCapabilities", std::move(capabilities)}}}};
    for (auto& [key, value] : extra) params[key] = value;
    return client_.Request("tools/call", std::move(params));
  }

  std::vector<std::string> reported_;
  std::unique_ptr<mcp::ServerDefinition> server_ = ConfirmingServer(&reported_);
  fixture::SessionClient client_{*server_};
};

json::object ModernMeta(json::object capabilities) {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", std::move(capabilities)}};
}

TEST_F(InputRequired, AModernRequestGetsAnInputRequiredResult) {
  json::object response = Modern({{"elicitation", json::object{}}});
  const json::object& result = response.at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "input_required");
  EXPECT_EQ(result.at("inputRequests").at("sure").at("method"), "elicitation/create");
  EXPECT_EQ(result.at("requestState"), "state-1");
  // No CallToolResult fields: nothing to validate against the outputSchema, nothing cached.
  for (const char* absent : {"content", "structuredContent", "isError", "ttlMs", "cacheScope"}) {
    EXPECT_FALSE(result.contains(absent)) << absent;
  }
  EXPECT_EQ(result.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name"), "confirming");
}

TEST_F(InputRequired, TheRetryReachesTheHandler) {
  json::object response = Modern({{"elicitation", json::object{}}},
                                  {{"inputResponses", {{"sure", {{"action", "accept"}}}}}, {"requestState", "state-1"}});
  const json::object& result = response.at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("isError"), false);
  EXPECT_EQ(result.at("structuredContent").at("responses").at("sure").at("action"), "accept");
  EXPECT_EQ(result.at("structuredContent").at("state"), "state-1");
}

TEST_F(InputRequired, MalformedRetryParamsAreInvalidParams) {
  EXPECT_EQ(fixture::ErrorCode(Modern({}, {{"inputResponses", "yes"}})), -32602);
  EXPECT_EQ(fixture::ErrorCode(Modern({}, {{"inputResponses", {{"sure", 1}}}})), -32602);
  EXPECT_EQ(fixture::ErrorCode(Modern({}, {{"requestState", 7}})), -32602);
}

TEST_F(InputRequired, AnUndeclaredCapabilityOrMethodIsTheHandlersBug) {
  for (auto [capabilities, method] : {std::pair{json::object{}, "elicitation/create"},
                                      std::pair{json::object{{"elicitation", json::object{}}}, "sampling/createMessage"},
                                      std::pair{json::object{{"elicitation", json::object{}}}, "tools/call"}}) {
    json::object response = Modern(capabilities, {}, {{"method", method}});
    const json::object& result = response.at("result").as_object();
    EXPECT_EQ(result.at("isError"), true) << method;
    EXPECT_EQ(result.at("structuredContent").at("error").at("code"), "internal_error") << method;
  }
  EXPECT_EQ(reported_.size(), 3u);
}

TEST_F(InputRequired, TheHandshakeEraNeverGetsOne) {
  client_.Initialize("2025-11-25");
  json::object result = client_.CallTool("confirm");
  EXPECT_FALSE(result.contains("resultType"));
  EXPECT_EQ(result.at("isError"), true);
  EXPECT_EQ(result.at("structuredContent").at("error").at("code"), "internal_error");
  // inputResponses in a handshake-era request are not passed on.
  json::object retried = client_.Request(
      "tools/call", {{"name", "confirm"}, {"arguments", json::object{}}, {"inputResponses", {{"sure", {{"action", "accept"}}}}}});
  EXPECT_EQ(retried.at("result").at("isError"), true);
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_NE(reported_[0].find("only allowed in protocol revision 2026-07-28"), std::string::npos);
}

TEST_F(InputRequired, APromptMayAskForInputToo) {
  json::object first = client_.Request(
      "prompts/get", {{"name", "greeting"}, {"_meta", ModernMeta({{"elicitation", json::object{}}})}});
  const json::object& asked = first.at("result").as_object();
  EXPECT_EQ(asked.at("resultType"), "input_required");
  EXPECT_EQ(asked.at("inputRequests").at("who").at("method"), "elicitation/create");
  EXPECT_FALSE(asked.contains("requestState"));  // none was given
  EXPECT_FALSE(asked.contains("messages"));

  json::object second = client_.Request(
      "prompts/get", {{"name", "greeting"},
                      {"inputResponses", {{"who", {{"action", "accept"}, {"content", {{"name", "Ada"}}}}}}},
                      {"_meta", ModernMeta({{"elicitation", json::object{}}})}});
  const json::object& done = second.at("result").as_object();
  EXPECT_EQ(done.at("resultType"), "complete");
  EXPECT_EQ(done.at("messages").at(0).at("content").at("text"), "Greet Ada.");
}

TEST_F(InputRequired, APromptAskingWhatItMayNotIsAnInternalError) {
  // Undeclared elicitation: the handler's bug, reported, and -32603 (prompts/get has no isError).
  json::object modern = client_.Request("prompts/get", {{"name", "greeting"}, {"_meta", ModernMeta({})}});
  EXPECT_EQ(fixture::ErrorCode(modern), -32603);
  client_.Initialize("2025-11-25");
  EXPECT_EQ(fixture::ErrorCode(client_.Request("prompts/get", {{"name", "greeting"}})), -32603);
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_NE(reported_[0].find("did not declare 'elicitation'"), std::string::npos);
  EXPECT_NE(reported_[1].find("only allowed in protocol revision 2026-07-28"), std::string::npos);
}

TEST_F(InputRequired, AMissingRequiredCapabilityIsMinus32021NamingIt) {
  json::object refused = client_.Request(
      "tools/call", {{"name", "summarize"}, {"arguments", json::object{}}, {"_meta", ModernMeta({{"elicitation", json::object{}}})}});
  EXPECT_EQ(fixture::ErrorCode(refused), -32021);
  EXPECT_EQ(refused.at("error").at("data").at("requiredCapabilities"), (json::object{{"sampling", json::object{}}}));
  EXPECT_TRUE(reported_.empty());  // the client's to fix, not an internal error

  json::object served = client_.Request(
      "tools/call", {{"name", "summarize"}, {"arguments", json::object{}}, {"_meta", ModernMeta({{"sampling", json::object{}}})}});
  EXPECT_EQ(served.at("result").at("structuredContent").at("sampled"), true);

  // The handshake era: the capabilities of initialize decide, and the error is the same.
  client_.Initialize("2025-11-25");
  json::object legacy = client_.Request("tools/call", {{"name", "summarize"}, {"arguments", json::object{}}});
  EXPECT_EQ(fixture::ErrorCode(legacy), -32021);
}

}  // namespace
