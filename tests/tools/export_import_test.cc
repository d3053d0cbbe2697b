// export / import (tools/memory_transfer.h): JSON Lines that round-trip every
// field, versions and tags included; an import is all or nothing.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "tests/tools/memory_test_env.h"
#include "tools/memory_transfer.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every memory of a user, as export writes them, sorted by id (for comparing).
std::vector<json::object> Exported(MemoryTestEnv& env, const std::string& user) {
  std::ostringstream out;
  Result<std::int64_t> n = tools::ExportMemories(env.db(), user, out);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  std::vector<json::object> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line).as_object());
  EXPECT_EQ(static_cast<std::int64_t>(lines.size()), n.ok() ? *n : -1);
  std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return Str(a.at("id")) < Str(b.at("id")); });
  return lines;
}

TEST(ExportImport, RoundTripsEveryFieldVersionsAndTags) {
  MemoryTestEnv source;
  std::string alice = source.AddUser("alice@example.com", "pro");
  auto c = source.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  std::string a = c->Call("write_memory", {{"title", "Café ☕ notes"}, {"content", "line1\nline2 \"quoted\""},
                                           {"tags", {"x", "日本"}}, {"memory_type", "episodic"},
                                           {"allowed_vendors", {"claude", "cursor"}}}).id();
  ASSERT_FALSE(c->Call("update_memory", {{"id", a}, {"title", "Café notes v2"}}).is_error);
  ASSERT_FALSE(c->Call("update_memory", {{"id", a}, {"tags", {"y"}}}).is_error);
  std::string reply = c->Call("write_child_memory", {{"parent_memory_id", a}, {"title", "r"}, {"content", "c"}}).id();
  std::string trashed = c->Call("write_memory", {{"title", "old"}, {"content", "gone"}}).id();
  ASSERT_FALSE(c->Call("delete_memory", {{"id", trashed}}).is_error);
  std::string owners = c->Call("write_memory", {{"title", "private"}, {"content", "c"}, {"allowed_vendors", json::array{}}}).id();

  std::ostringstream file;
  ASSERT_EQ(*tools::ExportMemories(source.db(), alice, file), 4);
  // The parent comes before its reply.
  EXPECT_LT(file.str().find(a), file.str().find(reply));

  MemoryTestEnv target;
  std::string alice2 = target.AddUser("alice@example.com", "pro");
  std::istringstream in(file.str());
  Result<tools::ImportSummary> summary = tools::ImportMemories(target.db(), alice2, in);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->memories, 4);
  EXPECT_EQ(summary->versions, 2);
  EXPECT_EQ(Exported(target, alice2), Exported(source, alice));  // identical, field by field

  // And the imported memories behave: versions, trash, thread, vendor filter.
  auto owner = target.Connect(MemoryTestEnv::OwnerKey(alice2));
  EXPECT_EQ(owner->Call("get_memory_versions", {{"id", a}}).structured.at("versions").as_array().size(), 2u);
  EXPECT_EQ(owner->Call("read_thread", {{"memory_id", reply}}).structured.at("parent").at("title"), "Café notes v2");
  EXPECT_EQ(owner->Call("get_memory_by_id", {{"id", trashed}}).error_code, "not_found");
  EXPECT_FALSE(owner->Call("restore_memory", {{"id", trashed}}).is_error);
  auto agent = target.Connect(MemoryTestEnv::AgentKey(alice2, "cursor"));
  EXPECT_EQ(agent->Call("get_memory_by_id", {{"id", owners}}).error_code, "not_found");
  EXPECT_FALSE(agent->Call("get_memory_by_id", {{"id", a}}).is_error);
  EXPECT_EQ(Str(owner->Call("search_memories", {{"term", "cafe"}}).structured.at("results").at(0).at("id")), a);
}

// Org and team ids belong to the database they were made in. Moving a user's
// memories to another database: by default a foreign pool id fails the import and
// says what to do; --sharing mine shares them with the user's org and team there,
// --sharing none imports them personal.
TEST(ExportImport, SharedMemoriesMoveToAnotherDatabaseAsTheSharingOptionSays) {
  MemoryTestEnv source;
  std::string alice = source.AddUser("alice@example.com", "team");
  std::string org = source.CreateOrg("Acme", alice);
  source.Join(org, alice, source.CreateTeam(org, "Platform"));
  auto c = source.Connect(MemoryTestEnv::OwnerKey(alice));
  std::string for_org = c->Call("write_memory", {{"title", "org runbook"}, {"content", "c"}, {"share_scope", "org"}}).id();
  std::string for_team = c->Call("write_memory", {{"title", "team notes"}, {"content", "c"}, {"share_scope", "team"}}).id();
  std::string reply = c->Call("write_child_memory", {{"parent_memory_id", for_org}, {"title", "r"}, {"content", "c"}}).id();
  std::string personal = c->Call("write_memory", {{"title", "mine"}, {"content", "c"}}).id();
  std::ostringstream file;
  ASSERT_EQ(*tools::ExportMemories(source.db(), alice, file), 4);

  MemoryTestEnv target;
  std::string alice2 = target.AddUser("alice@example.com", "team");
  std::string bob = target.AddUser("bob@example.com", "team");
  std::string org2 = target.CreateOrg("Acme", alice2);
  std::string team2 = target.CreateTeam(org2, "Platform");
  target.Join(org2, alice2, team2);
  target.Join(org2, bob, team2);
  auto import = [&](tools::ImportSharing sharing) {
    std::istringstream in(file.str());
    return tools::ImportMemories(target.db(), alice2, in, {}, sharing);
  };

  Result<tools::ImportSummary> kept = import(tools::ImportSharing::kKeep);
  ASSERT_FALSE(kept.ok());
  EXPECT_NE(kept.status().message().find("line 1: shared_with_org_id"), std::string::npos) << kept.status().ToString();
  EXPECT_NE(kept.status().message().find("--sharing mine"), std::string::npos);
  EXPECT_EQ(target.Count("SELECT count(*) FROM memories"), 0);

  Result<tools::ImportSummary> mine = import(tools::ImportSharing::kMine);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  EXPECT_EQ(mine->memories, 4);
  auto b = target.Connect(MemoryTestEnv::OwnerKey(bob));  // a colleague sees the pools
  CallResult org_pool = b->Call("read_org_memories", {{"limit", 50}});
  ASSERT_FALSE(org_pool.is_error) << org_pool.error_message;
  std::set<std::string> org_ids;
  for (const auto& m : org_pool.structured.at("memories").as_array()) org_ids.insert(Str(m.at("id")));
  EXPECT_EQ(org_ids, (std::set<std::string>{for_org, reply}));
  CallResult team_pool = b->Call("read_team_memories", {{"limit", 50}});
  ASSERT_EQ(team_pool.structured.at("memories").as_array().size(), 1u);
  EXPECT_EQ(Str(team_pool.structured.at("memories").at(0).at("id")), for_team);
  EXPECT_EQ(b->Call("get_memory_by_id", {{"id", personal}}).error_code, "not_found");
  EXPECT_EQ(target.Count("SELECT count(*) FROM memories WHERE shared_with_org_id = '" + org2 + "'"), 2);
  EXPECT_EQ(target.Count("SELECT count(*) FROM memories WHERE shared_with_team_id = '" + team2 + "'"), 1);

  MemoryTestEnv elsewhere;  // --sharing none: all personal, even without an org
  std::string alice3 = elsewhere.AddUser("alice@example.com", "pro");
  std::istringstream in(file.str());
  Result<tools::ImportSummary> none = tools::ImportMemories(elsewhere.db(), alice3, in, {}, tools::ImportSharing::kNone);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(elsewhere.Count("SELECT count(*) FROM memories WHERE shared_with_org_id IS NULL AND "
                            "shared_with_team_id IS NULL AND shared_at IS NULL"), 4);
  std::istringstream again(file.str());
  Result<tools::ImportSummary> no_org = tools::ImportMemories(elsewhere.db(), alice3, again, {}, tools::ImportSharing::kMine);
  ASSERT_FALSE(no_org.ok());
  EXPECT_NE(no_org.status().message().find("belongs to no org"), std::string::npos) << no_org.status().ToString();
}

TEST(ExportImport, ABadLineAbortsWithItsNumberAndChangesNothing) {
  MemoryTestEnv env;
  std::string alice = env.AddUser("alice@example.com", "pro");
  const std::string good = R"({"id":"m1","title":"one","content":"c"})";
  const std::vector<std::pair<std::string, std::string>> bad_lines = {
      {"{not json", "not JSON"},
      {"[1,2]", "one JSON object"},
      {R"({"content":"no title"})", "title"},
      {R"({"title":"t","content":"c","memory_type":"opinion"})", "memory_type"},
      {R"({"title":"t","content":"c","allowed_vendors":["Bad Vendor"]})", "allowed_vendors[0]"},
      {R"({"title":"t","content":"c","tags":[1]})", "tags"},
      {R"({"title":"t","content":"c","created_at":"yesterday"})", "created_at"},
      {R"({"title":"t","content":"c","created_at":"2026-02-31"})", "created_at"},
      {R"({"id":"m1","title":"dup","content":"c"})", "already exists"},
      {R"({"title":"t","content":"c","parent_memory_id":"nope"})", "parent_memory_id"},
      {R"({"title":"t","content":"c","shared_with_org_id":"some-org"})", "shared_with_org_id"},
      {R"({"title":"t","content":"c","versions":[{"version_number":0,"title":"v","content":"c","created_at":"2026-01-01"}]})",
       "version_number"},
      {R"({"title":")" + std::string(501, 'x') + R"(","content":"c"})", "title"},
  };
  for (const auto& [bad, what] : bad_lines) {
    std::istringstream in(good + "\n\n" + bad + "\n" + R"({"title":"after","content":"c"})" + "\n");
    Result<tools::ImportSummary> r = tools::ImportMemories(env.db(), alice, in);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("line 3:"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
    EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 0) << bad;
    EXPECT_EQ(env.Count("SELECT count(*) FROM memory_versions"), 0) << bad;
  }
}

TEST(ExportImport, ImportRespectsThePlanLimitAndReportsProgress) {
  MemoryTestEnv env;
  std::string bob = env.AddUser("bob@example.com", "free");
  std::string lines;
  for (int i = 0; i < 201; ++i) lines += R"({"title":"m)" + std::to_string(i) + R"(","content":"c"})" + "\n";
  std::istringstream too_many(lines);
  Result<tools::ImportSummary> r = tools::ImportMemories(env.db(), bob, too_many);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kQuotaExceeded);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 0);

  std::string root = env.AddUser("root@example.com", "admin");
  std::string big;
  for (int i = 0; i < 10000; ++i) big += R"({"title":"m","content":"c"})" "\n";
  std::istringstream in(big);
  std::vector<std::int64_t> reported;
  r = tools::ImportMemories(env.db(), root, in, [&](std::int64_t n) { reported.push_back(n); });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->memories, 10000);
  EXPECT_EQ(reported, (std::vector<std::int64_t>{10000}));
  // New ids were made; the origin says where the memories came from.
  EXPECT_EQ(env.Count("SELECT count(DISTINCT id) FROM memories WHERE origin = 'import'"), 10000);
}

}  // namespace
}  // namespace rm::testing
