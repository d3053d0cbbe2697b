// Snippets made in C++ (store/search_snippet.h): what the user sees with each hit,
// and that it is exactly what FTS5's snippet() gives for the same row and query.
#include "store/search_snippet.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "store/search_query.h"

namespace rm::store {
namespace {

std::string Snippet(const std::string& query, const std::string& title, const std::string& content,
                    const std::string& tags = "[]", MatchMode mode = MatchMode::kAll) {
  Result<SearchTerms> terms = BuildSearchTerms(query, mode);
  EXPECT_TRUE(terms.ok());
  Result<std::string> snippet = MakeSnippet(*terms, {title, content, tags});
  EXPECT_TRUE(snippet.ok()) << snippet.status().ToString();
  return snippet.ok() ? *snippet : "";
}

// True when `s` is well-formed UTF-8 (no sequence cut short).
bool ValidUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(SearchSnippet, BoldsEveryMatchedWordInTheContent) {
  EXPECT_EQ(Snippet("porto", "Trip", "Porto weekend, then porto again."),
            "**Porto** weekend, then **porto** again.");
  EXPECT_EQ(Snippet("weekend porto", "Trip", "Porto weekend"), "**Porto** **weekend**");
}

TEST(SearchSnippet, APrefixBoldsTheWholeWord) {
  EXPECT_EQ(Snippet("migrat*", "t", "We migrated the migration."), "We **migrated** the **migration**.");
}

TEST(SearchSnippet, APhraseIsBoldedAsOneSpan) {
  EXPECT_EQ(Snippet("\"quick fox\"", "t", "a quick fox, not a quick dog"), "a **quick fox**, not a quick dog");
  EXPECT_EQ(Snippet("\"quick fo\"*", "t", "the quick foxes"), "the **quick foxes**");
}

TEST(SearchSnippet, FoldsCaseAndDiacriticsAsTheIndexDoes) {
  EXPECT_EQ(Snippet("cafe", "t", "Le Café est ouvert"), "Le **Café** est ouvert");
}

TEST(SearchSnippet, UsesTheTitleOrTagsWhenTheContentHasNoMatch) {
  EXPECT_EQ(Snippet("lisbon", "Lisbon trip", "flights and hotels"), "**Lisbon** trip");
  EXPECT_EQ(Snippet("travel", "Trip", "flights", "[\"travel\",\"work\"]"), "[\"**travel**\",\"work\"]");
  // The content wins whenever it holds a match, even if the title does too.
  EXPECT_EQ(Snippet("lisbon", "Lisbon", "back from lisbon"), "back from **lisbon**");
}

TEST(SearchSnippet, CutsALongTextToAWindowWithEllipses) {
  std::string content;
  for (int i = 0; i < 60; ++i) content += "word" + std::to_string(i) + " ";
  content += "needle";
  for (int i = 60; i < 120; ++i) content += " word" + std::to_string(i);
  const std::string snippet = Snippet("needle", "t", content);
  EXPECT_EQ(snippet.rfind("…", 0), 0u) << snippet;  // starts with an ellipsis
  EXPECT_NE(snippet.find("**needle**"), std::string::npos) << snippet;
  EXPECT_EQ(snippet.substr(snippet.size() - std::string("…").size()), "…") << snippet;
  int words = 1;
  for (char c : snippet) words += c == ' ';
  EXPECT_EQ(words, 24) << snippet;  // about 24 tokens
}

TEST(SearchSnippet, NeverCutsInsideAUtf8Sequence) {
  std::string content;
  for (int i = 0; i < 80; ++i) content += (i % 3 == 0 ? "日本語 " : i % 3 == 1 ? "Ünïcödé— " : "naïve… ");
  content += "target ";
  for (int i = 0; i < 80; ++i) content += "€uro ";
  const std::string snippet = Snippet("target", "t", content);
  EXPECT_NE(snippet.find("**target**"), std::string::npos) << snippet;
  EXPECT_TRUE(ValidUtf8(snippet)) << snippet;
}

TEST(SearchSnippet, EmptyOrBlankContentGivesItsText) {
  EXPECT_EQ(Snippet("title", "a title", ""), "a **title**");
  EXPECT_EQ(Snippet("nothing", "a title", "   "), "   ");  // no match anywhere: the content as is
  EXPECT_EQ(Snippet("nothing", "", ""), "");
}

// ------------------------------------------------------------------ against FTS5

// The same rows in a plain FTS5 table with the index's tokenizer; FTS5's own
// snippet(), on the column the search would choose, is the expected text.
class AgainstFts5 : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Exec("CREATE VIRTUAL TABLE t USING fts5(title, content, tags, "
         "tokenize = 'porter unicode61 remove_diacritics 2')");
  }
  void TearDown() override { sqlite3_close(db_); }

  void Exec(const char* sql) { ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql; }

  void Insert(const std::string& title, const std::string& content, const std::string& tags) {
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "INSERT INTO t(title, content, tags) VALUES (?, ?, ?)", -1, &s, nullptr), SQLITE_OK);
    sqlite3_bind_text(s, 1, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, content.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, tags.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
  }

  // Compares every matching row's snippet for `query`; returns how many rows matched.
  int Compare(const std::string& query, MatchMode mode) {
    Result<SearchTerms> terms = BuildSearchTerms(query, mode);
    EXPECT_TRUE(terms.ok());
    if (!terms.ok() || terms->expression.empty()) return 0;
    const char* sql =
        "SELECT title, content, tags, "
        "instr(highlight(t, 0, char(1), char(2)), char(1)) > 0, "
        "instr(highlight(t, 1, char(1), char(2)), char(1)) > 0, "
        "snippet(t, 0, '**', '**', '…', 24), snippet(t, 1, '**', '**', '…', 24), "
        "snippet(t, 2, '**', '**', '…', 24) "
        "FROM t WHERE t MATCH ?";
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql, -1, &s, nullptr), SQLITE_OK);
    sqlite3_bind_text(s, 1, terms->expression.c_str(), -1, SQLITE_TRANSIENT);
    int rows = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
      auto text = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i))); };
      const bool in_title = sqlite3_column_int(s, 3) != 0, in_content = sqlite3_column_int(s, 4) != 0;
      const std::string tags = text(2);
      // The content if it has a match; else the title if it has one; else the tags
      // if they have one (their snippet is bolded); else the content.
      std::string expected = in_content ? text(6) : in_title ? text(5) : text(7);
      if (!in_content && !in_title && expected.find("**") == std::string::npos) expected = text(6);
      Result<std::string> got = MakeSnippet(*terms, {text(0), text(1), tags});
      EXPECT_TRUE(got.ok());
      EXPECT_EQ(got.ok() ? *got : "", expected) << "query: " << query << "\nrow: " << text(0) << " | " << text(1) << " | " << tags;
      ++rows;
    }
    sqlite3_finalize(s);
    return rows;
  }

  sqlite3* db_ = nullptr;
};

TEST_F(AgainstFts5, SnippetsAreFts5sForManyRowsAndQueries) {
  const std::vector<std::string> words = {
      "alpha", "beta", "gamma", "delta", "café", "Cafe", "naïve", "日本語", "über", "quick", "fox",
      "the", "a", "migrate", "migration", "zeta", "x", "Ünïcödé", "emoji😀", "end"};
  const std::vector<std::string> glue = {" ", " ", " ", ". ", ": ", ", ", " — ", "\n", "  ", ".\t"};
  std::mt19937_64 random(42);
  auto pick = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
  for (int row = 0; row < 300; ++row) {
    std::string title, content, tags = "[";
    const int title_words = 1 + static_cast<int>(random() % 5);
    for (int i = 0; i < title_words; ++i) title += (i ? " " : "") + pick(words);
    const int content_words = static_cast<int>(random() % 90);
    if (random() % 4 == 0) content += pick(glue);  // text before the first token
    for (int i = 0; i < content_words; ++i) content += pick(words) + pick(glue);
    const int tag_count = static_cast<int>(random() % 3);
    for (int i = 0; i < tag_count; ++i) tags += (i ? ",\"" : "\"") + pick(words) + "\"";
    tags += "]";
    Insert(title, content, tags);
  }
  const std::vector<std::string> queries = {
      "alpha", "cafe", "caf*", "alpha beta", "\"quick fox\"", "\"the qu\"*", "alpha OR zeta",
      "naive uber", "日本語", "migrat*", "x", "end alpha gamma", "\"fox the\" OR delta beta",
      "zeta OR \"alpha alpha\"", "a", "unicode", "emoji*", "beta gamma delta café"};
  int compared = 0;
  for (const std::string& q : queries) {
    compared += Compare(q, MatchMode::kAll);
    compared += Compare(q, MatchMode::kAny);
  }
  EXPECT_GT(compared, 1000);  // the comparison covered many rows
}

}  // namespace
}  // namespace rm::store
