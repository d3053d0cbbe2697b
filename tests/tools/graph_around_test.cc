// get_graph_around (issue 18): a memory's thread, its tag neighbours and the
// memories it names or that name it — with the original's arguments, and never a
// node the caller may not see.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

std::vector<std::string> Ids(const json::value& list) {
  std::vector<std::string> ids;
  for (const auto& m : list.as_array()) ids.push_back(Str(m.at("id")));
  return ids;
}

class GraphAround : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  std::string Write(Client& client, const std::string& title, json::array tags, json::object extra = {}) {
    extra["title"] = title;
    if (!extra.contains("content")) extra["content"] = "about " + title;
    extra["tags"] = std::move(tags);
    CallResult r = client.Call("write_memory", std::move(extra));
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }
  std::string Reply(Client& client, const std::string& parent, const std::string& title) {
    CallResult r = client.Call("write_child_memory", {{"parent_memory_id", parent}, {"title", title}, {"content", "re"}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }
  CallResult Graph(Client& client, const std::string& id, json::object extra = {}) {
    extra["memory_id"] = id;
    return client.Call("get_graph_around", std::move(extra));
  }

  MemoryTestEnv env_{GetParam()};
  std::string alice_ = env_.AddUser("alice@example.com", "pro");
  std::unique_ptr<Client> owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  std::unique_ptr<Client> cursor_ = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
};
RM_ON_BOTH_ENGINES(GraphAround);

TEST_P(GraphAround, AThreadGivesParentChildrenAndSiblings) {
  const std::string parent = Write(*owner_, "decision", {});
  const std::string first = Reply(*owner_, parent, "first");
  const std::string second = Reply(*owner_, parent, "second");
  const std::string third = Reply(*owner_, parent, "third");

  CallResult around_parent = Graph(*owner_, parent);
  ASSERT_FALSE(around_parent.is_error) << around_parent.error_message;
  EXPECT_TRUE(around_parent.structured.at("parent").is_null());
  EXPECT_EQ(Ids(around_parent.structured.at("children")), (std::vector<std::string>{first, second, third}));
  EXPECT_TRUE(around_parent.structured.at("siblings").as_array().empty());

  CallResult around_reply = Graph(*owner_, second);
  ASSERT_FALSE(around_reply.is_error);
  EXPECT_EQ(Str(around_reply.structured.at("memory").at("id")), second);
  EXPECT_EQ(Str(around_reply.structured.at("parent").at("id")), parent);
  EXPECT_EQ(Ids(around_reply.structured.at("siblings")), (std::vector<std::string>{first, third}));
  EXPECT_TRUE(around_reply.structured.at("children").as_array().empty());
  EXPECT_EQ(env_.Count("SELECT count(*) FROM usage_events WHERE operation = 'memory_read'"), 2);
}

TEST_P(GraphAround, TagNeighboursShareAtLeastKTagsMostSharedFirst) {
  const std::string center = Write(*owner_, "center", {"a", "b", "c", "d"});
  const std::string three = Write(*owner_, "three", {"A", "b", "c"});  // tags compare case-insensitively
  const std::string two_old = Write(*owner_, "two old", {"a", "b"});
  const std::string two_new = Write(*owner_, "two new", {"c", "d", "x"});
  Write(*owner_, "one", {"a", "z"});
  Write(*owner_, "none", {"z"});

  CallResult r = Graph(*owner_, center);
  ASSERT_FALSE(r.is_error) << r.error_message;
  EXPECT_EQ(Ids(r.structured.at("tag_similar")), (std::vector<std::string>{three, two_new, two_old}));
  const json::array& shared = r.structured.at("tag_similar").as_array()[0].at("shared_tags").as_array();
  EXPECT_EQ(shared.size(), 3u);

  CallResult top1 = Graph(*owner_, center, {{"top_tag_similar", 1}});
  EXPECT_EQ(Ids(top1.structured.at("tag_similar")), (std::vector<std::string>{three}));
  CallResult k3 = Graph(*owner_, center, {{"min_shared_tags", 3}});
  EXPECT_EQ(Ids(k3.structured.at("tag_similar")), (std::vector<std::string>{three}));
  CallResult k1 = Graph(*owner_, center, {{"min_shared_tags", 1}, {"top_tag_similar", 20}});
  EXPECT_EQ(k1.structured.at("tag_similar").as_array().size(), 4u);
}

TEST_P(GraphAround, ReferencesGoBothWaysByIdAndByUri) {
  const std::string target = Write(*owner_, "target", {});
  const std::string by_id = Write(*owner_, "names it", {}, {{"content", "see " + target + " for details"}});
  const std::string by_uri = Write(*owner_, "links it", {}, {{"content", "follow-up of memory://" + target}});
  const std::string hub = Write(*owner_, "hub", {}, {{"content", "related: " + by_id + ", memory://" + by_uri +
                                                                     " and no-such " +
                                                                     "00000000-0000-4000-8000-000000000000"}});

  CallResult around_target = Graph(*owner_, target);
  ASSERT_FALSE(around_target.is_error) << around_target.error_message;
  const auto incoming = Ids(around_target.structured.at("references").at("incoming"));
  EXPECT_EQ(incoming, (std::vector<std::string>{by_uri, by_id}));  // newest first
  EXPECT_TRUE(around_target.structured.at("references").at("outgoing").as_array().empty());

  CallResult around_hub = Graph(*owner_, hub);
  ASSERT_FALSE(around_hub.is_error);
  EXPECT_EQ(Ids(around_hub.structured.at("references").at("outgoing")), (std::vector<std::string>{by_id, by_uri}));
}

TEST_P(GraphAround, AHiddenMemoryIsNotFoundAndHiddenNeighboursAreLeftOut) {
  const std::string center = Write(*owner_, "center", {"a", "b"}, {{"content", "see below"}});
  const std::string hidden = Write(*owner_, "claude only", {"a", "b"},
                                   {{"allowed_vendors", json::array{"claude"}}, {"content", "about " + center}});
  const std::string visible = Write(*owner_, "everyone", {"a", "b"});
  const std::string hidden_reply = [&] {
    CallResult r = owner_->Call("write_child_memory", {{"parent_memory_id", center},
                                                       {"title", "secret reply"},
                                                       {"content", "x"},
                                                       {"allowed_vendors", json::array{}}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.id();
  }();

  CallResult owner_view = Graph(*owner_, center);
  ASSERT_FALSE(owner_view.is_error);
  EXPECT_EQ(Ids(owner_view.structured.at("tag_similar")), (std::vector<std::string>{visible, hidden}));
  EXPECT_EQ(Ids(owner_view.structured.at("children")), (std::vector<std::string>{hidden_reply}));
  EXPECT_EQ(Ids(owner_view.structured.at("references").at("incoming")), (std::vector<std::string>{hidden}));

  CallResult cursor_view = Graph(*cursor_, center);
  ASSERT_FALSE(cursor_view.is_error);
  EXPECT_EQ(Ids(cursor_view.structured.at("tag_similar")), (std::vector<std::string>{visible}));
  EXPECT_TRUE(cursor_view.structured.at("children").as_array().empty());
  EXPECT_TRUE(cursor_view.structured.at("references").at("incoming").as_array().empty());

  CallResult around_hidden = Graph(*cursor_, hidden);
  EXPECT_TRUE(around_hidden.is_error);
  EXPECT_EQ(around_hidden.error_code, "not_found");
  EXPECT_EQ(around_hidden.error_message, "memory '" + hidden + "' not found");

  const std::string bob = env_.AddUser("bob@example.com", "pro");
  auto bob_client = env_.Connect(MemoryTestEnv::OwnerKey(bob));
  EXPECT_EQ(Graph(*bob_client, center).error_code, "not_found");
}

}  // namespace
}  // namespace rm::testing
