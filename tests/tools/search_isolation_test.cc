// Issue 20, item 1: nothing a caller receives from a search — hits, order,
// scores, snippets, cursors — may depend on memories it cannot see. Each test
// takes a caller's complete answers (every page, as the bytes of their JSON),
// lets others write, and asks again: the answers must be byte-identical.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "store/search_repository.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every page of a search, each page's structuredContent serialized.
std::vector<std::string> AllPagesAsBytes(Client& c, const std::string& tool, json::object args) {
  std::vector<std::string> pages;
  for (int guard = 0; guard < 500; ++guard) {
    CallResult r = c.Call(tool, args);
    pages.push_back(json::serialize(r.structured));
    if (r.is_error) return pages;
    const json::value* next = r.structured.if_contains("next_cursor");
    if (next == nullptr || next->is_null()) return pages;
    args["cursor"] = *next;
  }
  ADD_FAILURE() << tool << " never ended";
  return pages;
}

// The searches a caller makes: one word and two, small pages, filters.
std::vector<std::vector<std::string>> Answers(Client& c) {
  std::vector<std::vector<std::string>> all;
  for (const char* term : {"zebra", "zebra stripes", "stripes", "savanna zebra herd", "nothingmatches"}) {
    for (int limit : {1, 2, 50}) {
      all.push_back(AllPagesAsBytes(c, "search_memories", {{"term", term}, {"limit", limit}}));
    }
    all.push_back(AllPagesAsBytes(c, "search_memories", {{"term", term}, {"limit", 1}, {"tags", {"wild"}}}));
    all.push_back(AllPagesAsBytes(c, "search_memories", {{"term", term}, {"limit", 1}, {"scope", "personal"}}));
    all.push_back(AllPagesAsBytes(c, "search", {{"query", term}}));
  }
  all.push_back(AllPagesAsBytes(c, "search_memories", {{"term", ""}, {"limit", 1}}));
  all.push_back(AllPagesAsBytes(c, "browse_memories", {{"limit", 1}}));
  return all;
}

json::object Memory(const std::string& title, const std::string& content, json::array tags = {"wild"},
                    json::array allowed = {"*"}) {
  return {{"title", title}, {"content", content}, {"tags", std::move(tags)}, {"allowed_vendors", std::move(allowed)}};
}

class SearchIsolation : public ::testing::TestWithParam<int> {};

// The review's reproduction: three private memories of another user holding the
// word moved the cursor's document frequencies and the score. Also the same
// user's memories for another vendor, and trashed ones.
TEST_P(SearchIsolation, AnswersAreByteIdenticalAfterWritesTheCallerCannotSee) {
  tools::ServiceOptions options;
  options.search_candidate_limit = GetParam();  // also through the newest-K window
  MemoryTestEnv env(options);
  const std::string alice = env.AddUser("alice@example.com", "pro");
  const std::string bob = env.AddUser("bob@example.com", "pro");
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  auto cursor = env.Connect(MemoryTestEnv::AgentKey(alice, "cursor"));
  auto bobs = env.Connect(MemoryTestEnv::OwnerKey(bob));

  for (int i = 0; i < 6; ++i) {
    CallResult w = claude->Call("write_memory", Memory("zebra note " + std::to_string(i),
                                                       std::string(i + 1, 'x') + " zebra stripes on the savanna " +
                                                           (i % 2 ? "herd" : "alone"),
                                                       i % 3 ? json::array{"wild"} : json::array{"tame"}));
    ASSERT_FALSE(w.is_error) << w.error_message;
  }
  const auto before = Answers(*claude);
  ASSERT_GE(before[0].size(), 3u) << "limit 1 over six matches (or the K newest) must page";

  // Another user's private memories with the words (the review's three, and more).
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(bobs->Call("write_memory", Memory("zebra zebra " + std::to_string(i), "zebra stripes herd")).is_error);
  }
  // The same user, another vendor, restricted to that vendor.
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(cursor->Call("write_memory", Memory("zebra for cursor", "stripes zebra savanna", {"wild"}, {"cursor"}))
                     .is_error);
  }
  // Trash: written and deleted by another user, and by the other vendor.
  std::string trashed = bobs->Call("write_memory", Memory("zebra trash", "zebra")).id();
  ASSERT_FALSE(bobs->Call("delete_memory", {{"id", trashed}}).is_error);
  std::string hidden = cursor->Call("write_memory", Memory("zebra", "zebra", {"wild"}, {"cursor"})).id();
  ASSERT_FALSE(cursor->Call("update_memory", {{"id", hidden}, {"content", "zebra zebra zebra herd"}}).is_error);
  ASSERT_FALSE(cursor->Call("delete_memory", {{"id", hidden}}).is_error);

  const auto after = Answers(*claude);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i], after[i]) << "search " << i;
}

INSTANTIATE_TEST_SUITE_P(CandidateLimits, SearchIsolation, ::testing::Values(1000, 3),
                         [](const auto& info) { return "K" + std::to_string(info.param); });

// The statements one search ran (its plan), in order. Only the search's own: FTS5's
// statements on its shadow tables ("-- …", "… 'main'.'memories_fts_…'") read the
// index's segments, which every user's writes reshape.
std::vector<std::string> PlanOf(MemoryTestEnv& env, const store::Viewer& viewer, const std::string& text, int k) {
  std::vector<std::string> plan;
  Status s = env.db().Read([&](store::Connection& conn) -> Status {
    conn.TraceStatements([&](std::string_view sql) {
      if (sql.starts_with("--") || sql.find("'main'.") != std::string_view::npos) return;
      plan.emplace_back(sql);
    });
    store::SearchRequest request;
    request.text = text;
    request.limit = 2;
    request.candidate_limit = k;
    Result<store::SearchPage> page = store::SearchMemories(conn, viewer, request);
    conn.TraceStatements(nullptr);
    return page.status();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return plan;
}

// Timing: the walks a search chooses — and with them most of the time it takes — were
// planned from how dense its words were in the whole index, so the audit saw one search
// take 0.24 or 0.62 ms depending on another user's memories. The plan is now made from the
// caller's own rows: the same statements run, in the same order, whatever others write
// (crossing every threshold of the planner: 256 rows, K, 2 K).
TEST(SearchIsolation, ThePlanOfASearchDoesNotFollowMemoriesTheCallerCannotSee) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com", "admin");
  const std::string bob = env.AddUser("bob@example.com", "admin");
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  auto cursor = env.Connect(MemoryTestEnv::AgentKey(alice, "cursor"));
  auto bobs = env.Connect(MemoryTestEnv::OwnerKey(bob));
  for (int i = 0; i < 8; ++i) {
    ASSERT_FALSE(claude->Call("write_memory", Memory("zebra " + std::to_string(i), "zebra stripes")).is_error);
  }
  const store::Viewer viewer{alice, std::nullopt, std::nullopt, "claude"};
  const std::vector<std::string> texts = {"zebra", "zebra stripes", "stripes OR herd"};
  std::vector<std::vector<std::string>> before;
  for (const auto& text : texts) {
    for (int k : {3, 1000}) before.push_back(PlanOf(env, viewer, text, k));
  }
  ASSERT_FALSE(before[0].empty()) << "the trace saw no statement";
  for (int i = 0; i < 320; ++i) {
    ASSERT_FALSE(bobs->Call("write_memory", Memory("zebra herd " + std::to_string(i), "zebra stripes herd")).is_error);
    if (i % 8 == 0) {
      ASSERT_FALSE(cursor->Call("write_memory", Memory("zebra", "zebra stripes herd", {"wild"}, {"cursor"})).is_error);
    }
  }
  std::size_t n = 0;
  for (const auto& text : texts) {
    for (int k : {3, 1000}) {
      EXPECT_EQ(PlanOf(env, viewer, text, k), before[n]) << "\"" << text << "\", K " << k;
      ++n;
    }
  }
}

// The property: random writes by other users and by the caller's user through
// other vendors, with random words, tags and types, in between the caller's
// complete answers — which never change. RM_PROPERTY_SEED=<seed> re-runs a seed.
TEST(SearchIsolationProperty, RandomWritesOfOthersNeverChangeTheAnswers) {
  const char* fixed = std::getenv("RM_PROPERTY_SEED");
  const unsigned seed = fixed ? static_cast<unsigned>(std::strtoul(fixed, nullptr, 10)) : std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed) + "; re-run: RM_PROPERTY_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::vector<std::string> words = {"zebra", "stripes", "savanna", "herd", "river", "stone"};
  auto text = [&] {
    std::string t;
    for (int n = 1 + static_cast<int>(rng() % 6); n > 0; --n) t += pick(words) + " ";
    return t;
  };

  tools::ServiceOptions options;
  options.search_candidate_limit = 2 + static_cast<int>(rng() % 6);
  MemoryTestEnv env(options);
  const std::string alice = env.AddUser("alice@example.com", "admin");
  const std::string bob = env.AddUser("bob@example.com", "admin");
  const std::string carol = env.AddUser("carol@example.com", "admin");
  const std::string org = env.CreateOrg("bobs-org", bob);  // alice is not in it
  env.Join(org, carol);
  auto viewer = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  std::vector<std::unique_ptr<Client>> others;
  others.push_back(env.Connect(MemoryTestEnv::OwnerKey(bob)));
  others.push_back(env.Connect(MemoryTestEnv::AgentKey(carol, "claude")));
  others.push_back(env.Connect(MemoryTestEnv::AgentKey(alice, "cursor")));  // alice, another vendor

  for (int i = 0; i < 12; ++i) {
    ASSERT_FALSE(viewer->Call("write_memory", Memory(text(), text(), {rng() % 2 ? "wild" : "tame"})).is_error);
  }
  const auto before = Answers(*viewer);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> written;
    for (int i = 0; i < 15; ++i) {
      Client& writer = *others[rng() % others.size()];
      const bool alices = &writer == others[2].get();
      json::object m = Memory(text(), text(), {rng() % 2 ? "wild" : "tame"},
                              alices ? json::array{"cursor"} : json::array{"*"});
      if (!alices && rng() % 3 == 0) m["share_scope"] = "org";
      CallResult w = writer.Call("write_memory", m);
      ASSERT_FALSE(w.is_error) << w.error_message;
      written.push_back(w.id());
      if (rng() % 4 == 0) {
        ASSERT_FALSE(writer.Call("update_memory", {{"id", w.id()}, {"content", text()}}).is_error);
      }
      if (rng() % 5 == 0) {
        ASSERT_FALSE(writer.Call("delete_memory", {{"id", w.id()}}).is_error);
      }
    }
    const auto after = Answers(*viewer);
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i], after[i]) << "round " << round << ", search " << i;
  }
}

}  // namespace
}  // namespace rm::testing
