// Topic names from the user's LLM provider (issue 18), against a small local server
// that speaks the OpenAI chat completions API: names and descriptions come from it
// when a key is stored; they are kept across refreshes; a provider that is down,
// slow or answering nonsense leaves the names made from the tags, on time.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "store/llm_keys.h"
#include "tests/tools/fake_provider.h"
#include "tests/tools/memory_test_env.h"
#include "tools/provider_client.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

constexpr std::string_view kMasterHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kProviderKey = "sk-local-test-key-4242";

std::string Completion(const std::string& content) {
  return json::serialize(json::object{
      {"choices", json::array{json::object{{"message", json::object{{"role", "assistant"}, {"content", content}}}}}}});
}

class TopicNaming : public ::testing::Test {
 protected:
  static tools::ServiceOptions Options() {
    tools::ServiceOptions options;
    options.topic_clusters.cipher =
        std::make_shared<const LlmKeyCipher>(LlmKeyCipher::FromMasterKey(kMasterHex).value());
    options.topic_clusters.naming.timeout = std::chrono::milliseconds(300);
    return options;
  }

  void StoreKey(const std::string& base_url) {
    const LlmKeyCipher cipher = LlmKeyCipher::FromMasterKey(kMasterHex).value();
    ASSERT_TRUE(env_.db().Write([&](store::Connection& c) -> Status {
      store::LlmKeyRow row;
      row.user_id = alice_;
      row.provider = "local";
      row.model = "tiny-chat";
      row.base_url = base_url;
      auto sealed = cipher.Encrypt(alice_, row.provider, kProviderKey);
      row.key_encrypted = sealed.ciphertext;
      row.key_nonce = sealed.nonce;
      row.key_last4 = "4242";
      return store::PutLlmKey(c, row).status();
    }).ok());
  }

  void WriteTopic() {
    for (int i = 0; i < 3; ++i) {
      CallResult r = owner_->Call("write_memory", {{"title", "k8s " + std::to_string(i)},
                                                   {"content", "c"},
                                                   {"tags", json::array{"kubernetes", "deploy", "helm"}}});
      ASSERT_FALSE(r.is_error) << r.error_message;
    }
  }

  json::object SettledCluster(const std::string& tag) {
    owner_->Call("get_topic_cluster", {{"tag", tag}});
    env_.service().topics().WaitForRefreshes();
    CallResult r = owner_->Call("get_topic_cluster", {{"tag", tag}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.structured.at("cluster").as_object();
  }

  MemoryTestEnv env_{Options()};
  std::string alice_ = env_.AddUser("alice@example.com", "pro");
  std::unique_ptr<Client> owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
};

TEST_F(TopicNaming, TheUsersProviderNamesAndDescribesTheirTopicsAndSeesOnlyTags) {
  FakeProvider provider([](const std::string&) {
    return Completion("```json\n{\"name\": \"Kubernetes deploys\", \"description\": \"Shipping services to the cluster.\"}\n```");
  });
  StoreKey(provider.base_url());
  env_.service().topics().WaitForRefreshes();
  WriteTopic();
  const json::object cluster = SettledCluster("helm");
  EXPECT_EQ(Str(cluster.at("name")), "Kubernetes deploys");
  EXPECT_EQ(Str(cluster.at("description")), "Shipping services to the cluster.");

  ASSERT_FALSE(provider.bodies().empty());
  const json::value sent = json::parse(provider.bodies().back());
  EXPECT_EQ(Str(sent.at("model")), "tiny-chat");
  const std::string user_message = Str(sent.at("messages").as_array()[1].at("content"));
  EXPECT_NE(user_message.find("kubernetes"), std::string::npos) << user_message;
  EXPECT_EQ(user_message.find("k8s 0"), std::string::npos) << "titles and content are not sent";
  EXPECT_EQ(provider.authorizations().back(), "Bearer " + std::string(kProviderKey));

  // A refresh with the same topic asks the provider nothing and keeps the name.
  const std::size_t asked = provider.bodies().size();
  ASSERT_FALSE(owner_->Call("write_memory", {{"title", "other"}, {"content", "c"}, {"tags", json::array{"solo"}}}).is_error);
  ASSERT_FALSE(owner_->Call("write_memory", {{"title", "x"}, {"content", "c"}, {"tags", json::array{"helm"}}}).is_error);
  env_.service().topics().Refresh({alice_, std::nullopt, std::nullopt, std::nullopt}, store::Scope::kAll);
  env_.service().topics().WaitForRefreshes();
  EXPECT_EQ(provider.bodies().size(), asked);
  CallResult again = owner_->Call("get_topic_cluster", {{"tag", "helm"}});
  EXPECT_EQ(Str(again.structured.at("cluster").at("name")), "Kubernetes deploys");
}

TEST_F(TopicNaming, AProviderThatIsDownSlowOrTalkingNonsenseLeavesTheTagNamesOnTime) {
  WriteTopic();
  // Down: nothing listens on the port of a closed server.
  std::string closed_url;
  {
    FakeProvider gone([](const std::string&) { return std::string(); });
    closed_url = gone.base_url();
  }
  StoreKey(closed_url);
  EXPECT_EQ(Str(SettledCluster("helm").at("name")), "deploy / helm / kubernetes");

  // Slow: answers after the 300 ms deadline.
  FakeProvider slow([](const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return Completion("{\"name\": \"Too late\"}");
  });
  StoreKey(slow.base_url());
  const auto start = std::chrono::steady_clock::now();
  env_.service().topics().Refresh({alice_, std::nullopt, std::nullopt, std::nullopt}, store::Scope::kAll);
  env_.service().topics().WaitForRefreshes();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1200));
  EXPECT_EQ(Str(owner_->Call("get_topic_cluster", {{"tag", "helm"}}).structured.at("cluster").at("name")),
            "deploy / helm / kubernetes");

  // Nonsense: not the JSON asked for.
  FakeProvider nonsense([](const std::string&) { return Completion("I would call it something nice."); });
  StoreKey(nonsense.base_url());
  env_.service().topics().Refresh({alice_, std::nullopt, std::nullopt, std::nullopt}, store::Scope::kAll);
  env_.service().topics().WaitForRefreshes();
  EXPECT_EQ(Str(owner_->Call("get_topic_cluster", {{"tag", "helm"}}).structured.at("cluster").at("name")),
            "deploy / helm / kubernetes");
  EXPECT_EQ(nonsense.bodies().size(), 1u);
}

TEST(ProviderClient, ErrorsSayWhatFailedWithoutTheKey) {
  FakeProvider provider([](const std::string&) { return Completion("ok"); });
  Result<std::string> ok = tools::PostJson({provider.base_url() + "/chat/completions", "sk-secret", "{}"});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  Result<std::string> bad = tools::PostJson({"ftp://example.com", "sk-secret", "{}"});
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  Result<std::string> unreachable =
      tools::PostJson({"http://127.0.0.1:9/v1", "sk-secret", "{}", std::chrono::milliseconds(300)});
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().message().find("sk-secret"), std::string::npos);
}

// A provider that echoes the key in its refusal: the error (which callers log) says
// what the provider answered, without any part of the key, even where the answer is cut.
TEST(ProviderClient, AProvidersAnswerThatEchoesTheKeyIsReportedWithoutIt) {
  const std::string key = "sk-secret-0123456789abcdef";
  for (const std::size_t before : {std::size_t{0}, std::size_t{165}}) {  // 165: the key straddles the 200-byte cut
    FakeProvider refusing(
        [&](const std::string&) { return std::string(before, ' ') + "{\"error\": \"invalid key " + key + "\"}"; }, 401);
    Result<std::string> refused = tools::PostJson({refusing.base_url() + "/chat/completions", key, "{}"});
    ASSERT_FALSE(refused.ok());
    const std::string message = refused.status().message();
    EXPECT_NE(message.find("HTTP 401"), std::string::npos) << message;
    EXPECT_EQ(message.find("sk-secret"), std::string::npos) << message;
    if (before == 0) {
      EXPECT_NE(message.find("invalid key [key]"), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace rm::testing
