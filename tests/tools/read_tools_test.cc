// The tools that read: results, paging, filters, not found.
#include <gtest/gtest.h>

#include <set>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every case runs on SQLite and on PostgreSQL.
class ReadToolsTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  ReadToolsTest() : alice_(env_.AddUser("alice@example.com", "pro")) {
    c_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  }
  std::string Write(const std::string& title, json::array tags = {}) {
    CallResult r = c_->Call("write_memory", {{"title", title}, {"content", "content of " + title}, {"tags", tags}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.id();
  }
  static std::vector<std::string> Titles(const CallResult& r, const char* list = "memories") {
    std::vector<std::string> titles;
    for (const auto& m : r.structured.at(list).as_array()) titles.push_back(Str(m.at("title")));
    return titles;
  }
  MemoryTestEnv env_{GetParam()};
  std::string alice_;
  std::unique_ptr<Client> c_;
};
RM_ON_BOTH_ENGINES(ReadToolsTest);

TEST_P(ReadToolsTest, GetMemoryByIdAndNotFound) {
  std::string id = Write("one");
  CallResult r = c_->Call("get_memory_by_id", {{"id", id}});
  ASSERT_FALSE(r.is_error);
  EXPECT_EQ(r.memory().at("content"), "content of one");
  EXPECT_EQ(c_->Call("get_memory_by_id", {{"id", "no-such-id"}}).error_code, "not_found");
  EXPECT_EQ(c_->Call("get_memory_by_id", {}).error_code, "validation_error");
}

TEST_P(ReadToolsTest, ReadMemoriesIsNewestFirstAndBounded) {
  for (int i = 0; i < 12; ++i) Write("m" + std::to_string(i));
  EXPECT_EQ(Titles(c_->Call("read_memories")).size(), 10u);  // default
  std::vector<std::string> three = Titles(c_->Call("read_memories", {{"limit", 3}}));
  EXPECT_EQ(three, (std::vector<std::string>{"m11", "m10", "m9"}));
  EXPECT_EQ(c_->Call("read_memories", {{"limit", 51}}).error_code, "validation_error");
  EXPECT_EQ(c_->Call("read_memories", {{"limit", 0}}).error_code, "validation_error");
  EXPECT_EQ(c_->Call("read_memories", {{"scope", "everything"}}).error_code, "validation_error");
}

TEST_P(ReadToolsTest, BrowsePagesWithoutDuplicatesOrGapsAndHasNoContent) {
  std::set<std::string> written;
  for (int i = 0; i < 25; ++i) written.insert(Write("m" + std::to_string(i)));
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    json::object args{{"limit", 7}};
    if (cursor) args["cursor"] = *cursor;
    CallResult r = c_->Call("browse_memories", args);
    ASSERT_FALSE(r.is_error) << r.error_message;
    for (const auto& m : r.structured.at("memories").as_array()) {
      EXPECT_FALSE(m.as_object().contains("content"));
      seen.push_back(Str(m.at("id")));
    }
    const json::value& next = r.structured.at("next_cursor");
    cursor = next.is_null() ? std::nullopt : std::optional<std::string>(Str(next));
    ++pages;
  } while (cursor);
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), written);
  EXPECT_EQ(c_->Call("browse_memories", {{"cursor", "zz"}}).error_code, "validation_error");
  EXPECT_EQ(c_->Call("browse_memories", {{"cursor", "7b7d"}}).error_code, "validation_error");  // "{}"
}

TEST_P(ReadToolsTest, GetMemoriesByTagMatchesAnyTagCaseInsensitively) {
  Write("a", {"Work"});
  Write("b", {"home"});
  Write("c", {"work", "home"});
  Write("d", {"other"});
  EXPECT_EQ(Titles(c_->Call("get_memories_by_tag", {{"tags", {"WORK"}}})), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(Titles(c_->Call("get_memories_by_tag", {{"tags", {"work", "home"}}})),
            (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(Titles(c_->Call("get_memories_by_tag", {{"tags", {"nothing"}}})).size(), 0u);
  EXPECT_EQ(c_->Call("get_memories_by_tag", {{"tags", json::array{}}}).error_code, "validation_error");
  CallResult paged = c_->Call("get_memories_by_tag", {{"tags", {"work", "home"}}, {"limit", 2}});
  ASSERT_FALSE(paged.structured.at("next_cursor").is_null());
  CallResult rest = c_->Call("get_memories_by_tag", {{"tags", {"work", "home"}}, {"limit", 2},
                                                     {"cursor", paged.structured.at("next_cursor")}});
  EXPECT_EQ(Titles(rest), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(rest.structured.at("next_cursor").is_null());
}

TEST_P(ReadToolsTest, GetLatestMemory) {
  EXPECT_TRUE(c_->Call("get_latest_memory").structured.at("memory").is_null());
  Write("old", {"x"});
  Write("new");
  EXPECT_EQ(c_->Call("get_latest_memory").memory().at("title"), "new");
  EXPECT_EQ(c_->Call("get_latest_memory", {{"tag", "X"}}).memory().at("title"), "old");
}

TEST_P(ReadToolsTest, TrashIsHiddenFromReads) {
  std::string id = Write("gone", {"t"});
  Write("kept", {"t"});
  ASSERT_FALSE(c_->Call("delete_memory", {{"id", id}}).is_error);
  EXPECT_EQ(Titles(c_->Call("read_memories")), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(Titles(c_->Call("get_memories_by_tag", {{"tags", {"t"}}})), (std::vector<std::string>{"kept"}));
  EXPECT_EQ(c_->Call("get_memory_by_id", {{"id", id}}).error_code, "not_found");
  EXPECT_EQ(Titles(c_->Call("search_memories", {{"term", "gone"}}), "results").size(), 0u);
  // Its history stays readable (the memory can be restored).
  EXPECT_FALSE(c_->Call("get_memory_versions", {{"id", id}}).is_error);
}

TEST_P(ReadToolsTest, ReadThreadFromParentOrReply) {
  std::string parent = Write("parent");
  std::string r1 = c_->Call("write_child_memory", {{"parent_memory_id", parent}, {"title", "r1"}, {"content", "x"}}).id();
  c_->Call("write_child_memory", {{"parent_memory_id", parent}, {"title", "r2"}, {"content", "x"}});
  for (const std::string& from : {parent, r1}) {
    CallResult t = c_->Call("read_thread", {{"memory_id", from}});
    ASSERT_FALSE(t.is_error) << t.error_message;
    EXPECT_EQ(t.structured.at("parent").at("title"), "parent");
    EXPECT_EQ(Titles(t, "replies"), (std::vector<std::string>{"r1", "r2"}));  // oldest first
  }
  ASSERT_FALSE(c_->Call("delete_memory", {{"id", r1}}).is_error);
  EXPECT_EQ(Titles(c_->Call("read_thread", {{"memory_id", parent}}), "replies"), (std::vector<std::string>{"r2"}));
}

TEST_P(ReadToolsTest, BriefingInBothFormats) {
  Write("Postgres upgrade", {"db", "ops"});
  Write("Kafka notes", {"ops"});
  std::string parent = Write("Launch plan");
  c_->Call("write_child_memory", {{"parent_memory_id", parent}, {"title", "update"}, {"content", "x"}});
  CallResult j = c_->Call("get_memory_briefing", {{"format", "json"}});
  ASSERT_FALSE(j.is_error) << j.error_message;
  const json::object& b = j.structured.at("briefing").as_object();
  EXPECT_EQ(b.at("totals").at("memories"), 4);
  EXPECT_EQ(b.at("top_tags").at(0).at("tag"), "ops");
  EXPECT_EQ(b.at("top_tags").at(0).at("count"), 2);
  EXPECT_EQ(b.at("open_threads").at(0).at("title"), "Launch plan");
  EXPECT_EQ(b.at("recent").as_array().size(), 4u);
  CallResult md = c_->Call("get_memory_briefing");
  ASSERT_FALSE(md.is_error);
  const std::string text = Str(md.structured.at("briefing"));
  EXPECT_NE(text.find("4 memories"), std::string::npos) << text;
  EXPECT_NE(text.find("Launch plan"), std::string::npos);
  EXPECT_NE(text.find("ops (2)"), std::string::npos);
}

}  // namespace
}  // namespace rm::testing
