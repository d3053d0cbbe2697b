// SPEC §4, over a whole session: every tool, several users and every kind of
// caller (owner key, agent keys, the stdio local owner with an inferred vendor),
// successes mixed with failures and a replayed request_id. Afterwards
// usage_events holds exactly one row per successful call — by user, operation
// (memory_write / memory_read / query) and origin — and monthly_usage the same
// totals; failures and replays are not metered.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/tools/memory_test_env.h"
#include "tests/tools/stored_state.h"
#include "util/clock.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Which usage operation each tool is metered as (SPEC §5's last column).
const std::map<std::string, std::string> kOperationOf = {
    {"write_memory", "memory_write"},      {"write_child_memory", "memory_write"},
    {"update_memory", "memory_write"},     {"delete_memory", "memory_write"},
    {"restore_memory", "memory_write"},    {"share_memory", "memory_write"},
    {"unshare_memory", "memory_write"},    {"get_memory_by_id", "memory_read"},
    {"get_memory_versions", "memory_read"}, {"read_memories", "memory_read"},
    {"get_latest_memory", "memory_read"},  {"browse_memories", "memory_read"},
    {"get_memories_by_tag", "memory_read"}, {"read_thread", "memory_read"},
    {"read_org_memories", "memory_read"},  {"read_team_memories", "memory_read"},
    {"get_memory_briefing", "memory_read"}, {"get_usage", "memory_read"},
    {"fetch", "memory_read"},              {"search_memories", "query"},
    {"search", "query"},
};

// One caller of the session and what its usage rows must say.
struct SessionCaller {
  std::unique_ptr<Client> client;
  std::string user;
  std::string origin;
};

class UsageSession {
 public:
  // A call that must succeed: counted once for (user, operation, origin).
  CallResult Ok(SessionCaller& who, const std::string& tool, json::object args = {}) {
    CallResult r = who.client->Call(tool, std::move(args));
    EXPECT_FALSE(r.is_error) << tool << ": " << r.error_message;
    if (!r.is_error) ++expected_[{who.user, kOperationOf.at(tool), who.origin}];
    tools_used_.insert(tool);
    return r;
  }
  // A call that must fail with `code`: not metered.
  void Fails(SessionCaller& who, const std::string& tool, json::object args, const std::string& code) {
    CallResult r = who.client->Call(tool, std::move(args));
    EXPECT_EQ(r.error_code, code) << tool << ": " << r.error_message;
  }
  // A repeat of an earlier call with the same request_id: answered, not metered again.
  CallResult Replay(SessionCaller& who, const std::string& tool, json::object args) {
    CallResult r = who.client->Call(tool, std::move(args));
    EXPECT_FALSE(r.is_error) << tool << ": " << r.error_message;
    return r;
  }

  const UsageTally& expected() const { return expected_; }
  const std::set<std::string>& tools_used() const { return tools_used_; }

 private:
  UsageTally expected_;
  std::set<std::string> tools_used_;
};

TEST(UsageSession, EverySuccessfulCallIsMeteredOnceByUserOperationAndOrigin) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com", "team");
  const std::string bob = env.AddUser("bob@example.com", "team");
  const std::string carol = env.AddUser("carol@example.com", "free");
  const std::string org = env.CreateOrg("Acme", alice);
  const std::string team = env.CreateTeam(org, "Eng");
  env.Join(org, alice, team);
  env.Join(org, bob, team);

  SessionCaller alice_owner{env.Connect(MemoryTestEnv::OwnerKey(alice)), alice, "api"};
  SessionCaller alice_claude{env.Connect(MemoryTestEnv::AgentKey(alice, "claude")), alice, "claude"};
  SessionCaller alice_chatgpt{env.Connect(MemoryTestEnv::AgentKey(alice, "chatgpt")), alice, "chatgpt"};
  SessionCaller bob_owner{env.Connect(MemoryTestEnv::OwnerKey(bob)), bob, "api"};
  SessionCaller carol_cursor{env.Connect(MemoryTestEnv::LocalOwner(carol), "cursor-vscode"), carol, "cursor"};
  SessionCaller carol_local{env.Connect(MemoryTestEnv::LocalOwner(carol), "some-new-client"), carol, "local"};

  UsageSession s;
  // Writes, sharing, threads.
  const std::string shared = s.Ok(alice_owner, "write_memory",
                                  {{"title", "Org onboarding"}, {"content", "wiki link"}, {"tags", {"onboarding"}},
                                   {"share_scope", "org"}}).id();
  const std::string own = s.Ok(alice_owner, "write_memory", {{"title", "Dentist"}, {"content", "Tuesday"}}).id();
  const std::string hidden = s.Ok(alice_owner, "write_memory", {{"title", "Salary"}, {"content", "private"},
                                                                {"allowed_vendors", json::array{}}}).id();
  s.Ok(alice_owner, "share_memory", {{"memory_id", own}, {"scope", "team"}});
  s.Ok(alice_owner, "unshare_memory", {{"memory_id", own}, {"scope", "team"}});
  s.Ok(alice_owner, "update_memory", {{"id", shared}, {"content", "wiki link v2"}, {"request_id", "upd-1"}});
  s.Replay(alice_owner, "update_memory", {{"id", shared}, {"content", "wiki link v2"}, {"request_id", "upd-1"}});
  s.Ok(alice_owner, "write_child_memory", {{"parent_memory_id", shared}, {"title", "Laptop"}, {"content", "ask IT"}});
  const std::string claudes =
      s.Ok(alice_claude, "write_memory", {{"title", "Claude note"}, {"content", "about onboarding"}}).id();
  s.Ok(alice_claude, "update_memory", {{"id", claudes}, {"tags", {"onboarding"}}});
  s.Ok(alice_chatgpt, "write_memory", {{"title", "ChatGPT note"}, {"content", "c"}, {"request_id", "w-1"}});
  s.Replay(alice_chatgpt, "write_memory", {{"title", "ChatGPT note"}, {"content", "c"}, {"request_id", "w-1"}});
  s.Ok(bob_owner, "update_memory", {{"id", shared}, {"title", "Org onboarding (bob)"}});  // a pool member may edit
  s.Ok(carol_cursor, "write_memory", {{"title", "Carol"}, {"content", "c"}});

  // Reads of every kind.
  s.Ok(alice_owner, "get_memory_by_id", {{"id", own}});
  s.Ok(alice_owner, "get_memory_versions", {{"id", shared}});
  s.Ok(alice_owner, "read_memories", {{"limit", 5}});
  s.Ok(alice_owner, "get_latest_memory", {{"tag", "onboarding"}});
  s.Ok(alice_owner, "browse_memories", {{"scope", "all"}});
  s.Ok(alice_claude, "get_memories_by_tag", {{"tags", {"onboarding"}}});
  s.Ok(alice_claude, "read_thread", {{"memory_id", shared}});
  s.Ok(alice_owner, "read_org_memories");
  s.Ok(bob_owner, "read_org_memories");
  s.Ok(bob_owner, "read_team_memories");
  s.Ok(alice_owner, "get_memory_briefing", {{"format", "json"}});
  s.Ok(alice_claude, "get_memory_briefing");
  s.Ok(carol_cursor, "read_memories");
  s.Ok(carol_local, "get_usage");

  // Searches, and ChatGPT's pair.
  s.Ok(alice_owner, "search_memories", {{"term", "onboarding"}});
  s.Ok(bob_owner, "search_memories", {{"term", "onboarding"}, {"scope", "org"}});
  CallResult found = s.Ok(alice_chatgpt, "search", {{"query", "onboarding"}});
  ASSERT_FALSE(found.structured.at("results").as_array().empty());
  s.Ok(alice_chatgpt, "fetch", {{"id", found.structured.at("results").at(0).at("id")}});

  // Trash: delete, restore, then delete for good.
  s.Ok(alice_owner, "delete_memory", {{"id", own}});
  s.Ok(alice_owner, "restore_memory", {{"id", own}});
  s.Ok(alice_owner, "delete_memory", {{"id", own}, {"permanent", true}});

  // Failures of every kind: none is metered.
  s.Fails(alice_owner, "write_memory", {{"title", "no content"}}, "validation_error");
  s.Fails(alice_owner, "update_memory", {{"id", shared}, {"title", "  "}}, "validation_error");
  s.Fails(alice_owner, "get_memory_by_id", {{"id", own}}, "not_found");  // gone for good
  s.Fails(alice_chatgpt, "fetch", {{"id", hidden}}, "not_found");
  s.Fails(alice_claude, "update_memory", {{"id", shared}, {"title", "not claude's"}}, "permission_denied");
  s.Fails(bob_owner, "delete_memory", {{"id", shared}}, "permission_denied");
  s.Fails(bob_owner, "share_memory", {{"memory_id", shared}, {"scope", "team"}}, "permission_denied");
  s.Fails(alice_owner, "restore_memory", {{"id", shared}}, "not_found");  // not in the trash
  s.Fails(carol_cursor, "read_team_memories", {}, "failed_precondition");
  s.Fails(carol_local, "get_usage", {{"month", "2026-00"}}, "validation_error");
  s.Fails(alice_owner, "search_memories", {{"term", "x"}, {"created_after", "soon"}}, "validation_error");
  s.Fails(alice_owner, "update_memory", {{"id", shared}, {"content", "other"}, {"request_id", "upd-1"}},
          "idempotency_conflict");

  // get_usage counts every call before it (and is metered itself).
  const std::string month = MonthOf(NowUtc());
  auto totals_of = [&](const std::string& user) {
    std::map<std::string, int> t;
    for (const auto& [key, n] : s.expected()) {
      if (std::get<0>(key) == user) t[std::get<1>(key)] += n;
    }
    return t;
  };
  std::map<std::string, int> alice_before = totals_of(alice);
  CallResult usage = s.Ok(alice_owner, "get_usage");
  ASSERT_FALSE(usage.is_error);
  const json::object& ops = usage.structured.at("operations").as_object();
  EXPECT_EQ(ops.at("writes"), alice_before["memory_write"]);
  EXPECT_EQ(ops.at("reads"), alice_before["memory_read"]);
  EXPECT_EQ(ops.at("queries"), alice_before["query"]);

  // Every tool of SPEC §5 took part.
  std::set<std::string> all_tools;
  for (const auto& [tool, op] : kOperationOf) all_tools.insert(tool);
  EXPECT_EQ(s.tools_used(), all_tools);

  EXPECT_EQ(UsageEventsByCaller(env), s.expected());
  for (const std::string& user : {alice, bob, carol}) {
    SCOPED_TRACE(user == alice ? "alice" : user == bob ? "bob" : "carol");
    std::map<std::string, int> t = totals_of(user);
    const std::string row = " FROM monthly_usage WHERE user_id = '" + user + "' AND month = '" + month + "'";
    EXPECT_EQ(env.Count("SELECT count(*)" + row), 1);
    EXPECT_EQ(env.Count("SELECT writes" + row), t["memory_write"]);
    EXPECT_EQ(env.Count("SELECT reads" + row), t["memory_read"]);
    EXPECT_EQ(env.Count("SELECT queries" + row), t["query"]);
    EXPECT_EQ(env.Count("SELECT total_ops" + row), t["memory_write"] + t["memory_read"] + t["query"]);
  }
  EXPECT_EQ(env.Count("SELECT count(*) FROM monthly_usage"), 3);
  // Each replayed request_id left exactly one usage row, keyed per user (SPEC §4).
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events WHERE request_id = '" + alice + ":upd-1'"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events WHERE request_id = '" + alice + ":w-1'"), 1);
}

}  // namespace
}  // namespace rm::testing
