// Counts an agent gets describe only what it can see (adversarial review, issue 20):
// a number that includes memories hidden from its vendor tells it they exist.
// Owner keys (no vendor) keep the full counts of their own memories.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// `n` memories of `user` that no agent may see (allowed_vendors []), stored directly.
void StoreHiddenMemories(MemoryTestEnv& env, const std::string& user, int n) {
  ASSERT_TRUE(env.db().Write([&](store::Connection& c) {
    for (int i = 0; i < n; ++i) {
      store::Statement& s = c.Prepare(
          "INSERT INTO memories (id, user_id, title, content, allowed_vendors, created_at, updated_at) "
          "VALUES (?, ?, 'hidden', 'c', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
      s.Bind(1, "hidden-" + std::to_string(i)).Bind(2, user);
      RM_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  }).ok());
}

// The messages of the log notifications (logger "quota") a client received.
std::vector<std::string> QuotaWarnings(const Client& client) {
  std::vector<std::string> out;
  for (const json::object& n : client.notifications()) {
    if (n.at("method").as_string() != "notifications/message") continue;
    const json::object& params = n.at("params").as_object();
    if (params.at("logger").as_string() == "quota") out.push_back(Str(params.at("data").at("message")));
  }
  return out;
}

// Claude wrote a memory; the owner replied twice, kept from every agent.
// Every case runs on SQLite and on PostgreSQL.
class AgentCounts : public ::testing::TestWithParam<store::Engine> {};
RM_ON_BOTH_ENGINES(AgentCounts);

TEST_P(AgentCounts, DeleteAndRestoreCountOnlyTheMemoriesTheAgentSees) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  const std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  const std::string p = claude->Call("write_memory", {{"title", "trip"}, {"content", "c"}}).id();
  for (const char* title : {"private 1", "private 2"}) {
    ASSERT_FALSE(owner->Call("write_child_memory", {{"parent_memory_id", p}, {"title", title}, {"content", "c"},
                                                    {"allowed_vendors", json::array{}}}).is_error);
  }
  CallResult thread = claude->Call("read_thread", {{"memory_id", p}});
  ASSERT_TRUE(thread.structured.at("replies").as_array().empty());

  CallResult deleted = claude->Call("delete_memory", {{"id", p}});
  ASSERT_FALSE(deleted.is_error) << deleted.error_message;
  EXPECT_EQ(deleted.structured.at("memories_affected"), 1);
  CallResult restored = claude->Call("restore_memory", {{"id", p}});
  ASSERT_FALSE(restored.is_error) << restored.error_message;
  EXPECT_EQ(restored.structured.at("memories_affected"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories WHERE deleted_at IS NULL"), 3);  // the cascade still applies to all

  // The owner key sees the replies, and counts them.
  EXPECT_EQ(owner->Call("delete_memory", {{"id", p}}).structured.at("memories_affected"), 3);
  EXPECT_EQ(owner->Call("restore_memory", {{"id", p}}).structured.at("memories_affected"), 3);

  CallResult gone = claude->Call("delete_memory", {{"id", p}, {"permanent", true}});
  ASSERT_FALSE(gone.is_error) << gone.error_message;
  EXPECT_EQ(gone.structured.at("memories_affected"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 0);
}

// 185 memories kept from agents: claude's briefing shows none, so its write's
// quota warning must not say "186 of the 200".
TEST_P(AgentCounts, QuotaWarningToAnAgentNamesTheLimitNotTheCount) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  const std::string alice = env.AddUser("alice@example.com");  // free: 200 memories
  StoreHiddenMemories(env, alice, 185);
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  ASSERT_EQ(claude->Call("get_memory_briefing", {{"format", "json"}}).structured.at("briefing").at("totals").at("memories"), 0);

  ASSERT_FALSE(claude->Call("write_memory", {{"title", "t"}, {"content", "c"}}).is_error);
  std::vector<std::string> warnings = QuotaWarnings(*claude);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("200"), std::string::npos) << warnings[0];
  EXPECT_EQ(warnings[0].find("186"), std::string::npos) << warnings[0];

  // The owner key is told the count.
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  ASSERT_FALSE(owner->Call("write_memory", {{"title", "t2"}, {"content", "c"}}).is_error);
  warnings = QuotaWarnings(*owner);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("187 of the 200"), std::string::npos) << warnings[0];
}

TEST_P(AgentCounts, QuotaExceededToAnAgentSaysTheLimitIsReachedNotByHowMuch) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  const std::string alice = env.AddUser("alice@example.com");  // free: 200 memories
  StoreHiddenMemories(env, alice, 201);  // e.g. written before a downgrade
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  CallResult r = claude->Call("write_memory", {{"title", "t"}, {"content", "c"}});
  EXPECT_EQ(r.error_code, "quota_exceeded");
  EXPECT_NE(r.error_message.find("200"), std::string::npos) << r.error_message;
  EXPECT_EQ(r.error_message.find("201"), std::string::npos) << r.error_message;

  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  CallResult by_owner = owner->Call("write_memory", {{"title", "t"}, {"content", "c"}});
  EXPECT_EQ(by_owner.error_code, "quota_exceeded");
  EXPECT_NE(by_owner.error_message.find("201 stored"), std::string::npos) << by_owner.error_message;
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 201);
}

// Claude wrote a memory; the owner kept it from agents for one revision. Claude's
// history is numbered over the versions it sees: no gap shows the hidden one.
TEST_P(AgentCounts, VersionNumbersCountOnlyTheVersionsTheAgentSees) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  const std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  const std::string id = claude->Call("write_memory", {{"title", "plan"}, {"content", "v1"}}).id();
  // v1: "v1" for all; v2: "SECRET" for owners only; then open again.
  ASSERT_FALSE(owner->Call("update_memory", {{"id", id}, {"content", "SECRET"}, {"allowed_vendors", json::array{}}}).is_error);
  ASSERT_FALSE(owner->Call("update_memory", {{"id", id}, {"content", "v3"}, {"allowed_vendors", {"*"}}}).is_error);

  CallResult seen = claude->Call("get_memory_versions", {{"id", id}});
  ASSERT_FALSE(seen.is_error) << seen.error_message;
  const json::array& versions = seen.structured.at("versions").as_array();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].at("version_number"), 1);
  EXPECT_EQ(Str(versions[0].at("content")), "v1");
  EXPECT_EQ(seen.structured.at("current_version"), 2);

  // Claude's own update: the state it replaced is its version 2.
  CallResult updated = claude->Call("update_memory", {{"id", id}, {"content", "v4"}});
  ASSERT_FALSE(updated.is_error) << updated.error_message;
  EXPECT_EQ(updated.structured.at("previous_version"), 2);
  seen = claude->Call("get_memory_versions", {{"id", id}});
  ASSERT_EQ(seen.structured.at("versions").as_array().size(), 2u);
  EXPECT_EQ(seen.structured.at("versions").at(1).at("version_number"), 2);
  EXPECT_EQ(Str(seen.structured.at("versions").at(1).at("content")), "v3");
  EXPECT_EQ(seen.structured.at("current_version"), 3);

  // The owner key keeps the stored numbers.
  CallResult all = owner->Call("get_memory_versions", {{"id", id}});
  EXPECT_EQ(all.structured.at("versions").as_array().size(), 3u);
  EXPECT_EQ(all.structured.at("current_version"), 4);
}

// Not only agents miss versions: a pool member does not see the author's drafts from before
// the memory was shared. Its numbers count only what it sees, too (no gaps that count drafts).
TEST_P(AgentCounts, APoolMemberMissingDraftsGetsVersionsNumberedOverWhatItSees) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  const std::string alice = env.AddUser("alice@example.com", "team");
  const std::string bob = env.AddUser("bob@example.com", "team");
  const std::string org = env.CreateOrg("Acme", alice);
  const std::string team = env.CreateTeam(org, "Platform");
  env.Join(org, alice, team);
  env.Join(org, bob, team);
  auto a = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto b = env.Connect(MemoryTestEnv::OwnerKey(bob));
  const std::string id = a->Call("write_memory", {{"title", "plan"}, {"content", "draft 1"}}).id();
  ASSERT_FALSE(a->Call("update_memory", {{"id", id}, {"content", "draft 2"}}).is_error);
  ASSERT_FALSE(a->Call("update_memory", {{"id", id}, {"content", "shared"}}).is_error);
  ASSERT_FALSE(a->Call("share_memory", {{"memory_id", id}, {"scope", "team"}}).is_error);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // replaced strictly after shared_at
  CallResult updated = b->Call("update_memory", {{"id", id}, {"content", "bob's"}});
  ASSERT_FALSE(updated.is_error) << updated.error_message;
  EXPECT_EQ(updated.structured.at("previous_version"), 1) << "the state Bob replaced is the first he sees";

  CallResult seen = b->Call("get_memory_versions", {{"id", id}});
  ASSERT_FALSE(seen.is_error) << seen.error_message;
  const json::array& versions = seen.structured.at("versions").as_array();
  ASSERT_EQ(versions.size(), 1u) << json::serialize(seen.structured);
  EXPECT_EQ(Str(versions[0].at("content")), "shared");
  EXPECT_EQ(versions[0].at("version_number"), 1);
  EXPECT_EQ(seen.structured.at("current_version"), 2);
  // The author sees every version under its stored number.
  CallResult all = a->Call("get_memory_versions", {{"id", id}});
  EXPECT_EQ(all.structured.at("versions").as_array().size(), 3u);
  EXPECT_EQ(all.structured.at("versions").at(2).at("version_number"), 3);
  EXPECT_EQ(all.structured.at("current_version"), 4);
}

// The account's operation counts would tell an agent what the user's other AI tools did.
TEST_P(AgentCounts, GetUsageTellsAnAgentOnlyItsOwnVendorsCalls) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  const std::string u = env.AddUser("a@x.io");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(u));
  auto cursor = env.Connect(MemoryTestEnv::AgentKey(u, "cursor"));
  auto claude = env.Connect(MemoryTestEnv::AgentKey(u, "claude"));
  for (int i = 0; i < 3; ++i) owner->Call("write_memory", {{"title", "o"}, {"content", "c"}});
  for (int i = 0; i < 2; ++i) cursor->Call("write_memory", {{"title", "c"}, {"content", "c"}});
  cursor->Call("search_memories", {{"term", "c"}});
  claude->Call("write_memory", {{"title", "mine"}, {"content", "c"}});
  claude->Call("get_latest_memory");

  CallResult mine = claude->Call("get_usage");
  ASSERT_FALSE(mine.is_error) << mine.error_message;
  const json::object& ops = mine.structured.at("operations").as_object();
  EXPECT_EQ(ops.at("writes"), 1);
  EXPECT_EQ(ops.at("reads"), 1);
  EXPECT_EQ(ops.at("queries"), 0);
  EXPECT_EQ(ops.at("total"), 2) << json::serialize(mine.structured);
  // The owner key still gets the account's totals: 3 + 2 + 1 writes, 2 reads (claude's), 1 query.
  CallResult all = owner->Call("get_usage");
  EXPECT_EQ(all.structured.at("operations").at("writes"), 6);
  EXPECT_EQ(all.structured.at("operations").at("total"), 9) << json::serialize(all.structured);
}

}  // namespace
}  // namespace rm::testing
