// search_memories: ranking, snippets, filters, the query language, pages.
#include <gtest/gtest.h>

#include <set>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

class SearchTest : public ::testing::Test {
 protected:
  explicit SearchTest(tools::ServiceOptions options = {}, store::Engine engine = store::Engine::kSqlite)
      : env_(options, engine), alice_(env_.AddUser("alice@example.com", "admin")) {
    c_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  }
  std::string Write(json::object args) {
    if (!args.contains("content")) args["content"] = "";
    CallResult r = c_->Call("write_memory", args);
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }
  CallResult Search(json::object args) {
    CallResult r = c_->Call("search_memories", args);
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r;
  }
  static std::vector<std::string> Titles(const CallResult& r) {
    std::vector<std::string> out;
    for (const auto& h : r.structured.at("results").as_array()) out.push_back(Str(h.at("title")));
    return out;
  }
  MemoryTestEnv env_;
  std::string alice_;
  std::unique_ptr<Client> c_;
};

// What search must do the same on both engines: weights, snippets, filters, visibility,
// pages. (Ranking details of SQLite's own engine — BM25 with coverage and proximity,
// the typed form above its stem, folded accents — are the tests below on SQLite only;
// docs/SCHEMA.md says how PostgreSQL differs.)
class EngineSearchTest : public SearchTest, public ::testing::WithParamInterface<store::Engine> {
 protected:
  EngineSearchTest() : SearchTest({}, GetParam()) {}
};
RM_ON_BOTH_ENGINES(EngineSearchTest);

TEST_P(EngineSearchTest, TitleHitOutranksTagHitOutranksContentHit) {
  Write({{"title", "notes"}, {"content", "we discussed the kubernetes upgrade at length"}});
  Write({{"title", "kubernetes upgrade"}, {"content", "see the runbook"}});
  Write({{"title", "misc"}, {"content", "nothing here"}, {"tags", {"kubernetes"}}});
  CallResult r = Search({{"term", "kubernetes"}});
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"kubernetes upgrade", "misc", "notes"}));
  const json::array& hits = r.structured.at("results").as_array();
  EXPECT_GT(hits[0].at("score").as_double(), hits[1].at("score").as_double());
  EXPECT_GT(hits[1].at("score").as_double(), hits[2].at("score").as_double());
  EXPECT_EQ(r.structured.at("match"), "all");
}

TEST_F(SearchTest, RarerWordsWeighMore) {
  for (int i = 0; i < 20; ++i) Write({{"title", "meeting " + std::to_string(i)}, {"content", "meeting notes"}});
  Write({{"title", "x"}, {"content", "meeting about the zanzibar budget"}});
  Write({{"title", "y"}, {"content", "meeting meeting meeting"}});
  CallResult r = Search({{"term", "meeting OR zanzibar"}});
  EXPECT_EQ(Titles(r).front(), "x");
}

TEST_P(EngineSearchTest, SnippetsHighlightTheMatchedWords) {
  std::string filler;
  for (int i = 0; i < 100; ++i) filler += "filler ";
  Write({{"title", "Trip"}, {"content", filler + "we flew to Lisbon in May and loved it " + filler}});
  CallResult r = Search({{"term", "lisbon"}});
  ASSERT_EQ(r.structured.at("results").as_array().size(), 1u);
  const std::string snippet = Str(r.structured.at("results").at(0).at("snippet"));
  EXPECT_NE(snippet.find("**Lisbon**"), std::string::npos) << snippet;
  EXPECT_LT(snippet.size(), 300u);  // a window, not the whole content
  EXPECT_FALSE(r.structured.at("results").at(0).as_object().contains("content"));
  // A title-only hit shows the title highlighted.
  Write({{"title", "Porto weekend"}, {"content", "nothing else"}});
  CallResult t = Search({{"term", "porto"}});
  EXPECT_EQ(Str(t.structured.at("results").at(0).at("snippet")), "**Porto** weekend");
}

TEST_F(SearchTest, QueryLanguage) {
  Write({{"title", "a"}, {"content", "the quick brown fox"}});
  Write({{"title", "b"}, {"content", "brown quick dogs"}});
  Write({{"title", "c"}, {"content", "migration of the database"}});
  Write({{"title", "d"}, {"content", "we migrated everything"}});
  auto titles = [&](const std::string& q) {
    std::vector<std::string> t = Titles(Search({{"term", q}}));
    std::sort(t.begin(), t.end());
    return t;
  };
  EXPECT_EQ(titles("quick brown"), (std::vector<std::string>{"a", "b"}));      // all words, any order
  EXPECT_EQ(titles("\"quick brown\""), (std::vector<std::string>{"a"}));       // phrase
  EXPECT_EQ(titles("migrat*"), (std::vector<std::string>{"c", "d"}));          // prefix
  EXPECT_EQ(titles("fox OR dogs"), (std::vector<std::string>{"a", "b"}));      // OR
  EXPECT_EQ(titles("QUICK Brown"), (std::vector<std::string>{"a", "b"}));      // case-insensitive
  EXPECT_EQ(titles("quick-brown"), (std::vector<std::string>{"a"}));           // hyphenated = phrase
}

TEST_P(EngineSearchTest, NoMemoryHasEveryWordSoAnyWordMatches) {
  Write({{"title", "alpha"}, {"content", "red"}});
  Write({{"title", "beta"}, {"content", "blue"}});
  CallResult r = Search({{"term", "red blue"}});
  EXPECT_EQ(r.structured.at("match"), "any");
  EXPECT_EQ(Titles(r).size(), 2u);
  EXPECT_EQ(Search({{"term", "red"}}).structured.at("match"), "all");
}

TEST_F(SearchTest, AQuestionMatchesOnItsTopicWordsNotItsQuestionWords) {
  // "Where is the … that Caroline attended?": only the topic words must match; a memory that
  // merely says "when", "did" and "the" is no answer.
  Write({{"title", "When did we ship?"}, {"content", "did it go to the printer when it was done"}});
  Write({{"title", "Support group"}, {"content", "Caroline attended an LGBTQ support group."}});
  CallResult r = Search({{"term", "When was the LGBTQ support group that Caroline attended?"}});
  EXPECT_EQ(r.structured.at("match"), "any");  // a question: any of its topic words
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"Support group"}));
  // Quoted, a stop word is searched; and a query of stop words alone is searched as typed.
  EXPECT_EQ(Titles(Search({{"term", "\"when\" printer"}})), (std::vector<std::string>{"When did we ship?"}));
  EXPECT_EQ(Titles(Search({{"term", "did when"}})), (std::vector<std::string>{"When did we ship?"}));
}

TEST_F(SearchTest, WordsMatchTheirOtherForms) {
  Write({{"title", "Weekly"}, {"content", "Caroline attended two support groups in May"}});
  Write({{"title", "Other"}, {"content", "a group of people"}});
  EXPECT_EQ(Titles(Search({{"term", "attending group"}})), (std::vector<std::string>{"Weekly"}));
  CallResult r = Search({{"term", "supporting"}});
  ASSERT_EQ(Titles(r), (std::vector<std::string>{"Weekly"}));
  const std::string snippet = Str(r.structured.at("results").at(0).at("snippet"));
  EXPECT_NE(snippet.find("**support**"), std::string::npos) << snippet;
  // Quoted phrases stem too, word by word, and keep their order.
  EXPECT_EQ(Titles(Search({{"term", "\"supported group\""}})), (std::vector<std::string>{"Weekly"}));
  EXPECT_TRUE(Titles(Search({{"term", "\"groups support\""}})).empty());
}

TEST_F(SearchTest, TheWordAsTypedRanksAboveItsOtherForms) {
  // Same length, same column: only the form differs. The exact one is older, so without the
  // bonus the tie would go to the newer memory.
  Write({{"title", "a"}, {"content", "we went running today"}});
  Write({{"title", "b"}, {"content", "we can run today"}});
  EXPECT_EQ(Titles(Search({{"term", "running"}})), (std::vector<std::string>{"a", "b"}));
  // The other way round: "run" is its own stem, so both forms weigh the same and the newer wins.
  EXPECT_EQ(Titles(Search({{"term", "run"}})), (std::vector<std::string>{"b", "a"}));
}

TEST_F(SearchTest, APossessiveIsSearchedAsTheName) {
  Write({{"title", "Pets"}, {"content", "Caroline adopted a dog last spring"}});
  Write({{"title", "Other pets"}, {"content", "Melanie walks her dog"}});
  CallResult r = Search({{"term", "Caroline's dog"}});
  EXPECT_EQ(r.structured.at("match"), "all");
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"Pets"}));
  EXPECT_EQ(Titles(Search({{"term", "Caroline\u2019s dog"}})), (std::vector<std::string>{"Pets"}));
}

TEST_P(EngineSearchTest, AQuestionOfStopWordsAndOneRareWordFindsIt) {
  for (int i = 0; i < 30; ++i) {
    Write({{"title", "note " + std::to_string(i)}, {"content", "what was it that they did when it was there"}});
  }
  Write({{"title", "Trip"}, {"content", "the ferry to Zanzibar left at noon"}});
  CallResult r = Search({{"term", "What was it that they did about the Zanzibar?"}});
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"Trip"}));
}

TEST_F(SearchTest, AQuestionRanksTheMemoryThatCoversMoreOfItFirst) {
  // Any word may match a question, so memories holding one of its words are found too; the
  // one holding more of them ranks first, even against one that repeats a single word.
  Write({{"title", "Groups"}, {"content", "group chat, group photo, group group group"}});
  Write({{"title", "Outing"}, {"content", "Caroline went to the support group on Friday"}});
  Write({{"title", "Support"}, {"content", "support ticket about billing"}});
  CallResult r = Search({{"term", "When did Caroline go to the support group?"}});
  EXPECT_EQ(r.structured.at("match"), "any");
  ASSERT_EQ(Titles(r).size(), 3u);
  EXPECT_EQ(Titles(r).front(), "Outing");
  // Two words are keywords: both must match.
  EXPECT_EQ(Titles(Search({{"term", "support group"}})), (std::vector<std::string>{"Outing"}));
}

TEST_F(SearchTest, WordsOfTheQuerySaidTogetherRankAboveTheSameWordsApart) {
  // The same words in both memories (BM25 alone ties them, and a tie goes to the newer);
  // the older one says "support group" as the query does.
  Write({{"title", "note one"}, {"content", "the support group met at the library after lunch"}});
  Write({{"title", "note two"}, {"content", "the group met at the library after support lunch"}});
  CallResult r = Search({{"term", "support group"}});
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"note one", "note two"}));
  const json::array& hits = r.structured.at("results").as_array();
  EXPECT_GT(hits[0].at("score").as_double(), hits[1].at("score").as_double());
  // Within three words counts as together, in either order; further apart does not.
  Write({{"title", "note three"}, {"content", "a group for support met at the library after lunch"}});
  EXPECT_EQ(Titles(Search({{"term", "support group"}})).back(), "note two");
}

TEST_F(SearchTest, AccentsAreFolded) {
  Write({{"title", "Café crème"}, {"content", ""}});
  EXPECT_EQ(Titles(Search({{"term", "cafe creme"}})), (std::vector<std::string>{"Café crème"}));
}

TEST_P(EngineSearchTest, EmptyTermListsNewestMatchingFilters) {
  Write({{"title", "one"}, {"tags", {"x"}}});
  Write({{"title", "two"}});
  Write({{"title", "three"}, {"tags", {"x"}}});
  EXPECT_EQ(Titles(Search({{"term", ""}})), (std::vector<std::string>{"three", "two", "one"}));
  EXPECT_EQ(Titles(Search({{"term", "  "}, {"tags", {"x"}}})), (std::vector<std::string>{"three", "one"}));
}

TEST_P(EngineSearchTest, EveryFilter) {
  std::string org = env_.CreateOrg("Acme", alice_);
  std::string team = env_.CreateTeam(org, "Eng");
  env_.Join(org, alice_, team);
  c_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  Write({{"title", "garden personal"}, {"tags", {"Home", "plants"}}, {"memory_type", "episodic"}});
  Write({{"title", "garden org"}, {"tags", {"work"}}, {"share_scope", "org"}});
  Write({{"title", "garden team"}, {"tags", {"work", "plants"}}, {"memory_type", "procedural"}, {"share_scope", "team"}});
  auto titles = [&](json::object args) {
    args["term"] = "garden";
    std::vector<std::string> t = Titles(Search(args));
    std::sort(t.begin(), t.end());
    return t;
  };
  EXPECT_EQ(titles({}).size(), 3u);
  EXPECT_EQ(titles({{"tags", {"home"}}}), (std::vector<std::string>{"garden personal"}));  // case-insensitive
  EXPECT_EQ(titles({{"tags", {"plants", "nothing"}}}), (std::vector<std::string>{"garden personal", "garden team"}));
  EXPECT_EQ(titles({{"memory_type", "procedural"}}), (std::vector<std::string>{"garden team"}));
  EXPECT_EQ(titles({{"memory_type", "semantic"}}), (std::vector<std::string>{"garden org"}));
  EXPECT_EQ(titles({{"scope", "personal"}}), (std::vector<std::string>{"garden personal"}));
  EXPECT_EQ(titles({{"scope", "org"}}), (std::vector<std::string>{"garden org"}));
  EXPECT_EQ(titles({{"scope", "team"}}), (std::vector<std::string>{"garden team"}));
  EXPECT_EQ(titles({{"scope", "all"}}).size(), 3u);

  // created_after / created_before, at millisecond precision.
  ASSERT_TRUE(env_.db().Write([](store::Connection& c) {
    RM_RETURN_IF_ERROR(c.Exec("UPDATE memories SET created_at = '2026-01-10T12:00:00.000Z' WHERE title = 'garden personal'"));
    RM_RETURN_IF_ERROR(c.Exec("UPDATE memories SET created_at = '2026-02-10T12:00:00.000Z' WHERE title = 'garden org'"));
    return c.Exec("UPDATE memories SET created_at = '2026-03-10T12:00:00.000Z' WHERE title = 'garden team'");
  }).ok());
  EXPECT_EQ(titles({{"created_after", "2026-02-01"}}), (std::vector<std::string>{"garden org", "garden team"}));
  EXPECT_EQ(titles({{"created_before", "2026-02-10T12:00:00Z"}}), (std::vector<std::string>{"garden personal"}));
  EXPECT_EQ(titles({{"created_after", "2026-02-10T12:00:00Z"}}), (std::vector<std::string>{"garden team"}));
  EXPECT_EQ(titles({{"created_after", "2026-01-01"}, {"created_before", "2026-03-01"}, {"tags", {"work"}}}),
            (std::vector<std::string>{"garden org"}));
  EXPECT_EQ(c_->Call("search_memories", {{"term", "x"}, {"created_after", "last week"}}).error_code, "validation_error");
  EXPECT_EQ(c_->Call("search_memories", {{"term", "x"}, {"memory_type", "other"}}).error_code, "validation_error");
  EXPECT_EQ(c_->Call("search_memories", {{"term", "x"}, {"scope", "world"}}).error_code, "validation_error");
}

TEST_P(EngineSearchTest, TrashedAndHiddenMemoriesAreNotFound) {
  std::string gone = Write({{"title", "orbit gone"}});
  Write({{"title", "orbit kept"}});
  Write({{"title", "orbit cursor only"}, {"allowed_vendors", {"cursor"}}});
  ASSERT_FALSE(c_->Call("delete_memory", {{"id", gone}}).is_error);
  EXPECT_EQ(Titles(Search({{"term", "orbit"}})).size(), 2u);
  auto claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  CallResult r = claude->Call("search_memories", {{"term", "orbit"}});
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"orbit kept"}));
}

// A rare word is looked up in every memory that holds it, whoever wrote it; only
// the caller's own (and shared) memories may come back, with the same scores.
TEST_P(EngineSearchTest, OtherUsersMemoriesWithTheWordAreNotFound) {
  const std::string bob = env_.AddUser("bob@example.com", "admin");
  auto bob_client = env_.Connect(MemoryTestEnv::OwnerKey(bob));
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(bob_client->Call("write_memory", {{"title", "quasar " + std::to_string(i)}, {"content", "quasar"}}).is_error);
  }
  Write({{"title", "mine"}, {"content", "a quasar seen from the garden"}});
  CallResult r = Search({{"term", "quasar"}});
  EXPECT_EQ(Titles(r), (std::vector<std::string>{"mine"}));
  CallResult prefix = Search({{"term", "quas*"}});
  EXPECT_EQ(Titles(prefix), (std::vector<std::string>{"mine"}));
  EXPECT_EQ(Str(prefix.structured.at("results").at(0).at("snippet")), "a **quasar** seen from the garden");
  // Bob sees his five, none of alice's.
  CallResult his = bob_client->Call("search_memories", {{"term", "quasar"}});
  EXPECT_EQ(his.structured.at("results").as_array().size(), 5u);
}

// The index's visibility tokens make search fast; the SQL check on the page's
// hits makes it correct. Here the index is made to disagree (its triggers dropped,
// then a memory restricted to owner keys behind its back): an agent still never
// gets that memory. 300 memories hold the word, so it is searched through the
// tokens (a rarer word would be checked in SQL for every candidate anyway).
TEST_F(SearchTest, TheSqlCheckDecidesWhatIsReturnedEvenWhenTheIndexDisagrees) {
  for (int i = 0; i < 300; ++i) Write({{"title", "nebula " + std::to_string(i)}});
  const std::string secret = Write({{"title", "nebula nebula nebula secret"}});
  ASSERT_TRUE(env_.db().Write([&](store::Connection& conn) -> Status {
    RM_RETURN_IF_ERROR(conn.Exec("DROP TRIGGER memories_fts_before_update"));
    RM_RETURN_IF_ERROR(conn.Exec("DROP TRIGGER memories_fts_after_update"));
    return conn.Exec("UPDATE memories SET allowed_vendors = '[]' WHERE id = '" + secret + "'");
  }).ok());
  auto claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  CallResult r = claude->Call("search_memories", {{"term", "nebula"}, {"limit", 50}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  const json::array& results = r.structured.at("results").as_array();
  EXPECT_EQ(results.size(), 50u);  // the page is filled from the next candidates
  for (const auto& hit : results) EXPECT_NE(Str(hit.at("id")), secret);
  // The owner key may see it, and it ranks first (the word three times in the title).
  EXPECT_EQ(Str(Search({{"term", "nebula"}}).structured.at("results").at(0).at("id")), secret);
}

// Pages of a search, following next_cursor: the ids in order.
std::vector<std::string> AllPages(Client& c, json::object args) {
  std::vector<std::string> ids;
  while (true) {
    CallResult r = c.Call("search_memories", args);
    EXPECT_FALSE(r.is_error) << r.error_message;
    if (r.is_error) return ids;
    for (const auto& h : r.structured.at("results").as_array()) ids.push_back(Str(h.at("id")));
    if (r.structured.at("next_cursor").is_null()) return ids;
    args["cursor"] = r.structured.at("next_cursor");
  }
}

TEST_P(EngineSearchTest, PagesHaveNoDuplicatesAndNoGaps) {
  std::set<std::string> expected;
  for (int i = 0; i < 57; ++i) {
    // Scores differ (repetitions) and also tie (same text), so both orders are exercised.
    expected.insert(Write({{"title", "n" + std::to_string(i)}, {"content", std::string("harvest ") + (i % 3 ? "harvest" : "")}}));
  }
  Write({{"title", "unrelated"}, {"content", "nothing"}});
  CallResult one_page = Search({{"term", "harvest"}, {"limit", 50}});
  std::vector<std::string> best;
  for (const auto& h : one_page.structured.at("results").as_array()) best.push_back(Str(h.at("id")));
  std::vector<std::string> paged = AllPages(*c_, {{"term", "harvest"}, {"limit", 7}});
  EXPECT_EQ(paged.size(), 57u);
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()), expected);
  // The pages together are the same ranking as one big page.
  EXPECT_EQ(std::vector<std::string>(paged.begin(), paged.begin() + 50), best);
  // A write between pages neither repeats nor skips anything.
  json::object args{{"term", "harvest"}, {"limit", 10}};
  CallResult first = Search(args);
  Write({{"title", "late"}, {"content", "harvest harvest harvest"}});
  args["cursor"] = first.structured.at("next_cursor");
  std::vector<std::string> rest = AllPages(*c_, args);
  std::set<std::string> seen;
  for (const auto& h : first.structured.at("results").as_array()) seen.insert(Str(h.at("id")));
  for (const auto& id : rest) EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(c_->Call("search_memories", {{"term", "harvest"}, {"cursor", "00"}}).error_code, "validation_error");
}

// Relevance, not recency, decides which matches are ranked: 100,000 newer memories hold
// a question's common words, one old memory holds its rare words too, and it ranks first
// (the newest K = 1,000 matches alone would not even hold it).
TEST_F(SearchTest, AnOldExactMatchBeatsManyNewPartialOnesAt100000Memories) {
  const std::string old = Write({{"title", "Caroline at the support group"},
                                 {"content", "Caroline went to the LGBTQ support group on 7 May 2023"}});
  // Written in one transaction (through write_memory this would take minutes).
  ASSERT_TRUE(env_.db()
                  .Write([&](store::Connection& c) -> Status {
                    store::Statement& s = c.Prepare(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
                        "INSERT INTO memories(id, user_id, title, content, origin, created_at, updated_at) "
                        "SELECT printf('bulk-%06d', i), ?1, 'group notes ' || i, "
                        "'the support group met again, meeting ' || i, 'api', "
                        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n");
                    s.Bind(1, alice_);
                    Result<bool> row = s.Step();
                    s.Reset();
                    return row.status();
                  })
                  .ok());
  ASSERT_EQ(env_.Count("SELECT count(*) FROM memories"), 100001);
  CallResult r = Search({{"term", "When did Caroline go to the LGBTQ support group?"}, {"limit", 3}});
  ASSERT_FALSE(r.structured.at("results").as_array().empty());
  EXPECT_EQ(Str(r.structured.at("results").at(0).at("id")), old);
  EXPECT_EQ(Str(r.structured.at("match")), "any");
  // A page after the first continues the same ranking (the cursor keeps the rare words).
  CallResult next = Search({{"term", "When did Caroline go to the LGBTQ support group?"},
                            {"limit", 3},
                            {"cursor", r.structured.at("next_cursor")}});
  for (const auto& hit : next.structured.at("results").as_array()) EXPECT_NE(Str(hit.at("id")), old);
  EXPECT_EQ(next.structured.at("results").as_array().size(), 3u);
}

// With a tiny candidate window, ranking covers the newest K matches, and pages
// cover exactly those — on both engines.
class SmallWindowSearchTest : public SearchTest, public ::testing::WithParamInterface<store::Engine> {
 protected:
  static tools::ServiceOptions Options() {
    tools::ServiceOptions o;
    o.search_candidate_limit = 10;
    return o;
  }
  SmallWindowSearchTest() : SearchTest(Options(), GetParam()) {}
};
RM_ON_BOTH_ENGINES(SmallWindowSearchTest);

TEST_P(SmallWindowSearchTest, RanksTheNewestKMatches) {
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(Write({{"title", "w" + std::to_string(i)}, {"content", "common word"}}));
  // A strong title hit among the OLD ones is outside the window...
  ASSERT_FALSE(c_->Call("update_memory", {{"id", ids[0]}, {"title", "common common"}}).is_error);
  std::vector<std::string> paged = AllPages(*c_, {{"term", "common"}, {"limit", 3}});
  EXPECT_EQ(paged.size(), 10u);
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()), std::set<std::string>(ids.end() - 10, ids.end()));
  // ...but a filter that narrows the matches to fewer than K ranks them all.
  ASSERT_FALSE(c_->Call("update_memory", {{"id", ids[0]}, {"tags", {"pin"}}}).is_error);
  ASSERT_FALSE(c_->Call("update_memory", {{"id", ids[29]}, {"tags", {"pin"}}}).is_error);
  CallResult pinned = Search({{"term", "common"}, {"tags", {"pin"}}});
  EXPECT_EQ(Titles(pinned), (std::vector<std::string>{"common common", "w29"}));
  // A rare word is searched in every memory, old ones included.
  EXPECT_EQ(Titles(Search({{"term", "w0"}})).size(), 0u);  // renamed
  EXPECT_EQ(Titles(Search({{"term", "w1"}})), (std::vector<std::string>{"w1"}));
  // Among more than K matches, an old one holding a rare word of the question is ranked
  // (and first) though it is not among the newest K.
  CallResult question = Search({{"term", "w1 common word?"}});
  EXPECT_EQ(Str(question.structured.at("match")), "any");
  ASSERT_FALSE(Titles(question).empty());
  EXPECT_EQ(Titles(question).front(), "w1");
}

// Where the newest K matches start is first guessed from how densely the first walk
// found the oldest matches packed into the caller's memories. Both ways a guess can
// miss still give exactly the newest K.
TEST_P(SmallWindowSearchTest, TheNewestKAreFoundWhenTheGuessFallsShortOrReachesTooDeep) {
  // Falls short: the oldest memories all hold "alpha beta", but near the top "alpha"
  // and "beta" are each in every other memory and never together, so the guessed
  // depth holds no match at all; the only memories with both are older.
  std::vector<std::string> both;
  for (int i = 0; i < 300; ++i) both.push_back(Write({{"title", "old " + std::to_string(i)}, {"content", "alpha beta"}}));
  for (int i = 0; i < 300; ++i) Write({{"title", "new " + std::to_string(i)}, {"content", i % 2 ? "alpha" : "beta"}});
  std::vector<std::string> paged = AllPages(*c_, {{"term", "alpha beta"}, {"limit", 4}});
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()), std::set<std::string>(both.end() - 10, both.end()));
  EXPECT_EQ(paged.size(), 10u);

  // Reaches too deep: "gamma delta" is in one memory of three here, but the first walk
  // also spans the 600 older memories where it is not, so the guess reaches back past
  // 4 K matches.
  std::vector<std::string> together;
  for (int i = 0; i < 900; ++i) {
    if (i % 3 == 0) together.push_back(Write({{"title", "g" + std::to_string(i)}, {"content", "gamma delta"}}));
    else Write({{"title", "f" + std::to_string(i)}, {"content", "filler"}});
  }
  paged = AllPages(*c_, {{"term", "gamma delta"}, {"limit", 4}});
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()),
            std::set<std::string>(together.end() - 10, together.end()));
  EXPECT_EQ(paged.size(), 10u);
}

}  // namespace
}  // namespace rm::testing
