// SPEC §3 "Versions": every update first keeps the previous state as version
// n+1. Checked field by field over updates that each change a different field,
// and what does NOT make a version (delete, restore, sharing, failures, replays).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// The fields a version keeps, taken from a memory as get_memory_by_id shows it.
json::object VersionedFields(const json::object& memory) {
  json::object out;
  for (const char* field : {"title", "content", "tags", "memory_type", "origin", "allowed_vendors"}) {
    out[field] = memory.at(field);
  }
  return out;
}

// Every case runs on SQLite and on PostgreSQL.
class VersionsTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  VersionsTest() : alice_(env_.AddUser("alice@example.com", "pro")) {
    owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  }

  json::object Current(const std::string& id) {
    CallResult r = owner_->Call("get_memory_by_id", {{"id", id}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? json::object{} : r.memory();
  }
  json::array Versions(Client& client, const std::string& id) {
    CallResult r = client.Call("get_memory_versions", {{"id", id}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? json::array{} : r.structured.at("versions").as_array();
  }
  std::int64_t StoredVersions(const std::string& id) {
    return env_.Count("SELECT count(*) FROM memory_versions WHERE memory_id = '" + id + "'");
  }

  MemoryTestEnv env_{GetParam()};
  std::string alice_;
  std::unique_ptr<Client> owner_;
};
RM_ON_BOTH_ENGINES(VersionsTest);

TEST_P(VersionsTest, FiveUpdatesEachChangingOneFieldKeepEveryEarlierState) {
  auto claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  CallResult written = claude->Call("write_memory", {{"title", "Deploy steps"},
                                                     {"content", "run make"},
                                                     {"tags", {"ops"}},
                                                     {"memory_type", "semantic"},
                                                     {"allowed_vendors", {"*"}}});
  ASSERT_FALSE(written.is_error) << written.error_message;
  const std::string id = written.id();

  const std::vector<json::object> updates = {
      {{"title", "Deploy steps (prod)"}},
      {{"content", "run make, then make deploy"}},
      {{"tags", {"ops", "release"}}},
      {{"memory_type", "procedural"}},
      {{"allowed_vendors", {"claude", "cursor"}}},
  };
  std::vector<json::object> states_before;  // state_before[n-1] is what version n must hold
  std::vector<std::string> replaced_at;     // when update n replaced it
  for (std::size_t n = 0; n < updates.size(); ++n) {
    states_before.push_back(VersionedFields(Current(id)));
    json::object args = updates[n];
    args["id"] = id;
    CallResult r = claude->Call("update_memory", args);  // an agent may update what it wrote
    ASSERT_FALSE(r.is_error) << r.error_message;
    EXPECT_EQ(r.structured.at("previous_version"), static_cast<std::int64_t>(n + 1));
    // Only the field given changed.
    json::object expected = states_before.back();
    for (const auto& [field, value] : updates[n]) expected[field] = value;
    EXPECT_EQ(VersionedFields(r.memory()), expected) << "update " << n + 1;
    replaced_at.push_back(Str(r.memory().at("updated_at")));
  }

  CallResult history = owner_->Call("get_memory_versions", {{"id", id}});
  ASSERT_FALSE(history.is_error) << history.error_message;
  EXPECT_EQ(history.structured.at("current_version"), 6);
  EXPECT_EQ(VersionedFields(history.memory()), VersionedFields(Current(id)));
  const json::array& versions = history.structured.at("versions").as_array();
  ASSERT_EQ(versions.size(), 5u);
  for (std::size_t n = 0; n < versions.size(); ++n) {
    SCOPED_TRACE("version " + std::to_string(n + 1));
    const json::object& version = versions[n].as_object();
    EXPECT_EQ(version.at("version_number"), static_cast<std::int64_t>(n + 1));
    EXPECT_EQ(VersionedFields(version), states_before[n]);
    EXPECT_EQ(Str(version.at("created_at")), replaced_at[n]) << "a version is dated when it was replaced";
    EXPECT_EQ(version.at("origin"), "claude");
  }
  // Each version differs from the next in exactly the field its update changed.
  for (std::size_t n = 0; n + 1 < states_before.size(); ++n) {
    for (const auto& [field, value] : states_before[n]) {
      const bool changed = updates[n].contains(field);
      EXPECT_EQ(value != states_before[n + 1].at(field), changed) << "version " << n + 1 << " field " << field;
    }
  }
  EXPECT_EQ(StoredVersions(id), 5);
}

TEST_P(VersionsTest, DeleteRestoreSharingFailuresAndReplaysAddNoVersion) {
  std::string org = env_.CreateOrg("Acme", alice_);
  env_.Join(org, alice_);
  const std::string id = owner_->Call("write_memory", {{"title", "t"}, {"content", "c"}}).id();
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", id}, {"title", "t2"}, {"request_id", "u1"}}).is_error);
  ASSERT_EQ(StoredVersions(id), 1);

  // A replayed request_id applies nothing again.
  CallResult replay = owner_->Call("update_memory", {{"id", id}, {"title", "t2"}, {"request_id", "u1"}});
  EXPECT_FALSE(replay.is_error) << replay.error_message;
  EXPECT_EQ(replay.structured.at("previous_version"), 1);
  // Failed updates (service validation, not found) keep nothing.
  EXPECT_EQ(owner_->Call("update_memory", {{"id", id}, {"title", "   "}}).error_code, "validation_error");
  EXPECT_EQ(owner_->Call("update_memory", {{"id", id}, {"allowed_vendors", {"Bad"}}}).error_code, "validation_error");
  EXPECT_EQ(owner_->Call("update_memory", {{"id", "nope"}, {"title", "x"}}).error_code, "not_found");
  // Sharing, unsharing, trash and restore change no versioned field.
  EXPECT_FALSE(owner_->Call("share_memory", {{"memory_id", id}}).is_error);
  EXPECT_FALSE(owner_->Call("unshare_memory", {{"memory_id", id}}).is_error);
  EXPECT_FALSE(owner_->Call("delete_memory", {{"id", id}}).is_error);
  // History stays readable in the trash (the memory can come back).
  json::array in_trash = Versions(*owner_, id);
  ASSERT_EQ(in_trash.size(), 1u);
  EXPECT_EQ(in_trash[0].at("title"), "t");
  EXPECT_FALSE(owner_->Call("restore_memory", {{"id", id}}).is_error);
  EXPECT_EQ(StoredVersions(id), 1);

  // The next update is version 2, whatever happened in between.
  CallResult next = owner_->Call("update_memory", {{"id", id}, {"content", "c2"}});
  ASSERT_FALSE(next.is_error) << next.error_message;
  EXPECT_EQ(next.structured.at("previous_version"), 2);
  json::array versions = Versions(*owner_, id);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[1].at("title"), "t2");
  EXPECT_EQ(versions[1].at("content"), "c");
}

TEST_P(VersionsTest, PermanentDeleteRemovesTheVersionsOfTheMemoryAndItsReplies) {
  const std::string parent = owner_->Call("write_memory", {{"title", "p"}, {"content", "c"}}).id();
  const std::string reply =
      owner_->Call("write_child_memory", {{"parent_memory_id", parent}, {"title", "r"}, {"content", "c"}}).id();
  const std::string other = owner_->Call("write_memory", {{"title", "o"}, {"content", "c"}}).id();
  for (const std::string& id : {parent, reply, other}) {
    ASSERT_FALSE(owner_->Call("update_memory", {{"id", id}, {"content", "c2"}}).is_error);
  }
  ASSERT_EQ(env_.Count("SELECT count(*) FROM memory_versions"), 3);
  ASSERT_FALSE(owner_->Call("delete_memory", {{"id", parent}, {"permanent", true}}).is_error);
  EXPECT_EQ(StoredVersions(parent), 0);
  EXPECT_EQ(StoredVersions(reply), 0);
  EXPECT_EQ(StoredVersions(other), 1);
  EXPECT_EQ(owner_->Call("get_memory_versions", {{"id", parent}}).error_code, "not_found");
}

// A version is filtered by what the memory allowed THEN: a vendor let in later
// does not see the content that was kept from it.
TEST_P(VersionsTest, AnAgentSeesOnlyTheVersionsItsVendorWasAllowed) {
  const std::string id =
      owner_->Call("write_memory", {{"title", "secret plan"}, {"content", "claude only"}, {"allowed_vendors", {"claude"}}})
          .id();
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", id}, {"allowed_vendors", {"*"}}}).is_error);
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", id}, {"content", "for everyone"}}).is_error);

  auto claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  auto cursor = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
  EXPECT_EQ(Versions(*owner_, id).size(), 2u);
  EXPECT_EQ(Versions(*claude, id).size(), 2u);
  json::array seen_by_cursor = Versions(*cursor, id);
  ASSERT_EQ(seen_by_cursor.size(), 1u);
  EXPECT_EQ(seen_by_cursor[0].at("version_number"), 1);  // numbered over what cursor sees
  // Version 2 is the state after the first update: the same content, but open to
  // "*" — cursor could read it then, so it may read it now. Version 1 stays hidden.
  EXPECT_EQ(seen_by_cursor[0].at("allowed_vendors"), (json::array{"*"}));
  // An agent's numbering counts only the versions it sees (issue 20): no gap, and
  // current_version is one past them.
  EXPECT_EQ(cursor->Call("get_memory_versions", {{"id", id}}).structured.at("current_version"), 2);
}

}  // namespace
}  // namespace rm::testing
