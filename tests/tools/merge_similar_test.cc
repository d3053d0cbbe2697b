// Near-duplicate merge on write (issue 18): write_memory with merge_similar (or the
// user's default) updates a near-identical recent memory instead of adding one — a
// new version, so nothing is lost — and says merged_into. Never across users,
// vendors or pools; a different fact is never merged.
#include <gtest/gtest.h>

#include "store/user_settings.h"
#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"
#include "tools/near_duplicate.h"

namespace rm::testing {
namespace {
namespace json = boost::json;
using tools::NearDuplicate;

// ---------------------------------------------------------------- the similarity rule

TEST(NearDuplicate, TheSameFactReworded) {
  EXPECT_TRUE(NearDuplicate("Deploy key rotation", "The deploy key rotates every 30 days, owned by the platform team.",
                            "Deploy key rotation", "The deploy key rotates every 30 days, owned by the platform team"));
  EXPECT_TRUE(NearDuplicate("Preferred editor", "Alice prefers Neovim with the gruvbox theme for all Go and Rust work.",
                            "preferred editor", "Alice prefers neovim with the Gruvbox theme for all Go and Rust work!"));
  // One word more in a long text.
  EXPECT_TRUE(NearDuplicate(
      "Release checklist",
      "Before a release: run the full test suite, update the changelog, tag the commit, build the packages, "
      "upload them to the mirror and announce it on the team channel.",
      "Release checklist",
      "Before a release: run the full test suite, update the changelog, tag the commit, build the packages, "
      "upload them to the mirror and then announce it on the team channel."));
}

TEST(NearDuplicate, ADifferentNumberOrNegationIsADifferentFact) {
  EXPECT_FALSE(NearDuplicate("Deploy key rotation", "The deploy key rotates every 30 days, owned by the platform team.",
                             "Deploy key rotation", "The deploy key rotates every 90 days, owned by the platform team."));
  EXPECT_FALSE(NearDuplicate("Feature flag", "The billing v2 flag is enabled in production for every customer.",
                             "Feature flag", "The billing v2 flag is not enabled in production for every customer."));
  EXPECT_FALSE(NearDuplicate("Standup", "Standup moved to Tuesday at the usual time.", "Standup",
                             "Standup moved to Friday at the usual time."));
}

TEST(NearDuplicate, DifferentTitlesOrTopicsAreNotMerged) {
  EXPECT_FALSE(NearDuplicate("Alice's editor", "Neovim.", "Bob's editor", "Neovim."));
  EXPECT_FALSE(NearDuplicate("Notes", "Kubernetes upgrade planned for the staging cluster next sprint.", "Notes",
                             "Postgres failover drill scheduled with the database team."));
  EXPECT_DOUBLE_EQ(tools::ShingleSimilarity("", ""), 1.0);
  EXPECT_DOUBLE_EQ(tools::ShingleSimilarity("a b", "c d"), 0.0);
}

// ---------------------------------------------------------------- write_memory

class MergeSimilar : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  CallResult Write(Client& client, const std::string& title, const std::string& content, json::object extra = {}) {
    extra["title"] = title;
    extra["content"] = content;
    return client.Call("write_memory", std::move(extra));
  }

  const std::string kTitle = "Deploy key rotation";
  const std::string kFact = "The deploy key rotates every 30 days, owned by the platform team.";
  const std::string kSameFact = "The deploy key rotates every 30 days; owned by the platform team";

  MemoryTestEnv env_{GetParam()};
  std::string alice_ = env_.AddUser("alice@example.com", "pro");
  std::unique_ptr<Client> owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  std::unique_ptr<Client> claude_ = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  std::unique_ptr<Client> cursor_ = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
};

RM_ON_BOTH_ENGINES(MergeSimilar);

TEST_P(MergeSimilar, ANearDuplicateBecomesANewVersionOfTheFirstAndIsUndoable) {
  CallResult first = Write(*claude_, kTitle, kFact, {{"tags", json::array{"ops"}}});
  ASSERT_FALSE(first.is_error) << first.error_message;
  CallResult second =
      Write(*claude_, kTitle, kSameFact, {{"tags", json::array{"security", "OPS"}}, {"merge_similar", true}});
  ASSERT_FALSE(second.is_error) << second.error_message;
  EXPECT_EQ(Str(second.structured.at("merged_into")), first.id());
  EXPECT_EQ(second.id(), first.id());
  EXPECT_EQ(second.structured.at("previous_version").as_int64(), 1);
  EXPECT_EQ(Str(second.memory().at("content")), kSameFact);
  EXPECT_EQ(json::serialize(second.memory().at("tags")), R"(["ops","security"])");
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 1);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM usage_events WHERE operation = 'memory_write'"), 2);

  // The history keeps what was merged over.
  CallResult history = claude_->Call("get_memory_versions", {{"id", first.id()}});
  ASSERT_FALSE(history.is_error);
  ASSERT_EQ(history.structured.at("versions").as_array().size(), 1u);
  EXPECT_EQ(Str(history.structured.at("versions").as_array()[0].at("content")), kFact);
}

TEST_P(MergeSimilar, ADifferentFactIsANewMemory) {
  ASSERT_FALSE(Write(*claude_, kTitle, kFact).is_error);
  CallResult other = Write(*claude_, kTitle, "The deploy key rotates every 90 days, owned by the platform team.",
                           {{"merge_similar", true}});
  ASSERT_FALSE(other.is_error);
  EXPECT_FALSE(other.structured.contains("merged_into"));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 2);
}

TEST_P(MergeSimilar, OffByDefaultAndTheUsersSettingTurnsItOn) {
  ASSERT_FALSE(Write(*claude_, kTitle, kFact).is_error);
  CallResult unasked = Write(*claude_, kTitle, kSameFact);
  EXPECT_FALSE(unasked.structured.contains("merged_into"));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 2);

  ASSERT_TRUE(env_.db().Write([&](store::Connection& c) { return store::SetUserMergesSimilar(c, alice_, true); }).ok());
  CallResult by_default = Write(*claude_, kTitle, kSameFact);
  ASSERT_FALSE(by_default.is_error);
  EXPECT_TRUE(by_default.structured.contains("merged_into"));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 2);
  CallResult refused = Write(*claude_, kTitle, kSameFact, {{"merge_similar", false}});
  EXPECT_FALSE(refused.structured.contains("merged_into"));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 3);
}

TEST_P(MergeSimilar, NeverAcrossUsersVendorsOrPools) {
  const std::string bob = env_.AddUser("bob@example.com", "pro");
  const std::string org = env_.CreateOrg("Acme", alice_);
  env_.Join(org, alice_);
  env_.Join(org, bob);
  auto bob_claude = env_.Connect(MemoryTestEnv::AgentKey(bob, "claude"));

  ASSERT_FALSE(Write(*claude_, kTitle, kFact).is_error);
  const json::object merge{{"merge_similar", true}};
  EXPECT_FALSE(Write(*bob_claude, kTitle, kSameFact, merge).structured.contains("merged_into")) << "another user";
  EXPECT_FALSE(Write(*cursor_, kTitle, kSameFact, merge).structured.contains("merged_into")) << "another vendor";
  EXPECT_FALSE(Write(*owner_, kTitle, kSameFact, merge).structured.contains("merged_into")) << "the owner's key";
  json::object shared = merge;
  shared["share_scope"] = "org";
  EXPECT_FALSE(Write(*claude_, kTitle, kSameFact, shared).structured.contains("merged_into")) << "another pool";
  json::object restricted = merge;
  restricted["allowed_vendors"] = json::array{"claude"};
  EXPECT_FALSE(Write(*claude_, kTitle, kSameFact, restricted).structured.contains("merged_into")) << "other vendors";
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 6);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_versions"), 0);
}

TEST_P(MergeSimilar, OnlyMemoriesOfTheLast48HoursAreMergedInto) {
  CallResult old = Write(*claude_, kTitle, kFact);
  ASSERT_FALSE(old.is_error);
  ASSERT_TRUE(env_.db().Write([&](store::Connection& c) {
    return c.Prepare("UPDATE memories SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?1").Bind(1, old.id()).Run();
  }).ok());
  CallResult fresh = Write(*claude_, kTitle, kSameFact, {{"merge_similar", true}});
  EXPECT_FALSE(fresh.structured.contains("merged_into"));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 2);
}

TEST_P(MergeSimilar, TheSameMemoryAgainAddsNoVersionAndAMergeIsUndoneFromTheHistory) {
  CallResult first = Write(*claude_, kTitle, kFact);
  const json::object merge{{"merge_similar", true}};
  CallResult again = Write(*claude_, kTitle, kFact, merge);
  EXPECT_EQ(Str(again.structured.at("merged_into")), first.id());
  EXPECT_FALSE(again.structured.contains("previous_version"));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_versions"), 0);

  ASSERT_TRUE(Write(*claude_, kTitle, kSameFact, merge).structured.contains("merged_into"));
  // Undo: put back what the history kept.
  CallResult history = claude_->Call("get_memory_versions", {{"id", first.id()}});
  const json::object& kept = history.structured.at("versions").as_array()[0].as_object();
  CallResult undone = claude_->Call("update_memory", {{"id", first.id()}, {"content", kept.at("content")}});
  ASSERT_FALSE(undone.is_error) << undone.error_message;
  EXPECT_EQ(Str(undone.memory().at("content")), kFact);
}

TEST_P(MergeSimilar, ARequestIdReplayAfterAMergeReturnsTheSameMergedInto) {
  CallResult first = Write(*claude_, kTitle, kFact);
  const json::object args{{"merge_similar", true}, {"request_id", "merge-1"}};
  CallResult merged = Write(*claude_, kTitle, kSameFact, args);
  ASSERT_FALSE(merged.is_error) << merged.error_message;
  CallResult replay = Write(*claude_, kTitle, kSameFact, args);
  ASSERT_FALSE(replay.is_error);
  EXPECT_EQ(Str(replay.structured.at("merged_into")), first.id());
  EXPECT_EQ(json::serialize(replay.structured), json::serialize(merged.structured));
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_versions"), 1) << "applied once";
  EXPECT_EQ(env_.Count("SELECT count(*) FROM usage_events WHERE operation = 'memory_write'"), 2);
}

}  // namespace
}  // namespace rm::testing
