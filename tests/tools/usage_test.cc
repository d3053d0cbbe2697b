// SPEC §4: every successful call is metered once, by operation and origin, in
// usage_events and monthly_usage; failed calls are not.
#include <gtest/gtest.h>

#include <map>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"
#include "util/clock.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every case runs on SQLite and on PostgreSQL.
class Usage : public ::testing::TestWithParam<store::Engine> {};
RM_ON_BOTH_ENGINES(Usage);

TEST_P(Usage, AScriptedSessionIsMeteredExactly) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));

  // Expected counts by (operation, origin) for the successful calls below.
  std::map<std::pair<std::string, std::string>, int> expected;
  auto ok = [&](Client& c, const std::string& origin, const char* op, const char* tool, json::object args) {
    CallResult r = c.Call(tool, std::move(args));
    EXPECT_FALSE(r.is_error) << tool << ": " << r.error_message;
    ++expected[{op, origin}];
    return r;
  };
  auto fails = [&](Client& c, const char* tool, json::object args) {
    EXPECT_TRUE(c.Call(tool, std::move(args)).is_error) << tool;
  };

  std::string id = ok(*owner, "api", "memory_write", "write_memory", {{"title", "alpha"}, {"content", "c"}}).id();
  std::string cid = ok(*claude, "claude", "memory_write", "write_memory", {{"title", "beta"}, {"content", "c"}}).id();
  ok(*claude, "claude", "memory_write", "write_child_memory", {{"parent_memory_id", cid}, {"title", "r"}, {"content", "r"}});
  ok(*owner, "api", "memory_write", "update_memory", {{"id", id}, {"title", "alpha2"}});
  ok(*owner, "api", "memory_read", "get_memory_by_id", {{"id", id}});
  ok(*owner, "api", "memory_read", "get_memory_versions", {{"id", id}});
  ok(*claude, "claude", "memory_read", "read_memories", {});
  ok(*claude, "claude", "memory_read", "browse_memories", {});
  ok(*claude, "claude", "memory_read", "get_memories_by_tag", {{"tags", {"x"}}});
  ok(*claude, "claude", "memory_read", "get_latest_memory", {});
  ok(*claude, "claude", "memory_read", "read_thread", {{"memory_id", cid}});
  ok(*owner, "api", "memory_read", "get_memory_briefing", {});
  ok(*owner, "api", "memory_read", "fetch", {{"id", id}});
  ok(*claude, "claude", "query", "search_memories", {{"term", "alpha"}});
  ok(*claude, "claude", "query", "search", {{"query", "beta"}});
  ok(*owner, "api", "memory_write", "delete_memory", {{"id", id}});
  ok(*owner, "api", "memory_write", "restore_memory", {{"id", id}});
  // Failures: validation (schema and service), not found, permission.
  fails(*owner, "write_memory", {{"title", ""}, {"content", "c"}});
  fails(*owner, "write_memory", {{"title", "t"}, {"content", "c"}, {"memory_type", "nope"}});
  fails(*owner, "get_memory_by_id", {{"id", "missing"}});
  fails(*claude, "update_memory", {{"id", id}, {"title", "not claude's"}});
  fails(*owner, "read_org_memories", {});
  fails(*owner, "search_memories", {{"term", "x"}, {"created_after", "yesterday"}});
  // get_usage reports the calls before it, then is metered itself.
  CallResult usage = ok(*owner, "api", "memory_read", "get_usage", {});

  std::map<std::pair<std::string, std::string>, int> stored;
  env.db().FlushWritesLater();  // reads are metered a moment after their answer
  ASSERT_TRUE(env.db().Read([&](store::Connection& c) {
    store::Statement& s = c.Prepare("SELECT operation, origin, count(*) FROM usage_events GROUP BY 1, 2");
    while (true) {
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      stored[{s.Text(0), s.Text(1)}] = static_cast<int>(s.Int64(2));
    }
  }).ok());
  EXPECT_EQ(stored, expected);

  int writes = 0, reads = 0, queries = 0;
  for (const auto& [key, n] : expected) {
    (key.first == "memory_write" ? writes : key.first == "memory_read" ? reads : queries) += n;
  }
  const std::string month = MonthOf(NowUtc());
  EXPECT_EQ(env.Count("SELECT writes FROM monthly_usage WHERE month = '" + month + "'"), writes);
  EXPECT_EQ(env.Count("SELECT reads FROM monthly_usage WHERE month = '" + month + "'"), reads);
  EXPECT_EQ(env.Count("SELECT queries FROM monthly_usage WHERE month = '" + month + "'"), queries);
  EXPECT_EQ(env.Count("SELECT total_ops FROM monthly_usage WHERE month = '" + month + "'"), writes + reads + queries);
  EXPECT_EQ(env.Count("SELECT count(*) FROM monthly_usage"), 1);

  const json::object& ops = usage.structured.at("operations").as_object();
  EXPECT_EQ(ops.at("total"), writes + reads + queries - 1);
  EXPECT_EQ(ops.at("writes"), writes);
  EXPECT_EQ(usage.structured.at("limits").at("memories"), 400);
  EXPECT_EQ(usage.structured.at("memories_stored"), 3);
  EXPECT_EQ(Str(usage.structured.at("month")), month);
}

TEST_P(Usage, GetUsageOfAnotherMonthAndBadMonths) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "free");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  CallResult old = owner->Call("get_usage", {{"month", "2020-01"}});
  ASSERT_FALSE(old.is_error) << old.error_message;
  EXPECT_EQ(old.structured.at("operations").at("total"), 0);
  EXPECT_EQ(old.structured.at("limits").at("memories"), 200);
  EXPECT_EQ(owner->Call("get_usage", {{"month", "2020-13"}}).error_code, "validation_error");
  auto agent = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  EXPECT_FALSE(agent->Call("get_usage").structured.contains("memories_stored"));
}

}  // namespace
}  // namespace rm::testing
