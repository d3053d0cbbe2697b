// SPEC §3 across users, keys and pools: isolation, the vendor filter, who may
// change what, and sharing.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every read path that takes a memory id, and what "not found" looks like there.
void ExpectHiddenEverywhere(Client& client, const std::string& id) {
  for (const char* tool : {"get_memory_by_id", "get_memory_versions", "fetch"}) {
    EXPECT_EQ(client.Call(tool, {{"id", id}}).error_code, "not_found") << tool;
  }
  EXPECT_EQ(client.Call("read_thread", {{"memory_id", id}}).error_code, "not_found");
  EXPECT_EQ(client.Call("write_child_memory", {{"parent_memory_id", id}, {"title", "t"}, {"content", "c"}}).error_code,
            "not_found");
  for (const char* tool : {"update_memory"}) {
    EXPECT_EQ(client.Call(tool, {{"id", id}, {"title", "x"}}).error_code, "not_found") << tool;
  }
  EXPECT_EQ(client.Call("delete_memory", {{"id", id}}).error_code, "not_found");
  EXPECT_EQ(client.Call("delete_memory", {{"id", id}, {"permanent", true}}).error_code, "not_found");
  EXPECT_EQ(client.Call("restore_memory", {{"id", id}}).error_code, "not_found");
  EXPECT_EQ(client.Call("share_memory", {{"memory_id", id}}).error_code, "not_found");
  EXPECT_EQ(client.Call("unshare_memory", {{"memory_id", id}}).error_code, "not_found");
  json::object read = client.Request("resources/read", {{"uri", "memory://" + id}});
  EXPECT_EQ(read.at("error").at("code"), -32002);
  // Lists and searches do not show it.
  for (const auto& [tool, args] : std::vector<std::pair<std::string, json::object>>{
           {"read_memories", {{"limit", 50}}},
           {"browse_memories", {{"limit", 200}}},
           {"get_memories_by_tag", {{"tags", {"secret"}}}},
           {"search_memories", {{"term", "secret"}}}}) {
    CallResult r = client.Call(tool, args);
    ASSERT_FALSE(r.is_error) << tool << ": " << r.error_message;
    const char* list = tool == "search_memories" ? "results" : "memories";
    for (const auto& m : r.structured.at(list).as_array()) EXPECT_NE(Str(m.at("id")), id) << tool;
  }
  CallResult search = client.Call("search", {{"query", "secret"}});
  for (const auto& m : search.structured.at("results").as_array()) EXPECT_NE(Str(m.at("id")), id);
  CallResult latest = client.Call("get_latest_memory", {{"tag", "secret"}});
  EXPECT_TRUE(latest.structured.at("memory").is_null());
}

// Every case runs on SQLite and on PostgreSQL.
class Isolation : public ::testing::TestWithParam<store::Engine> {};
RM_ON_BOTH_ENGINES(Isolation);

TEST_P(Isolation, AnotherUsersUnsharedMemoryIsNotFoundOnEveryPath) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  std::string mallory = env.AddUser("mallory@example.com", "pro");
  auto a = env.Connect(MemoryTestEnv::OwnerKey(alice));
  CallResult written = a->Call("write_memory", {{"title", "secret plan"}, {"content", "secret content"}, {"tags", {"secret"}}});
  ASSERT_FALSE(written.is_error);
  ASSERT_FALSE(a->Call("update_memory", {{"id", written.id()}, {"content", "secret v2"}}).is_error);

  auto m = env.Connect(MemoryTestEnv::OwnerKey(mallory));
  ExpectHiddenEverywhere(*m, written.id());
  auto m_agent = env.Connect(MemoryTestEnv::AgentKey(mallory, "claude"));
  ExpectHiddenEverywhere(*m_agent, written.id());
  // Nothing of alice's leaks into mallory's briefing either.
  CallResult briefing = m->Call("get_memory_briefing", {{"format", "json"}});
  EXPECT_EQ(briefing.structured.at("briefing").at("totals").at("memories"), 0);
  // And nothing changed.
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories WHERE content = 'secret v2' AND deleted_at IS NULL"), 1);
}

// Every case runs on SQLite and on PostgreSQL.
class VendorFilter : public ::testing::TestWithParam<store::Engine> {};
RM_ON_BOTH_ENGINES(VendorFilter);

TEST_P(VendorFilter, AgentsSeeOnlyMemoriesAllowingTheirVendor) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  std::string for_all = owner->Call("write_memory", {{"title", "everyone"}, {"content", "c"}}).id();
  std::string for_cursor = owner->Call("write_memory", {{"title", "cursor only"}, {"content", "c"}, {"allowed_vendors", {"cursor"}}}).id();
  std::string owners_only = owner->Call("write_memory", {{"title", "secret owners only"}, {"content", "c"}, {"tags", {"secret"}}, {"allowed_vendors", json::array{}}}).id();

  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  auto cursor = env.Connect(MemoryTestEnv::AgentKey(alice, "cursor"));
  EXPECT_FALSE(claude->Call("get_memory_by_id", {{"id", for_all}}).is_error);
  EXPECT_EQ(claude->Call("get_memory_by_id", {{"id", for_cursor}}).error_code, "not_found");
  EXPECT_FALSE(cursor->Call("get_memory_by_id", {{"id", for_cursor}}).is_error);
  ExpectHiddenEverywhere(*claude, owners_only);
  ExpectHiddenEverywhere(*cursor, owners_only);
  // The owner key sees all three, "[]" included.
  EXPECT_EQ(owner->Call("read_memories", {{"limit", 50}}).structured.at("memories").as_array().size(), 3u);
  EXPECT_EQ(claude->Call("read_memories", {{"limit", 50}}).structured.at("memories").as_array().size(), 1u);
  EXPECT_EQ(claude->Call("get_memory_briefing", {{"format", "json"}}).structured.at("briefing").at("totals").at("memories"), 1);
}

// History is memory data too (SPEC §3): a version keeps the allowed_vendors the
// memory had then, so opening a memory to every vendor later does not show them
// what it said while it was kept from them.
TEST_P(VendorFilter, AVersionIsVisibleOnlyToTheVendorsItsOwnStateAllowed) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  const std::string id = owner->Call("write_memory", {{"title", "wifi"}, {"content", "TOPSECRET password"},
                                                      {"allowed_vendors", json::array{}}}).id();
  ASSERT_FALSE(owner->Call("update_memory", {{"id", id}, {"content", "ask the office manager"},
                                             {"allowed_vendors", {"*"}}}).is_error);
  ASSERT_FALSE(owner->Call("update_memory", {{"id", id}, {"title", "office wifi"}}).is_error);

  auto cursor = env.Connect(MemoryTestEnv::AgentKey(alice, "cursor"));
  CallResult seen = cursor->Call("get_memory_versions", {{"id", id}});
  ASSERT_FALSE(seen.is_error) << seen.error_message;
  const json::array& versions = seen.structured.at("versions").as_array();
  ASSERT_EQ(versions.size(), 1u);  // version 1 (allowed_vendors []) is left out
  // An agent's versions are numbered over those it sees: no gap shows the hidden one.
  EXPECT_EQ(versions[0].at("version_number"), 1);
  EXPECT_EQ(Str(versions[0].at("content")), "ask the office manager");
  EXPECT_EQ(seen.structured.at("current_version"), 2);
  EXPECT_EQ(json::serialize(seen.structured).find("TOPSECRET"), std::string::npos);

  CallResult all = owner->Call("get_memory_versions", {{"id", id}});
  ASSERT_EQ(all.structured.at("versions").as_array().size(), 2u);
  EXPECT_EQ(Str(all.structured.at("versions").as_array()[0].at("content")), "TOPSECRET password");
}

// Every case runs on SQLite and on PostgreSQL.
class Ownership : public ::testing::TestWithParam<store::Engine> {};
RM_ON_BOTH_ENGINES(Ownership);

TEST_P(Ownership, AgentsChangeOnlyMemoriesOfTheirOriginOwnerKeysChangeAny) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  auto cursor = env.Connect(MemoryTestEnv::AgentKey(alice, "cursor"));

  CallResult by_claude = claude->Call("write_memory", {{"title", "from claude"}, {"content", "c"}});
  ASSERT_FALSE(by_claude.is_error);
  EXPECT_EQ(by_claude.memory().at("origin"), "claude");
  const std::string id = by_claude.id();

  // cursor can see it (allowed_vendors "*") but not change it.
  EXPECT_FALSE(cursor->Call("get_memory_by_id", {{"id", id}}).is_error);
  for (auto [tool, args] : std::vector<std::pair<const char*, json::object>>{
           {"update_memory", {{"id", id}, {"title", "hijack"}}},
           {"delete_memory", {{"id", id}}},
           {"share_memory", {{"memory_id", id}}}}) {
    CallResult r = cursor->Call(tool, args);
    EXPECT_EQ(r.error_code, "permission_denied") << tool;
  }
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories WHERE title = 'from claude' AND deleted_at IS NULL"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memory_versions"), 0);

  // claude can; the owner key can change anything of the user's.
  EXPECT_FALSE(claude->Call("update_memory", {{"id", id}, {"title", "by claude"}}).is_error);
  EXPECT_FALSE(owner->Call("update_memory", {{"id", id}, {"title", "by owner"}}).is_error);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories WHERE title = 'by owner' AND origin = 'claude'"), 1);
  std::string by_owner = owner->Call("write_memory", {{"title", "owner's"}, {"content", "c"}}).id();
  EXPECT_EQ(claude->Call("delete_memory", {{"id", by_owner}}).error_code, "permission_denied");
  EXPECT_FALSE(claude->Call("delete_memory", {{"id", id}}).is_error);
  EXPECT_FALSE(claude->Call("restore_memory", {{"id", id}}).is_error);
  EXPECT_FALSE(owner->Call("delete_memory", {{"id", id}, {"permanent", true}}).is_error);
}

TEST_P(Ownership, LocalOwnerActsAsTheInferredVendor) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string me = env.AddUser("local@localhost", "admin");
  auto desktop = env.Connect(MemoryTestEnv::LocalOwner(me), "claude-ai");
  CallResult r = desktop->Call("write_memory", {{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(r.is_error);
  EXPECT_EQ(r.memory().at("origin"), "claude");
  auto unknown = env.Connect(MemoryTestEnv::LocalOwner(me), "my-own-client");
  EXPECT_EQ(unknown->Call("write_memory", {{"title", "t"}, {"content", "c"}}).memory().at("origin"), "local");
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events WHERE origin = 'claude'"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events WHERE origin = 'local'"), 1);
}

// Every case runs on SQLite and on PostgreSQL.
class PoolTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  PoolTest() {
    alice_ = env_.AddUser("alice@example.com", "team");
    bob_ = env_.AddUser("bob@example.com", "team");
    carol_ = env_.AddUser("carol@example.com", "team");  // in the org, not in the team
    outsider_ = env_.AddUser("eve@example.com", "team");
    org_ = env_.CreateOrg("Acme", alice_);
    team_ = env_.CreateTeam(org_, "Eng");
    env_.Join(org_, alice_, team_);
    env_.Join(org_, bob_, team_);
    env_.Join(org_, carol_);
    alice_c_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
    bob_c_ = env_.Connect(MemoryTestEnv::OwnerKey(bob_));
    carol_c_ = env_.Connect(MemoryTestEnv::OwnerKey(carol_));
    eve_c_ = env_.Connect(MemoryTestEnv::OwnerKey(outsider_));
  }
  MemoryTestEnv env_{GetParam()};
  std::string alice_, bob_, carol_, outsider_, org_, team_;
  std::unique_ptr<Client> alice_c_, bob_c_, carol_c_, eve_c_;
};
RM_ON_BOTH_ENGINES(PoolTest);

TEST_P(PoolTest, OrgAndTeamPoolsAreVisibleToTheirMembersOnly) {
  std::string org_memory = alice_c_->Call("write_memory", {{"title", "org note"}, {"content", "c"}, {"share_scope", "org"}}).id();
  std::string team_memory = alice_c_->Call("write_memory", {{"title", "team note"}, {"content", "c"}, {"share_scope", "team"}}).id();
  std::string personal = alice_c_->Call("write_memory", {{"title", "secret personal"}, {"content", "c"}, {"tags", {"secret"}}}).id();

  CallResult org_list = carol_c_->Call("read_org_memories");
  ASSERT_FALSE(org_list.is_error) << org_list.error_message;
  ASSERT_EQ(org_list.structured.at("memories").as_array().size(), 1u);
  EXPECT_EQ(Str(org_list.structured.at("memories").at(0).at("id")), org_memory);
  EXPECT_EQ(carol_c_->Call("read_team_memories").error_code, "failed_precondition");  // carol has no team
  EXPECT_EQ(carol_c_->Call("get_memory_by_id", {{"id", team_memory}}).error_code, "not_found");

  CallResult team_list = bob_c_->Call("read_team_memories");
  ASSERT_EQ(team_list.structured.at("memories").as_array().size(), 1u);
  EXPECT_EQ(Str(team_list.structured.at("memories").at(0).at("id")), team_memory);
  EXPECT_EQ(bob_c_->Call("read_memories", {{"scope", "all"}}).structured.at("memories").as_array().size(), 2u);
  EXPECT_EQ(bob_c_->Call("read_memories", {{"scope", "personal"}}).structured.at("memories").as_array().size(), 0u);

  ExpectHiddenEverywhere(*bob_c_, personal);
  ExpectHiddenEverywhere(*eve_c_, org_memory);
  ExpectHiddenEverywhere(*eve_c_, team_memory);
  EXPECT_EQ(eve_c_->Call("read_org_memories").error_code, "failed_precondition");
}

// History is memory data too: what the author drafted before sharing a memory is
// not the pool's to read. Only states that lived while it was shared are.
TEST_P(PoolTest, MembersSeeOnlyTheVersionsFromWhileTheMemoryWasShared) {
  const std::string id = alice_c_->Call("write_memory", {{"title", "offer"}, {"content", "draft: SALARY 90k"}}).id();
  // Timestamps have millisecond precision: the pauses keep the three steps apart.
  ASSERT_FALSE(alice_c_->Call("update_memory", {{"id", id}, {"content", "offer sent"}}).is_error);  // v1: the draft
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  ASSERT_FALSE(alice_c_->Call("share_memory", {{"memory_id", id}, {"scope", "org"}}).is_error);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  ASSERT_FALSE(alice_c_->Call("update_memory", {{"id", id}, {"content", "offer accepted"}}).is_error);  // v2: shared state

  CallResult seen = carol_c_->Call("get_memory_versions", {{"id", id}});
  ASSERT_FALSE(seen.is_error) << seen.error_message;
  const json::array& versions = seen.structured.at("versions").as_array();
  ASSERT_EQ(versions.size(), 1u);
  // Numbered over what carol sees: a gap (2, current 3) would count the hidden draft.
  EXPECT_EQ(versions[0].at("version_number"), 1);
  EXPECT_EQ(Str(versions[0].at("content")), "offer sent");
  EXPECT_EQ(json::serialize(seen.structured).find("SALARY"), std::string::npos);
  EXPECT_EQ(seen.structured.at("current_version"), 2);
  // The author keeps the whole history.
  EXPECT_EQ(alice_c_->Call("get_memory_versions", {{"id", id}}).structured.at("versions").as_array().size(), 2u);
}

TEST_P(PoolTest, MembersUpdateSharedMemoriesButOnlyTheAuthorDeletesOrUnshares) {
  std::string id = alice_c_->Call("write_memory", {{"title", "org note"}, {"content", "c"}, {"share_scope", "org"}}).id();
  CallResult edited = carol_c_->Call("update_memory", {{"id", id}, {"content", "edited by carol"}});
  ASSERT_FALSE(edited.is_error) << edited.error_message;
  EXPECT_EQ(Str(edited.memory().at("author_id")), alice_);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_versions WHERE memory_id = '" + id + "' AND content = 'c'"), 1);
  EXPECT_EQ(carol_c_->Call("delete_memory", {{"id", id}}).error_code, "permission_denied");
  EXPECT_EQ(carol_c_->Call("unshare_memory", {{"memory_id", id}}).error_code, "permission_denied");
  EXPECT_EQ(carol_c_->Call("share_memory", {{"memory_id", id}, {"scope", "team"}}).error_code, "permission_denied");
  // A member's reply joins the pool; the author's unshare takes the author's memory
  // out of it, while the member's reply stays where its author wrote it (issue 20).
  std::string reply = carol_c_->Call("write_child_memory", {{"parent_memory_id", id}, {"title", "r"}, {"content", "r"}}).id();
  EXPECT_FALSE(bob_c_->Call("get_memory_by_id", {{"id", reply}}).is_error);
  ASSERT_FALSE(alice_c_->Call("unshare_memory", {{"memory_id", id}}).is_error);
  EXPECT_EQ(bob_c_->Call("get_memory_by_id", {{"id", id}}).error_code, "not_found");
  EXPECT_FALSE(bob_c_->Call("get_memory_by_id", {{"id", reply}}).is_error);
  EXPECT_FALSE(carol_c_->Call("get_memory_by_id", {{"id", reply}}).is_error);  // still hers
}

TEST_P(PoolTest, LeavingAnOrgHidesItsPool) {
  std::string id = alice_c_->Call("write_memory", {{"title", "org note"}, {"content", "c"}, {"share_scope", "org"}}).id();
  EXPECT_FALSE(carol_c_->Call("get_memory_by_id", {{"id", id}}).is_error);
  ASSERT_TRUE(env_.db().Write([&](store::Connection& c) {
    return c.Prepare("UPDATE users SET org_id = NULL, org_role = NULL, team_id = NULL WHERE id = ?").Bind(1, carol_).Run();
  }).ok());
  EXPECT_EQ(carol_c_->Call("get_memory_by_id", {{"id", id}}).error_code, "not_found");
}

}  // namespace
}  // namespace rm::testing
