// Any text is a valid query: a table of hostile strings never makes FTS5 fail.
#include <gtest/gtest.h>

#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

const std::vector<std::string> kHostileQueries = {
    "",
    " ",
    "\"",
    "\"\"",
    "\"unterminated phrase",
    "a\"b\"c",
    "*",
    "**",
    "abc*",
    "*abc",
    "-",
    "-secret",
    "--",
    ":",
    "title:secret",
    "vis:xtrash",
    "{title}: x",
    "{title content} : (x)",
    "(",
    ")",
    "(a OR b",
    "a) OR (b",
    "AND",
    "OR",
    "NOT",
    "a AND",
    "OR a",
    "a OR OR b",
    "NOT secret",
    "a NOT b",
    "NEAR(a b, 3)",
    "NEAR",
    "^start",
    "a + b",
    "'; DROP TABLE memories; --",
    "%_%",
    "\\",
    "C++",
    "x'41'",
    "🙂 emoji",
    "日本語のテキスト",
    "café",
    "\t\n",
    "a\x01b",
    "rowid = 1",
    "memories_fts",
    "a OR",
    "\"a\" * \"b\"",
    std::string(1000, 'a'),
    std::string(500, '"'),
};

TEST(HostileQueries, NeverFailAndNeverLeak) {
  MemoryTestEnv env;
  std::string alice = env.AddUser("alice@example.com", "pro");
  std::string bob = env.AddUser("bob@example.com", "pro");
  auto a = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto b = env.Connect(MemoryTestEnv::AgentKey(bob, "claude"));
  ASSERT_FALSE(a->Call("write_memory", {{"title", "secret start"}, {"content", "a b C++ café NOT AND OR x title"}}).is_error);
  ASSERT_FALSE(b->Call("write_memory", {{"title", "bob's note"}, {"content", "a b c"}}).is_error);
  EXPECT_GE(kHostileQueries.size(), 30u);
  for (const std::string& q : kHostileQueries) {
    for (Client* c : {a.get(), b.get()}) {
      CallResult r = c->Call("search_memories", {{"term", q}});
      ASSERT_FALSE(r.is_error) << "query [" << q << "]: " << r.error_message;
      for (const auto& hit : r.structured.at("results").as_array()) {
        // Each user finds only their own memory, whatever the query.
        EXPECT_EQ(Str(hit.at("author_id")), c == a.get() ? alice : bob) << "query [" << q << "]";
      }
      CallResult s = c->Call("search", {{"query", q}});
      EXPECT_FALSE(s.is_error) << "query [" << q << "]: " << s.error_message;
    }
  }
  // Operators that are text: NOT, AND and OR-looking words are searched as words.
  CallResult r = a->Call("search_memories", {{"term", "NOT"}});
  EXPECT_EQ(r.structured.at("results").as_array().size(), 1u);
  r = a->Call("search_memories", {{"term", "vis:xtrash"}});  // the hidden column is not searchable
  EXPECT_EQ(r.structured.at("results").as_array().size(), 0u);
}

// A pasted paragraph is a query, not an error: its first 32 words are searched.
TEST(HostileQueries, WordsAfterTheThirtySecondAreIgnored) {
  MemoryTestEnv env;
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto a = env.Connect(MemoryTestEnv::OwnerKey(alice));
  const std::string early = a->Call("write_memory", {{"title", "w0 notes"}, {"content", "c"}}).id();
  a->Call("write_memory", {{"title", "w35 notes"}, {"content", "c"}});
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  CallResult r = a->Call("search_memories", {{"term", many}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  const json::array& results = r.structured.at("results").as_array();
  ASSERT_EQ(results.size(), 1u);  // w0 is among the first 32 words, w35 is not
  EXPECT_EQ(Str(results[0].at("id")), early);
  // The schema's limit on the text itself still holds, and names the field.
  CallResult too_long = a->Call("search_memories", {{"term", std::string(1001, 'a')}});
  EXPECT_EQ(too_long.error_code, "validation_error");
  EXPECT_NE(too_long.error_message.find("term"), std::string::npos);
}

}  // namespace
}  // namespace rm::testing
