// The tools that change memories: success, each validation failure (naming the
// field), not found, quota, and what is stored afterwards.
#include <gtest/gtest.h>

#include <string>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every case runs on SQLite and on PostgreSQL.
class WriteToolsTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  WriteToolsTest() : env_(GetParam()), alice_(env_.AddUser("alice@example.com", "pro")) {
    owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  }
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }

  std::string Write(json::object args) {
    CallResult r = owner_->Call("write_memory", std::move(args));
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }

  MemoryTestEnv env_;
  std::string alice_;
  std::unique_ptr<Client> owner_;
};
RM_ON_BOTH_ENGINES(WriteToolsTest);

TEST_P(WriteToolsTest, WriteMemoryStoresEveryFieldAndReturnsIt) {
  CallResult r = owner_->Call("write_memory", {{"title", "Deploy checklist"},
                                               {"content", "1. run tests\n2. tag"},
                                               {"tags", {"ops", " release ", "OPS"}},
                                               {"memory_type", "procedural"},
                                               {"allowed_vendors", {"claude", "cursor", "claude"}}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  const json::object& m = r.memory();
  EXPECT_EQ(m.at("title"), "Deploy checklist");
  EXPECT_EQ(m.at("content"), "1. run tests\n2. tag");
  // Tags trimmed, duplicates (case-insensitive) dropped; vendors deduplicated.
  EXPECT_EQ(m.at("tags"), (json::array{"ops", "release"}));
  EXPECT_EQ(m.at("allowed_vendors"), (json::array{"claude", "cursor"}));
  EXPECT_EQ(m.at("memory_type"), "procedural");
  EXPECT_EQ(m.at("origin"), "api");  // an owner key over HTTP
  EXPECT_EQ(Str(m.at("author_id")), alice_);
  EXPECT_EQ(m.at("scope"), "personal");
  EXPECT_TRUE(m.at("deleted_at").is_null());
  // The text block carries the same JSON as structuredContent.
  EXPECT_EQ(json::parse(r.content.at(0).at("text").as_string()), json::value(r.structured));

  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE id = '" + r.id() +
                       "' AND tags = '[\"ops\",\"release\"]' AND allowed_vendors = "
                       "'[\"claude\",\"cursor\"]' AND origin = 'api'"),
            1);
}

TEST_P(WriteToolsTest, WriteMemoryDefaults) {
  CallResult r = owner_->Call("write_memory", {{"title", "t"}, {"content", ""}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  EXPECT_EQ(r.memory().at("allowed_vendors"), (json::array{"*"}));
  EXPECT_EQ(r.memory().at("memory_type"), "semantic");
  EXPECT_EQ(r.memory().at("tags"), json::array{});
}

TEST_P(WriteToolsTest, WriteMemoryValidationNamesTheFieldAndWritesNothing) {
  const std::string long_title(501, 'x');
  const std::string long_content(100001, 'x');
  const std::string long_tag(65, 't');
  json::array too_many_tags;
  for (int i = 0; i < 51; ++i) too_many_tags.emplace_back("t" + std::to_string(i));
  json::array too_many_vendors;
  for (int i = 0; i < 17; ++i) too_many_vendors.emplace_back("v" + std::to_string(i));

  struct Case {
    json::object args;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"content", "c"}}, "title"},
      {{{"title", "t"}}, "content"},
      {{{"title", long_title}, {"content", "c"}}, "title"},
      {{{"title", "   "}, {"content", "c"}}, "title"},
      {{{"title", "t"}, {"content", long_content}}, "content"},
      {{{"title", "t"}, {"content", "c"}, {"tags", too_many_tags}}, "tags"},
      {{{"title", "t"}, {"content", "c"}, {"tags", {long_tag}}}, "tags[0]"},
      {{{"title", "t"}, {"content", "c"}, {"tags", {"ok", "  "}}}, "tags[1]"},
      {{{"title", "t"}, {"content", "c"}, {"memory_type", "opinion"}}, "memory_type"},
      {{{"title", "t"}, {"content", "c"}, {"allowed_vendors", {"Claude"}}}, "allowed_vendors[0]"},
      {{{"title", "t"}, {"content", "c"}, {"allowed_vendors", {"claude", "has space"}}}, "allowed_vendors[1]"},
      {{{"title", "t"}, {"content", "c"}, {"allowed_vendors", too_many_vendors}}, "allowed_vendors"},
      {{{"title", "t"}, {"content", "c"}, {"share_scope", "world"}}, "share_scope"},
      {{{"title", "t"}, {"content", "c"}, {"share_scope", "org"}}, "share_scope"},  // alice has no org
      {{{"title", "t"}, {"content", "c"}, {"colour", "red"}}, "colour"},
      {{{"title", 5}, {"content", "c"}}, "title"},
      {{{"title", "t"}, {"content", "c"}, {"request_id", ""}}, "request_id"},
  };
  for (const Case& c : cases) {
    CallResult r = owner_->Call("write_memory", c.args);
    EXPECT_TRUE(r.is_error) << json::serialize(c.args);
    EXPECT_EQ(r.error_code, "validation_error") << json::serialize(c.args);
    EXPECT_NE(r.error_message.find(c.field), std::string::npos)
        << "message '" << r.error_message << "' should name " << c.field;
  }
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 0);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM usage_events"), 0);
}

TEST_P(WriteToolsTest, InvalidUtf8IsRefusedByTheServiceToo) {
  // The session already refuses a message that is not UTF-8; the service checks
  // again for callers that do not come through JSON (the CLI import).
  tools::Caller caller{alice_, std::nullopt, "api"};
  tools::NewMemory memory;
  memory.title = "t";
  memory.content = std::string("bad \xed\xa0\x80 surrogate");
  auto reply = env_.service().WriteMemory(caller, std::nullopt, memory, std::nullopt);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(reply.status().message().find("content"), std::string::npos);
  memory.content = "fine";
  memory.tags = {std::string("\xc0\xaf")};  // an overlong '/'
  EXPECT_FALSE(env_.service().WriteMemory(caller, std::nullopt, memory, std::nullopt).ok());
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 0);
}

TEST_P(WriteToolsTest, WriteChildMemoryInheritsSharingAndRefusesReplyToReply) {
  std::string org = env_.CreateOrg("Acme", alice_);
  std::string parent = Write({{"title", "Plan"}, {"content", "p"}, {"share_scope", "org"}});
  CallResult reply = owner_->Call("write_child_memory", {{"parent_memory_id", parent}, {"title", "Update"}, {"content", "u"}});
  ASSERT_FALSE(reply.is_error) << reply.error_message;
  EXPECT_EQ(Str(reply.memory().at("parent_memory_id")), parent);
  EXPECT_EQ(Str(reply.memory().at("shared_with_org_id")), org);
  EXPECT_EQ(reply.memory().at("scope"), "org");

  CallResult nested = owner_->Call("write_child_memory", {{"parent_memory_id", reply.id()}, {"title", "x"}, {"content", "x"}});
  EXPECT_EQ(nested.error_code, "validation_error");
  EXPECT_NE(nested.error_message.find("reply"), std::string::npos);

  CallResult missing = owner_->Call("write_child_memory", {{"parent_memory_id", "nope"}, {"title", "x"}, {"content", "x"}});
  EXPECT_EQ(missing.error_code, "not_found");
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 2);
}

TEST_P(WriteToolsTest, UpdateMemorySnapshotsThePreviousStateFirst) {
  std::string id = Write({{"title", "v1"}, {"content", "one"}, {"tags", {"a"}}});
  for (int n = 2; n <= 4; ++n) {
    CallResult r = owner_->Call("update_memory", {{"id", id}, {"title", "v" + std::to_string(n)}});
    ASSERT_FALSE(r.is_error) << r.error_message;
    EXPECT_EQ(r.structured.at("previous_version"), n - 1);
    EXPECT_EQ(Str(r.memory().at("title")), "v" + std::to_string(n));
    EXPECT_EQ(r.memory().at("content"), "one");  // untouched fields stay
  }
  CallResult versions = owner_->Call("get_memory_versions", {{"id", id}});
  ASSERT_FALSE(versions.is_error) << versions.error_message;
  const json::array& list = versions.structured.at("versions").as_array();
  ASSERT_EQ(list.size(), 3u);
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].at("version_number"), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(Str(list[i].at("title")), "v" + std::to_string(i + 1));  // the state before update i+1
  }
  EXPECT_EQ(versions.structured.at("current_version"), 4);
}

TEST_P(WriteToolsTest, UpdateMemoryValidation) {
  std::string id = Write({{"title", "t"}, {"content", "c"}});
  EXPECT_EQ(owner_->Call("update_memory", {{"id", id}}).error_code, "validation_error");
  CallResult r = owner_->Call("update_memory", {{"id", id}, {"memory_type", "x"}});
  EXPECT_NE(r.error_message.find("memory_type"), std::string::npos);
  r = owner_->Call("update_memory", {{"id", id}, {"allowed_vendors", {"*", "BAD"}}});
  EXPECT_NE(r.error_message.find("allowed_vendors[1]"), std::string::npos);
  EXPECT_EQ(owner_->Call("update_memory", {{"id", "missing"}, {"title", "x"}}).error_code, "not_found");
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_versions"), 0);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE title = 't'"), 1);
}

TEST_P(WriteToolsTest, DeleteRestoreAndPermanentDeleteCascadeToReplies) {
  std::string parent = Write({{"title", "parent"}, {"content", "p"}});
  std::string reply = owner_->Call("write_child_memory", {{"parent_memory_id", parent}, {"title", "r"}, {"content", "r"}}).id();
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", reply}, {"content", "r2"}}).is_error);

  CallResult deleted = owner_->Call("delete_memory", {{"id", parent}});
  ASSERT_FALSE(deleted.is_error) << deleted.error_message;
  EXPECT_EQ(deleted.structured.at("memories_affected"), 2);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE deleted_at IS NOT NULL"), 2);
  EXPECT_EQ(owner_->Call("get_memory_by_id", {{"id", reply}}).error_code, "not_found");
  // A reply cannot come back while its parent is in the trash.
  EXPECT_EQ(owner_->Call("restore_memory", {{"id", reply}}).error_code, "failed_precondition");

  CallResult restored = owner_->Call("restore_memory", {{"id", parent}});
  ASSERT_FALSE(restored.is_error) << restored.error_message;
  EXPECT_EQ(restored.structured.at("memories_affected"), 2);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE deleted_at IS NULL"), 2);
  EXPECT_EQ(owner_->Call("restore_memory", {{"id", parent}}).error_code, "not_found");  // not in the trash

  CallResult gone = owner_->Call("delete_memory", {{"id", parent}, {"permanent", true}});
  ASSERT_FALSE(gone.is_error) << gone.error_message;
  EXPECT_EQ(gone.structured.at("memories_affected"), 2);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 0);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_versions"), 0);
  EXPECT_EQ(owner_->Call("delete_memory", {{"id", parent}}).error_code, "not_found");
}

TEST_P(WriteToolsTest, PermanentDeleteWorksFromTheTrash) {
  std::string id = Write({{"title", "t"}, {"content", "c"}});
  ASSERT_FALSE(owner_->Call("delete_memory", {{"id", id}}).is_error);
  EXPECT_EQ(owner_->Call("delete_memory", {{"id", id}}).error_code, "not_found");  // already trashed
  EXPECT_FALSE(owner_->Call("delete_memory", {{"id", id}, {"permanent", true}}).is_error);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories"), 0);
}

TEST_P(WriteToolsTest, ShareAndUnshareMoveTheMemoryAndItsReplies) {
  std::string org = env_.CreateOrg("Acme", alice_);
  std::string team = env_.CreateTeam(org, "Eng");
  env_.Join(org, alice_, team);
  owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  std::string id = Write({{"title", "t"}, {"content", "c"}});
  std::string reply = owner_->Call("write_child_memory", {{"parent_memory_id", id}, {"title", "r"}, {"content", "r"}}).id();

  CallResult shared = owner_->Call("share_memory", {{"memory_id", id}});
  ASSERT_FALSE(shared.is_error) << shared.error_message;
  EXPECT_EQ(Str(shared.memory().at("shared_with_org_id")), org);
  EXPECT_FALSE(shared.memory().at("shared_at").is_null());
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE shared_with_org_id = '" + org + "'"), 2);

  CallResult to_team = owner_->Call("share_memory", {{"memory_id", id}, {"scope", "team"}});
  ASSERT_FALSE(to_team.is_error) << to_team.error_message;
  EXPECT_TRUE(to_team.memory().at("shared_with_org_id").is_null());  // exclusive
  EXPECT_EQ(Str(to_team.memory().at("shared_with_team_id")), team);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE shared_with_team_id = '" + team +
                       "' AND shared_with_org_id IS NULL"), 2);

  EXPECT_EQ(owner_->Call("share_memory", {{"memory_id", reply}}).error_code, "validation_error");
  EXPECT_EQ(owner_->Call("unshare_memory", {{"memory_id", id}, {"scope", "org"}}).error_code, "validation_error");
  CallResult unshared = owner_->Call("unshare_memory", {{"memory_id", id}});
  ASSERT_FALSE(unshared.is_error) << unshared.error_message;
  EXPECT_EQ(unshared.memory().at("scope"), "personal");
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memories WHERE shared_with_team_id IS NULL "
                       "AND shared_with_org_id IS NULL AND shared_at IS NULL"), 2);
  EXPECT_EQ(owner_->Call("unshare_memory", {{"memory_id", id}}).error_code, "validation_error");
  EXPECT_EQ(owner_->Call("share_memory", {{"memory_id", "missing"}}).error_code, "not_found");
}

TEST_P(WriteToolsTest, SharingNeedsMembership) {
  std::string id = Write({{"title", "t"}, {"content", "c"}});
  CallResult r = owner_->Call("share_memory", {{"memory_id", id}, {"scope", "team"}});
  EXPECT_EQ(r.error_code, "validation_error");
  EXPECT_NE(r.error_message.find("team"), std::string::npos);
}

TEST(WriteQuota, The201stMemoryOnTheFreePlanFailsAndWritesNothing) {
  MemoryTestEnv env;
  std::string bob = env.AddUser("bob@example.com", "free");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(bob));
  for (int i = 0; i < 200; ++i) {
    ASSERT_FALSE(client->Call("write_memory", {{"title", "m" + std::to_string(i)}, {"content", "c"}}).is_error) << i;
  }
  std::int64_t events = env.Count("SELECT count(*) FROM usage_events");
  CallResult r = client->Call("write_memory", {{"title", "one too many"}, {"content", "c"}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_code, "quota_exceeded");
  EXPECT_NE(r.error_message.find("200"), std::string::npos) << r.error_message;
  // A reply counts too.
  std::string first = std::string(client->Call("read_memories", {{"limit", 1}}).structured.at("memories").at(0).at("id").as_string());
  EXPECT_EQ(client->Call("write_child_memory", {{"parent_memory_id", first}, {"title", "r"}, {"content", "r"}}).error_code,
            "quota_exceeded");
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 200);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events"), events + 1);  // only the read_memories
  // Deleting permanently frees a slot; the trash still counts.
  ASSERT_FALSE(client->Call("delete_memory", {{"id", first}}).is_error);
  EXPECT_EQ(client->Call("write_memory", {{"title", "x"}, {"content", "c"}}).error_code, "quota_exceeded");
  ASSERT_FALSE(client->Call("delete_memory", {{"id", first}, {"permanent", true}}).is_error);
  EXPECT_FALSE(client->Call("write_memory", {{"title", "x"}, {"content", "c"}}).is_error);
}

TEST(WriteQuota, TeamPlanCountsTheWholeOrg) {
  MemoryTestEnv env;
  std::string a = env.AddUser("a@example.com", "team");
  std::string b = env.AddUser("b@example.com", "team");
  std::string org = env.CreateOrg("Acme", a);
  env.Join(org, b);
  // 3,999 memories of a, written directly (faster than through the tool).
  ASSERT_TRUE(env.db().Write([&](store::Connection& c) {
    for (int i = 0; i < 3999; ++i) {
      store::Statement& s = c.Prepare(
          "INSERT INTO memories (id, user_id, title, content, created_at, updated_at) VALUES (?, ?, 't', 'c', 'x', 'x')");
      s.Bind(1, "m" + std::to_string(i)).Bind(2, a);
      RM_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  }).ok());
  auto bob = env.Connect(MemoryTestEnv::OwnerKey(b));
  EXPECT_FALSE(bob->Call("write_memory", {{"title", "4000th"}, {"content", "c"}}).is_error);
  CallResult r = bob->Call("write_memory", {{"title", "4001st"}, {"content", "c"}});
  EXPECT_EQ(r.error_code, "quota_exceeded");
  EXPECT_NE(r.error_message.find("per org"), std::string::npos);
}

TEST(WriteQuota, AdminPlanIsUnlimited) {
  MemoryTestEnv env;
  std::string root = env.AddUser("root@example.com", "admin");
  ASSERT_TRUE(env.db().Write([&](store::Connection& c) {
    for (int i = 0; i < 500; ++i) {
      store::Statement& s = c.Prepare(
          "INSERT INTO memories (id, user_id, title, content, created_at, updated_at) VALUES (?, ?, 't', 'c', 'x', 'x')");
      s.Bind(1, "m" + std::to_string(i)).Bind(2, root);
      RM_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  }).ok());
  auto client = env.Connect(MemoryTestEnv::OwnerKey(root));
  EXPECT_FALSE(client->Call("write_memory", {{"title", "501st"}, {"content", "c"}}).is_error);
}

}  // namespace
}  // namespace rm::testing
