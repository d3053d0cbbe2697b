// export / import (tools/memory_transfer.h): JSON Lines that round-trip every
// field, versions and tags included; an import is all or nothing.
#include <gtest/gtest.h>

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
