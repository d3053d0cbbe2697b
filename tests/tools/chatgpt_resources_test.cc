// ChatGPT's search/fetch shapes, memories as resources, the recall prompt and the
// initialize instructions — all vendor-filtered.
#include <gtest/gtest.h>

#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

class ChatGptTest : public ::testing::Test {
 protected:
  ChatGptTest() : alice_(env_.AddUser("alice@example.com", "pro")) {
    owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
    visible_ = owner_->Call("write_memory", {{"title", "Espresso ratio"}, {"content", "18g in, 36g out"}, {"tags", {"coffee"}}}).id();
    hidden_ = owner_->Call("write_memory", {{"title", "Espresso secret"}, {"content", "cursor only"}, {"allowed_vendors", {"cursor"}}}).id();
    chatgpt_ = env_.Connect(MemoryTestEnv::AgentKey(alice_, "chatgpt"), "openai-mcp");
  }
  MemoryTestEnv env_;
  std::string alice_, visible_, hidden_;
  std::unique_ptr<Client> owner_, chatgpt_;
};

TEST_F(ChatGptTest, SearchReturnsExactlyOneTextItemWithResults) {
  CallResult r = chatgpt_->Call("search", {{"query", "espresso"}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].at("type"), "text");
  json::value parsed = json::parse(r.content[0].at("text").as_string());
  const json::array& results = parsed.at("results").as_array();
  ASSERT_EQ(results.size(), 1u);  // the cursor-only one is hidden
  EXPECT_EQ(Str(results[0].at("id")), visible_);
  EXPECT_EQ(results[0].at("title"), "Espresso ratio");
  EXPECT_EQ(Str(results[0].at("url")), "memory://" + visible_);
  EXPECT_EQ(results[0].as_object().size(), 3u);
  EXPECT_EQ(parsed, json::value(r.structured));
}

TEST_F(ChatGptTest, FetchReturnsTheDocumentShape) {
  CallResult r = chatgpt_->Call("fetch", {{"id", visible_}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  ASSERT_EQ(r.content.size(), 1u);
  json::object doc = json::parse(r.content[0].at("text").as_string()).as_object();
  EXPECT_EQ(Str(doc.at("id")), visible_);
  EXPECT_EQ(doc.at("title"), "Espresso ratio");
  EXPECT_EQ(doc.at("text"), "18g in, 36g out");
  EXPECT_EQ(Str(doc.at("url")), "memory://" + visible_);
  EXPECT_EQ(doc.at("metadata").at("tags"), (json::array{"coffee"}));
  EXPECT_EQ(chatgpt_->Call("fetch", {{"id", hidden_}}).error_code, "not_found");
}

// Revision 2026-07-28 has no initialize: server/discover carries the same briefing, filtered
// by the vendor of the key that asks, and says it may not be shared between callers.
TEST_F(ChatGptTest, DiscoverInstructionsAreTheVendorFilteredBriefingToo) {
  const json::object meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                          {"io.modelcontextprotocol/clientCapabilities", json::object{}},
                          {"io.modelcontextprotocol/clientInfo", {{"name", "openai-mcp"}, {"version", "1"}}}};
  auto discover = [&](Client& client) {
    json::object response = client.Request("server/discover", {{"_meta", meta}});
    EXPECT_TRUE(response.contains("result")) << json::serialize(response);
    return response.contains("result") ? response.at("result").as_object() : json::object{};
  };
  const json::object as_owner = discover(*owner_);
  EXPECT_NE(Str(as_owner.at("instructions")).find("Espresso secret"), std::string::npos);
  const json::object as_chatgpt = discover(*chatgpt_);
  const std::string text = Str(as_chatgpt.at("instructions"));
  EXPECT_NE(text.find("Espresso ratio"), std::string::npos);
  EXPECT_EQ(text.find("Espresso secret"), std::string::npos) << "a cursor-only title in chatgpt's discover";
  EXPECT_EQ(text, Str(chatgpt_->initialize_result().at("instructions")));
  EXPECT_NE(as_chatgpt.at("cacheScope"), "shared") << "instructions differ per caller";
}

TEST(ChatGptUrls, PublicBaseUrlIsUsedWhenConfigured) {
  tools::ServiceOptions options;
  options.public_base_url = "https://memory.example.com/m/";
  MemoryTestEnv env(options);
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto c = env.Connect(MemoryTestEnv::OwnerKey(alice));
  std::string id = c->Call("write_memory", {{"title", "x"}, {"content", "y"}}).id();
  EXPECT_EQ(Str(c->Call("fetch", {{"id", id}}).structured.at("url")), "https://memory.example.com/m/" + id);
}

TEST_F(ChatGptTest, ResourcesListAndReadAreVendorFiltered) {
  json::object listed = chatgpt_->Request("resources/list");
  const json::array& resources = listed.at("result").at("resources").as_array();
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(Str(resources[0].at("uri")), "memory://" + visible_);
  EXPECT_EQ(resources[0].at("name"), "Espresso ratio");

  json::object read = chatgpt_->Request("resources/read", {{"uri", "memory://" + visible_}});
  const json::object& item = read.at("result").at("contents").at(0).as_object();
  EXPECT_EQ(item.at("mimeType"), "application/json");
  EXPECT_EQ(json::parse(item.at("text").as_string()).at("content"), "18g in, 36g out");

  EXPECT_EQ(chatgpt_->Request("resources/read", {{"uri", "memory://" + hidden_}}).at("error").at("code"), -32002);
  EXPECT_EQ(chatgpt_->Request("resources/read", {{"uri", "https://x"}}).at("error").at("code"), -32002);
  // The owner key lists both.
  EXPECT_EQ(owner_->Request("resources/list").at("result").at("resources").as_array().size(), 2u);
  json::object templates = owner_->Request("resources/templates/list");
  EXPECT_EQ(templates.at("result").at("resourceTemplates").at(0).at("uriTemplate"), "memory://{id}");
}

TEST_F(ChatGptTest, ResourcesListPages) {
  for (int i = 0; i < 60; ++i) owner_->Call("write_memory", {{"title", "m" + std::to_string(i)}, {"content", "c"}});
  json::object first = owner_->Request("resources/list");
  EXPECT_EQ(first.at("result").at("resources").as_array().size(), 50u);
  json::object second = owner_->Request("resources/list", {{"cursor", first.at("result").at("nextCursor")}});
  EXPECT_EQ(second.at("result").at("resources").as_array().size(), 12u);
  EXPECT_FALSE(second.at("result").as_object().contains("nextCursor"));
}

TEST_F(ChatGptTest, InstructionsAreAVendorFilteredBoundedBriefing) {
  // Instructions are computed at initialize, so connect after the memories exist.
  const std::string owner_text =
      Str(env_.Connect(MemoryTestEnv::OwnerKey(alice_))->initialize_result().at("instructions"));
  EXPECT_NE(owner_text.find("Espresso secret"), std::string::npos);
  const std::string chatgpt_text = Str(chatgpt_->initialize_result().at("instructions"));
  EXPECT_NE(chatgpt_text.find("Espresso ratio"), std::string::npos);
  EXPECT_EQ(chatgpt_text.find("Espresso secret"), std::string::npos);
  EXPECT_NE(chatgpt_text.find("search_memories"), std::string::npos);
  for (int i = 0; i < 30; ++i) {
    owner_->Call("write_memory", {{"title", std::string(400, 'x') + std::to_string(i)}, {"content", "c"}, {"tags", {std::string(60, 't') + std::to_string(i)}}});
  }
  auto again = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  EXPECT_LE(Str(again->initialize_result().at("instructions")).size(), 2048u);
}

// The instructions' totals stop counting at a cap (every session builds them);
// get_memory_briefing still counts every memory.
TEST(Instructions, TotalsStopCountingAtTheCap) {
  tools::ServiceOptions options;
  options.instructions_count_cap = 3;
  MemoryTestEnv env(options);
  const std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(owner->Call("write_memory", {{"title", "m"}, {"content", "c"}}).is_error);
  std::string text = Str(env.Connect(MemoryTestEnv::OwnerKey(alice))->initialize_result().at("instructions"));
  EXPECT_NE(text.find("3 memories (3 personal, 0 shared with your org"), std::string::npos) << text;  // exactly the cap
  for (int i = 0; i < 2; ++i) ASSERT_FALSE(owner->Call("write_memory", {{"title", "m"}, {"content", "c"}}).is_error);
  text = Str(env.Connect(MemoryTestEnv::OwnerKey(alice))->initialize_result().at("instructions"));
  EXPECT_NE(text.find("3+ memories (3+ personal, 0 shared with your org"), std::string::npos) << text;
  CallResult briefing = owner->Call("get_memory_briefing", {{"format", "json"}});
  EXPECT_EQ(briefing.structured.at("briefing").at("totals").at("memories"), 5);
}

TEST_F(ChatGptTest, RecallPromptUsesSearch) {
  json::object got = chatgpt_->Request("prompts/get", {{"name", "recall"}, {"arguments", {{"topic", "espresso"}}}});
  const std::string text = Str(got.at("result").at("messages").at(0).at("content").at("text"));
  EXPECT_NE(text.find("Espresso ratio"), std::string::npos) << text;
  EXPECT_EQ(text.find("Espresso secret"), std::string::npos);
}

}  // namespace
}  // namespace rm::testing
