// What a thread's cascades (share, unshare, delete, restore) do to replies written
// by someone else (adversarial review, issue 20): a reply lives where its author
// wrote it. Sharing moves the author's own replies with the thread, never another
// member's into a pool that could not read it; a restore brings back only what its
// delete trashed, never a reply its author had trashed.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"
#include "tools/memory_transfer.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

std::set<std::string> Ids(const json::value& list) {
  std::set<std::string> ids;
  for (const auto& m : list.as_array()) ids.insert(Str(m.at("id")));
  return ids;
}

// What share_memory / unshare_memory said about replies by others it left where they were.
std::string LeftInPlace(const CallResult& r) {
  const json::value* n = r.structured.if_contains("replies_left_in_place");
  return n ? json::serialize(*n) : "(absent)";
}

// Org Acme with teams T1 (alice, bob) and T2 (dave); all owner keys.
// Every case runs on SQLite and on PostgreSQL.
class ThreadCascadeTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  ThreadCascadeTest() {
    alice_ = env_.AddUser("alice@example.com", "team");
    bob_ = env_.AddUser("bob@example.com", "team");
    dave_ = env_.AddUser("dave@example.com", "team");
    org_ = env_.CreateOrg("Acme", alice_);
    t1_ = env_.CreateTeam(org_, "T1");
    t2_ = env_.CreateTeam(org_, "T2");
    env_.Join(org_, alice_, t1_);
    env_.Join(org_, bob_, t1_);
    env_.Join(org_, dave_, t2_);
    alice_c_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
    bob_c_ = env_.Connect(MemoryTestEnv::OwnerKey(bob_));
    dave_c_ = env_.Connect(MemoryTestEnv::OwnerKey(dave_));
  }

  // The share columns of a stored memory, e.g. "team:<id>", "org:<id>" or "personal".
  std::string StoredPool(const std::string& id) {
    if (env_.Count("SELECT count(*) FROM memories WHERE id = '" + id + "' AND shared_with_team_id = '" + t1_ + "'")) return "T1";
    if (env_.Count("SELECT count(*) FROM memories WHERE id = '" + id + "' AND shared_with_team_id = '" + t2_ + "'")) return "T2";
    if (env_.Count("SELECT count(*) FROM memories WHERE id = '" + id + "' AND shared_with_org_id = '" + org_ + "'")) return "org";
    if (env_.Count("SELECT count(*) FROM memories WHERE id = '" + id + "' AND shared_with_org_id IS NULL "
                   "AND shared_with_team_id IS NULL")) return "personal";
    return "?";
  }

  MemoryTestEnv env_{GetParam()};
  std::string alice_, bob_, dave_, org_, t1_, t2_;
  std::unique_ptr<Client> alice_c_, bob_c_, dave_c_;
};
RM_ON_BOTH_ENGINES(ThreadCascadeTest);

// Bob replied inside T1; alice widening her thread to the whole org must not show
// his reply to dave, who is not in T1. Her own reply goes with her thread.
TEST_P(ThreadCascadeTest, SharingAThreadWiderLeavesOtherMembersRepliesInTheirPool) {
  const std::string p = alice_c_->Call("write_memory", {{"title", "hiring plan"}, {"content", "c"}, {"share_scope", "team"}}).id();
  const std::string bobs = bob_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "T1 only"},
                                                               {"content", "T1 only: salary data"}}).id();
  const std::string alices = alice_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "timeline"},
                                                                   {"content", "Q3"}}).id();
  ASSERT_EQ(dave_c_->Call("get_memory_by_id", {{"id", bobs}}).error_code, "not_found");

  CallResult shared = alice_c_->Call("share_memory", {{"memory_id", p}, {"scope", "org"}});
  ASSERT_FALSE(shared.is_error) << shared.error_message;

  // Dave sees the thread and alice's reply, not bob's: not by id, not in lists, not in the thread.
  EXPECT_FALSE(dave_c_->Call("get_memory_by_id", {{"id", p}}).is_error);
  EXPECT_FALSE(dave_c_->Call("get_memory_by_id", {{"id", alices}}).is_error);
  EXPECT_EQ(dave_c_->Call("get_memory_by_id", {{"id", bobs}}).error_code, "not_found");
  CallResult org_list = dave_c_->Call("read_org_memories", {{"limit", 50}});
  ASSERT_FALSE(org_list.is_error) << org_list.error_message;
  EXPECT_EQ(Ids(org_list.structured.at("memories")), (std::set<std::string>{p, alices}));
  CallResult search = dave_c_->Call("search_memories", {{"term", "salary"}});
  ASSERT_FALSE(search.is_error) << search.error_message;
  EXPECT_TRUE(search.structured.at("results").as_array().empty());
  CallResult thread = dave_c_->Call("read_thread", {{"memory_id", p}});
  ASSERT_FALSE(thread.is_error) << thread.error_message;
  EXPECT_EQ(Ids(thread.structured.at("replies")), std::set<std::string>{alices});

  // Bob still has the whole thread, his reply where he wrote it.
  CallResult bobs_thread = bob_c_->Call("read_thread", {{"memory_id", bobs}});
  ASSERT_FALSE(bobs_thread.is_error) << bobs_thread.error_message;
  EXPECT_EQ(Ids(bobs_thread.structured.at("replies")), (std::set<std::string>{alices, bobs}));
  EXPECT_EQ(StoredPool(bobs), "T1");
  EXPECT_EQ(StoredPool(alices), "org");
  // A reply written now goes where the thread is.
  const std::string later = bob_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "later"}, {"content", "c"}}).id();
  EXPECT_EQ(StoredPool(later), "org");
  EXPECT_FALSE(dave_c_->Call("get_memory_by_id", {{"id", later}}).is_error);
  // Alice was told bob's reply stayed where it was (she can see it).
  EXPECT_EQ(LeftInPlace(shared), "1");
}

// Alice moved from T1 to T2; sharing her thread with her (new) team must not move
// bob's reply into T2, a team bob is not in and whose members never could read it.
TEST_P(ThreadCascadeTest, SharingWithTheAuthorsNewTeamLeavesOtherMembersRepliesInTheOldTeam) {
  const std::string p = alice_c_->Call("write_memory", {{"title", "hiring plan"}, {"content", "c"}, {"share_scope", "team"}}).id();
  const std::string bobs = bob_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "T1 only"},
                                                               {"content", "T1 only: salary data"}}).id();
  env_.Join(org_, alice_, t2_);

  CallResult shared = alice_c_->Call("share_memory", {{"memory_id", p}, {"scope", "team"}});
  ASSERT_FALSE(shared.is_error) << shared.error_message;
  EXPECT_EQ(Str(shared.memory().at("shared_with_team_id")), t2_);

  EXPECT_EQ(StoredPool(bobs), "T1");
  EXPECT_EQ(dave_c_->Call("get_memory_by_id", {{"id", bobs}}).error_code, "not_found");
  CallResult team_list = dave_c_->Call("read_team_memories", {{"limit", 50}});
  ASSERT_FALSE(team_list.is_error) << team_list.error_message;
  EXPECT_EQ(Ids(team_list.structured.at("memories")), std::set<std::string>{p});
  EXPECT_FALSE(bob_c_->Call("get_memory_by_id", {{"id", bobs}}).is_error);
  // Alice left T1 and no longer sees bob's reply, so it is not counted for her either.
  EXPECT_EQ(LeftInPlace(shared), "0");
}

// Unsharing is the author's too: it takes the author's thread out of the pool, but
// bob's reply stays where he wrote it — the pool could already read it, and only
// its author decides about it (he may still delete it).
TEST_P(ThreadCascadeTest, UnsharingLeavesOtherMembersRepliesWhereTheyWereWritten) {
  const std::string p = alice_c_->Call("write_memory", {{"title", "plan"}, {"content", "c"}, {"share_scope", "org"}}).id();
  const std::string bobs = bob_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "bob"}, {"content", "c"}}).id();
  const std::string alices = alice_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "alice"}, {"content", "c"}}).id();

  CallResult unshared = alice_c_->Call("unshare_memory", {{"memory_id", p}});
  ASSERT_FALSE(unshared.is_error) << unshared.error_message;
  EXPECT_EQ(unshared.memory().at("scope"), "personal");
  EXPECT_EQ(StoredPool(p), "personal");
  EXPECT_EQ(StoredPool(alices), "personal");
  EXPECT_EQ(StoredPool(bobs), "org");

  EXPECT_EQ(dave_c_->Call("get_memory_by_id", {{"id", p}}).error_code, "not_found");
  EXPECT_EQ(dave_c_->Call("get_memory_by_id", {{"id", alices}}).error_code, "not_found");
  EXPECT_FALSE(dave_c_->Call("get_memory_by_id", {{"id", bobs}}).is_error);  // as when bob wrote it
  // The thread of a reply whose parent is hidden is not found, and says why.
  CallResult thread = dave_c_->Call("read_thread", {{"memory_id", bobs}});
  EXPECT_EQ(thread.error_code, "not_found");
  EXPECT_NE(thread.error_message.find(p), std::string::npos) << thread.error_message;
  // Alice's thread now shows her reply and bob's (she is in the org), bob keeps control of his.
  CallResult alices_thread = alice_c_->Call("read_thread", {{"memory_id", p}});
  ASSERT_FALSE(alices_thread.is_error) << alices_thread.error_message;
  EXPECT_EQ(Ids(alices_thread.structured.at("replies")), (std::set<std::string>{alices, bobs}));

  // Sharing again with the same pool: nothing is left behind (bob's reply is there).
  CallResult again = alice_c_->Call("share_memory", {{"memory_id", p}, {"scope", "org"}});
  ASSERT_FALSE(again.is_error) << again.error_message;
  EXPECT_EQ(Ids(dave_c_->Call("read_thread", {{"memory_id", p}}).structured.at("replies")),
            (std::set<std::string>{alices, bobs}));
  EXPECT_EQ(LeftInPlace(unshared), "1");
  EXPECT_EQ(LeftInPlace(again), "0");
}

// Bob trashed his reply; alice deleting and restoring her memory must not bring it back.
TEST_P(ThreadCascadeTest, RestoringAParentLeavesAReplyItsAuthorTrashedInTheTrash) {
  const std::string p = alice_c_->Call("write_memory", {{"title", "plan"}, {"content", "c"}, {"share_scope", "org"}}).id();
  const std::string bobs = bob_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "oops"}, {"content", "c"}}).id();
  const std::string alices = alice_c_->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "alice"}, {"content", "c"}}).id();
  ASSERT_FALSE(bob_c_->Call("delete_memory", {{"id", bobs}}).is_error);
  // Bob's own deleted_at, as he trashed it.
  auto deleted_at = [&](const std::string& id) {
    json::value m = bob_c_->Call("get_memory_versions", {{"id", id}}).structured.at("memory");
    return json::serialize(m.at("deleted_at"));
  };
  const std::string bobs_deleted_at = deleted_at(bobs);

  CallResult deleted = alice_c_->Call("delete_memory", {{"id", p}});
  ASSERT_FALSE(deleted.is_error) << deleted.error_message;
  EXPECT_EQ(deleted.structured.at("memories_affected"), 2);  // p and alice's reply; bob's was trashed already
  EXPECT_EQ(deleted_at(bobs), bobs_deleted_at);  // bob's trash entry is his own

  CallResult restored = alice_c_->Call("restore_memory", {{"id", p}});
  ASSERT_FALSE(restored.is_error) << restored.error_message;
  EXPECT_EQ(restored.structured.at("memories_affected"), 2);
  EXPECT_FALSE(alice_c_->Call("get_memory_by_id", {{"id", alices}}).is_error);
  EXPECT_EQ(bob_c_->Call("get_memory_by_id", {{"id", bobs}}).error_code, "not_found");
  EXPECT_EQ(alice_c_->Call("get_memory_by_id", {{"id", bobs}}).error_code, "not_found");
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE id = '" + bobs + "' AND deleted_at IS NOT NULL"), 1);
  EXPECT_EQ(Ids(alice_c_->Call("read_thread", {{"memory_id", p}}).structured.at("replies")), std::set<std::string>{alices});
  // Bob may still restore it himself.
  ASSERT_FALSE(bob_c_->Call("restore_memory", {{"id", bobs}}).is_error);
  EXPECT_FALSE(alice_c_->Call("get_memory_by_id", {{"id", bobs}}).is_error);
}

// The record of which delete trashed a memory survives export and import, so an
// imported thread restores as it would have before.
TEST(TrashCascade, ExportAndImportKeepWhichDeleteTrashedAReply) {
  MemoryTestEnv source;
  const std::string alice = source.AddUser("alice@example.com", "pro");
  auto c = source.Connect(MemoryTestEnv::OwnerKey(alice));
  const std::string p = c->Call("write_memory", {{"title", "plan"}, {"content", "c"}}).id();
  const std::string own_trash = c->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "discarded"}, {"content", "c"}}).id();
  const std::string cascaded = c->Call("write_child_memory", {{"parent_memory_id", p}, {"title", "kept"}, {"content", "c"}}).id();
  ASSERT_FALSE(c->Call("delete_memory", {{"id", own_trash}}).is_error);
  ASSERT_FALSE(c->Call("delete_memory", {{"id", p}}).is_error);

  std::ostringstream file;
  ASSERT_TRUE(tools::ExportMemories(source.db(), alice, file).ok());
  MemoryTestEnv target;
  const std::string alice2 = target.AddUser("alice@example.com", "pro");
  std::istringstream in(file.str());
  Result<tools::ImportSummary> summary = tools::ImportMemories(target.db(), alice2, in);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();

  auto owner = target.Connect(MemoryTestEnv::OwnerKey(alice2));
  CallResult restored = owner->Call("restore_memory", {{"id", p}});
  ASSERT_FALSE(restored.is_error) << restored.error_message;
  EXPECT_EQ(restored.structured.at("memories_affected"), 2);
  EXPECT_FALSE(owner->Call("get_memory_by_id", {{"id", cascaded}}).is_error);
  EXPECT_EQ(owner->Call("get_memory_by_id", {{"id", own_trash}}).error_code, "not_found");
}

// An import line that says a delete it cannot have trashed it is refused, with nothing imported.
TEST(TrashCascade, ImportRefusesAnImpossibleTrashRecord) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com", "pro");
  for (const auto& [lines, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"id":"a","title":"t","content":"c","trashed_by_memory_id":"a"})", "deleted_at"},
           {R"({"id":"a","title":"t","content":"c","deleted_at":"2026-01-01T00:00:00.000Z","trashed_by_memory_id":"zz"})",
            "trashed_by_memory_id"}}) {
    std::istringstream in(lines);
    Result<tools::ImportSummary> summary = tools::ImportMemories(env.db(), alice, in);
    ASSERT_FALSE(summary.ok()) << lines;
    EXPECT_NE(summary.status().message().find(field), std::string::npos) << summary.status().message();
  }
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 0);
}

}  // namespace
}  // namespace rm::testing
