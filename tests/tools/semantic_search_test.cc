// Opt-in semantic search (issue 17 build 3), against a local server that speaks the
// OpenAI embeddings API with deterministic vectors: each text is a bag of concepts
// ("car", "automobile", "sedan" and "vehicle" are one concept), so a paraphrase
// sharing no word with a query is near it. What a user sees: hybrid search finds the
// paraphrase, pages stay whole, writes never wait for the provider, changed content
// is re-embedded, a provider that is down or slow leaves full-text search on time
// (with a warning), and `reflect-memory reindex` embeds what is stale.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "store/llm_keys.h"
#include "tests/cli/cli_runner.h"
#include "tests/tools/fake_provider.h"
#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"
#include "tools/hybrid_ranking.h"
#include "tools/vector_cache.h"

namespace rm::testing {
namespace {
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kMasterHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kProviderKey = "sk-embeddings-secret-7c1d";
constexpr std::string_view kModel = "bag-of-concepts";

// Concept index of a word; the last dimension is a small constant, so no vector is zero.
const std::map<std::string, int>& Concepts() {
  static const std::map<std::string, int> concepts = {
      {"car", 0},     {"automobile", 0}, {"sedan", 0},   {"vehicle", 0},  {"cars", 0},
      {"dog", 1},     {"puppy", 1},      {"canine", 1},  {"dogs", 1},
      {"bank", 2},    {"loan", 2},       {"mortgage", 2}, {"money", 2},
      {"rain", 3},    {"weather", 3},    {"forecast", 3}, {"umbrella", 3},
  };
  return concepts;
}
constexpr int kDims = 5;

json::array BagOfConcepts(const std::string& text) {
  double v[kDims] = {0, 0, 0, 0, 0.05};
  std::string word;
  auto flush = [&] {
    auto it = Concepts().find(word);
    if (it != Concepts().end()) v[it->second] += 1;
    word.clear();
  };
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  json::array out;
  for (double x : v) out.emplace_back(x);
  return out;
}

// The OpenAI embeddings answer for a request body.
std::string Embeddings(const std::string& body) {
  json::value request = json::parse(body);
  json::array data;
  std::int64_t i = 0;
  for (const json::value& input : request.at("input").as_array()) {
    data.push_back(json::object{{"object", "embedding"}, {"index", i++}, {"embedding", BagOfConcepts(std::string(input.as_string()))}});
  }
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}, {"model", kModel}});
}

std::size_t InputsSent(FakeProvider& provider) {
  std::size_t n = 0;
  for (const std::string& body : provider.bodies()) n += json::parse(body).at("input").as_array().size();
  return n;
}

std::vector<std::string> Titles(const CallResult& r) {
  std::vector<std::string> titles;
  for (const json::value& item : r.structured.at("results").as_array()) {
    titles.emplace_back(item.at("title").as_string());
  }
  return titles;
}

// Warnings logged while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(200)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string Text() const {
    std::string all;
    for (const std::string& line : sink_->last_formatted()) all += line;
    return all;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

class SemanticSearch : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
  }
  static tools::ServiceOptions Options() {
    tools::ServiceOptions options;
    options.embeddings.cipher = std::make_shared<const LlmKeyCipher>(LlmKeyCipher::FromMasterKey(kMasterHex).value());
    options.embeddings.query_timeout = std::chrono::milliseconds(300);
    options.embeddings.first_retry = std::chrono::milliseconds(200);
    return options;
  }

  // The key of a user (or, with `org`, of an org), with an embeddings model at `base_url`.
  void StoreKey(const std::string& base_url, const std::string& tenant_id, std::string_view model = kModel,
                bool org = false) {
    const LlmKeyCipher cipher = LlmKeyCipher::FromMasterKey(kMasterHex).value();
    ASSERT_TRUE(env_.db().Write([&](store::Connection& c) -> Status {
      store::LlmKeyRow row;
      if (org) row.org_id = tenant_id;
      else row.user_id = tenant_id;
      row.provider = "local";
      row.model = "tiny-chat";
      row.embedding_model = std::string(model);
      row.base_url = base_url;
      auto sealed = cipher.Encrypt(tenant_id, row.provider, kProviderKey);
      row.key_encrypted = sealed.ciphertext;
      row.key_nonce = sealed.nonce;
      row.key_last4 = "7c1d";
      return store::PutLlmKey(c, row).status();
    }).ok());
  }

  std::string Write(Client& client, const std::string& title, const std::string& content,
                    json::array vendors = {"*"}) {
    CallResult r = client.Call("write_memory", {{"title", title}, {"content", content}, {"allowed_vendors", vendors}});
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }

  void WriteCorpus() {
    Write(*owner_, "Bought a sedan", "The new vehicle is red and parked outside.");
    Write(*owner_, "Puppy training", "The dog learned to sit this week.");
    Write(*owner_, "Mortgage renewal", "The bank offered a lower loan rate.");
    Write(*owner_, "Weekend plans", "Forecast says rain, bring an umbrella.");
  }

  void Settle() { env_.service().embeddings()->WaitIdle(); }

  MemoryTestEnv env_{Options(), GetParam()};
  std::string alice_ = env_.AddUser("alice@example.com", "pro");
  std::unique_ptr<Client> owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
};

RM_ON_BOTH_ENGINES(SemanticSearch);

TEST_P(SemanticSearch, HybridFindsAParaphraseThatSharesNoWordWithTheQuery) {
  FakeProvider provider(Embeddings);
  WriteCorpus();
  // Full text alone: no memory holds "automobile".
  EXPECT_TRUE(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).empty());

  StoreKey(provider.base_url(), alice_);
  env_.service().embeddings()->Queue(alice_);  // a key set after the writes: reindex or the next write
  Settle();
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings"), 4);

  CallResult r = owner_->Call("search_memories", {{"term", "automobile"}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  std::vector<std::string> titles = Titles(r);
  ASSERT_FALSE(titles.empty());
  EXPECT_EQ(titles.front(), "Bought a sedan");
  const json::object& first = r.structured.at("results").as_array()[0].as_object();
  EXPECT_FALSE(first.at("snippet").as_string().empty());
  EXPECT_GT(first.at("score").to_number<double>(), 0);
  // ChatGPT's search is hybrid as well.
  CallResult chatgpt = owner_->Call("search", {{"query", "automobile"}});
  ASSERT_FALSE(chatgpt.is_error) << chatgpt.error_message;
  EXPECT_EQ(chatgpt.structured.at("results").as_array()[0].at("title").as_string(), "Bought a sedan");

  // A full-text match is still found, and first: both lists agree on it.
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "mortgage"}})).front(), "Mortgage renewal");
  // The key went in the Authorization header to /v1/embeddings; never in a body.
  for (const std::string& target : provider.targets()) EXPECT_EQ(target, "/v1/embeddings");
  for (const std::string& a : provider.authorizations()) EXPECT_EQ(a, "Bearer " + std::string(kProviderKey));
  for (const std::string& body : provider.bodies()) EXPECT_EQ(body.find(kProviderKey), std::string::npos);
}

TEST_P(SemanticSearch, HybridPagesHoldEveryResultOnceInTheOrderOfOneLongPage) {
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  for (int i = 0; i < 23; ++i) {
    Write(*owner_, "car note " + std::to_string(i), i % 2 ? "sedan maintenance" : "vehicle insurance");
    Write(*owner_, "dog note " + std::to_string(i), "puppy food");
  }
  Settle();
  CallResult whole = owner_->Call("search_memories", {{"term", "automobile car"}, {"limit", 50}});
  ASSERT_FALSE(whole.is_error) << whole.error_message;
  const std::vector<std::string> expected = Titles(whole);
  ASSERT_GE(expected.size(), 23u);

  std::vector<std::string> paged;
  json::object args{{"term", "automobile car"}, {"limit", 7}};
  for (int page = 0; page < 20; ++page) {
    CallResult r = owner_->Call("search_memories", args);
    ASSERT_FALSE(r.is_error) << r.error_message;
    for (const std::string& t : Titles(r)) paged.push_back(t);
    if (r.structured.at("next_cursor").is_null()) break;
    args["cursor"] = r.structured.at("next_cursor");
  }
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size());
}

TEST_P(SemanticSearch, AWriteDoesNotWaitForTheProviderAndTheVectorComesLater) {
  FakeProvider slow([](const std::string& body) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    return Embeddings(body);
  });
  StoreKey(slow.base_url(), alice_);
  const auto start = Clock::now();
  const std::string id = Write(*owner_, "Bought a sedan", "red vehicle");
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
  // Found by full text meanwhile.
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "sedan"}})).front(), "Bought a sedan");
  Settle();
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings WHERE memory_id = '" + id + "'"), 1);
}

TEST_P(SemanticSearch, ChangedContentIsReembeddedAndOtherChangesAreNot) {
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  const std::string id = Write(*owner_, "Note", "The puppy chewed a shoe.");
  Settle();
  EXPECT_EQ(InputsSent(provider), 1u);

  // Vendors change, the text does not: marked current, the provider is not asked.
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", id}, {"allowed_vendors", json::array{"cursor"}}}).is_error);
  Settle();
  EXPECT_EQ(InputsSent(provider), 1u);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings e JOIN memories m ON m.id = e.memory_id "
                       "WHERE e.memory_updated_at = m.updated_at"),
            1);

  // Content changes: re-embedded, and now found by meaning.
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", id}, {"content", "Washed the sedan."}}).is_error);
  Settle();
  EXPECT_EQ(InputsSent(provider), 2u);
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).front(), "Note");

  // A permanent delete takes the vector with it.
  ASSERT_FALSE(owner_->Call("delete_memory", {{"id", id}, {"permanent", true}}).is_error);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings"), 0);
}

// A memory shared with an org is embedded with its author's key, so an edit by another
// member re-embeds it too, and a member of the org finds it by meaning.
TEST_P(SemanticSearch, AnEditOfASharedMemoryByAnotherMemberIsReembedded) {
  FakeProvider provider(Embeddings);
  const std::string bob = env_.AddUser("bob@example.com", "pro");
  const std::string org = env_.CreateOrg("Acme", alice_);
  env_.Join(org, alice_);
  env_.Join(org, bob);
  StoreKey(provider.base_url(), alice_);
  StoreKey(provider.base_url(), bob);
  CallResult written = owner_->Call(
      "write_memory", {{"title", "Team note"}, {"content", "The puppy visits on Friday."}, {"share_scope", "org"}});
  ASSERT_FALSE(written.is_error) << written.error_message;
  Settle();
  std::unique_ptr<Client> bob_client = env_.Connect(MemoryTestEnv::OwnerKey(bob));
  ASSERT_FALSE(
      bob_client->Call("update_memory", {{"id", written.id()}, {"content", "The sedan is in the garage."}}).is_error);
  Settle();
  EXPECT_EQ(InputsSent(provider), 2u);  // the first text, then the edited one
  EXPECT_EQ(Titles(bob_client->Call("search_memories", {{"term", "automobile"}})).front(), "Team note");
}

TEST_P(SemanticSearch, AProviderThatIsDownLeavesFullTextOnTimeWithAWarning) {
  LogCapture log;
  std::uint16_t closed_port = 0;
  {
    FakeProvider gone([](const std::string&) { return std::string(); });
    closed_port = static_cast<std::uint16_t>(std::stoi(gone.base_url().substr(17)));
  }
  StoreKey("http://127.0.0.1:" + std::to_string(closed_port) + "/v1", alice_);
  WriteCorpus();
  const auto start = Clock::now();
  CallResult r = owner_->Call("search_memories", {{"term", "sedan"}});
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));
  ASSERT_FALSE(r.is_error) << r.error_message;
  EXPECT_EQ(Titles(r), std::vector<std::string>{"Bought a sedan"});
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings"), 0);
  const std::string logged = log.Text();
  EXPECT_NE(logged.find("semantic search"), std::string::npos) << logged;
  EXPECT_EQ(logged.find(kProviderKey), std::string::npos) << logged;
}

TEST_P(SemanticSearch, ASlowProviderCostsOneShortWaitThenIsSkipped) {
  LogCapture log;
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  WriteCorpus();
  Settle();
  FakeProvider slow([](const std::string& body) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return Embeddings(body);
  });
  StoreKey(slow.base_url(), alice_);  // same key, now at a slow server

  auto start = Clock::now();
  CallResult r = owner_->Call("search_memories", {{"term", "sedan"}});
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1000));  // the 300 ms deadline, not 1.5 s
  EXPECT_EQ(Titles(r), std::vector<std::string>{"Bought a sedan"});
  EXPECT_NE(log.Text().find("full text alone"), std::string::npos) << log.Text();

  // The breaker is open: the next search does not ask the provider at all.
  const std::size_t asked = slow.bodies().size();
  start = Clock::now();
  r = owner_->Call("search_memories", {{"term", "umbrella"}});
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(Titles(r), std::vector<std::string>{"Weekend plans"});
  EXPECT_EQ(slow.bodies().size(), asked);
}

// A process keeps the vectors it has read (tools/vector_cache.h). What it keeps never
// outlives the vector stored: a memory re-embedded since is scored by its new vector.
TEST_P(SemanticSearch, ASearchScoresTheVectorStoredNowNotTheOneItKept) {
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  const std::string car = Write(*owner_, "Bought a sedan", "The new vehicle is red.");
  const std::string dog = Write(*owner_, "Puppy training", "The dog learned to sit.");
  Write(*owner_, "Mortgage renewal", "The bank offered a lower loan rate.");
  Settle();
  ASSERT_EQ(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).front(), "Bought a sedan");

  // Now the car memory speaks of a dog and the puppy one of a sedan; no text says "automobile".
  ASSERT_FALSE(
      owner_->Call("update_memory", {{"id", car}, {"title", "Old note"}, {"content", "The dog is red."}}).is_error);
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", dog}, {"content", "The sedan learned to park."}}).is_error);
  Settle();
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).front(), "Puppy training");
}

// Nor decides who may see it: a memory hidden from a vendor since its vector was kept
// is not scored for that vendor (the store lists what each search may score).
TEST_P(SemanticSearch, AKeptVectorOfAMemoryHiddenSinceIsNotScoredForThatVendor) {
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  const std::string car = Write(*owner_, "Bought a sedan", "The new vehicle is red.");
  Write(*owner_, "Puppy training", "The dog learned to sit.");
  Settle();
  std::unique_ptr<Client> claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  ASSERT_EQ(Titles(claude->Call("search_memories", {{"term", "automobile"}})).front(), "Bought a sedan");

  ASSERT_FALSE(owner_->Call("update_memory", {{"id", car}, {"allowed_vendors", json::array{"cursor"}}}).is_error);
  Settle();
  CallResult r = claude->Call("search_memories", {{"term", "automobile"}});
  ASSERT_FALSE(r.is_error) << r.error_message;
  EXPECT_EQ(Titles(r), std::vector<std::string>{"Puppy training"});
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).front(), "Bought a sedan");
}

// The cache holds at most its bytes, and a search whose vectors do not all fit still
// gets every one of them (read from the store).
TEST_P(SemanticSearch, TheVectorCacheKeepsToItsBytesAndStillAnswersEverySearch) {
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  WriteCorpus();
  Settle();
  const store::Viewer viewer{alice_, std::nullopt, std::nullopt, std::nullopt};
  auto visible = [&](tools::VectorCache& cache) {
    std::map<std::string, std::vector<float>> vectors;
    EXPECT_TRUE(env_.db().Read([&](store::Connection& conn) -> Status {
      auto read = cache.Visible(conn, viewer, {}, kModel, INT64_MAX);
      if (!read.ok()) return read.status();
      for (const store::VisibleVector& v : *read) vectors[v.memory_id] = *v.vector;
      return Status::Ok();
    }).ok());
    return vectors;
  };
  tools::VectorCache roomy;
  const auto all = visible(roomy);
  ASSERT_EQ(all.size(), 4u);
  const std::size_t all_bytes = roomy.bytes_held();
  ASSERT_GT(all_bytes, 0u);
  EXPECT_EQ(visible(roomy), all);  // from the cache now
  EXPECT_EQ(roomy.bytes_held(), all_bytes);

  tools::VectorCache small(all_bytes / 2);
  EXPECT_EQ(visible(small), all);
  EXPECT_EQ(visible(small), all);
  EXPECT_GT(small.bytes_held(), 0u);
  EXPECT_LE(small.bytes_held(), all_bytes / 2);
}

// Another embeddings model: every vector is made again with it, and only vectors of the
// caller's model are compared with the query.
TEST_P(SemanticSearch, AChangedEmbeddingsModelReembedsEveryMemory) {
  FakeProvider provider(Embeddings);
  StoreKey(provider.base_url(), alice_);
  WriteCorpus();
  Settle();
  EXPECT_EQ(InputsSent(provider), 4u);
  StoreKey(provider.base_url(), alice_, "bag-of-concepts-v2");
  env_.service().embeddings()->Queue(alice_);  // as the next write or `reindex` would
  Settle();
  EXPECT_EQ(InputsSent(provider), 8u);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings WHERE model = 'bag-of-concepts-v2'"), 4);
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).front(), "Bought a sedan");
}

// An org's key serves its members who have none of their own.
TEST_P(SemanticSearch, AnOrgsKeyMakesItsMembersSearchHybrid) {
  FakeProvider provider(Embeddings);
  const std::string org = env_.CreateOrg("Acme", alice_);
  env_.Join(org, alice_);
  StoreKey(provider.base_url(), org, kModel, /*org=*/true);
  WriteCorpus();
  Settle();
  EXPECT_EQ(InputsSent(provider), 4u);
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "automobile"}})).front(), "Bought a sedan");
}

TEST_P(SemanticSearch, WithoutAnEmbeddingsModelSearchIsFullTextOnlyAndNothingIsEmbedded) {
  FakeProvider provider(Embeddings);
  WriteCorpus();
  Settle();
  EXPECT_TRUE(provider.bodies().empty());
  EXPECT_EQ(env_.Count("SELECT count(*) FROM memory_embeddings"), 0);
  EXPECT_EQ(Titles(owner_->Call("search_memories", {{"term", "sedan"}})), std::vector<std::string>{"Bought a sedan"});
}

TEST(HybridRanking, ReciprocalRankFusionRanksAgreementFirst) {
  const std::vector<tools::FusedRank> fused = tools::FuseByReciprocalRank({1, 2, 3}, {3, 4});
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0].rowid, 3);  // in both lists
  EXPECT_NEAR(fused[0].score, 1.0 / 63 + 1.0 / 61, 1e-12);
  EXPECT_EQ(fused[1].rowid, 1);
  EXPECT_EQ(fused[2].rowid, 4);  // rank 2 of vectors, a newer rowid than 2 (rank 2 of text)
  EXPECT_EQ(fused[3].rowid, 2);
  EXPECT_NEAR(tools::Cosine({1, 0}, {1, 0}), 1, 1e-12);
  EXPECT_EQ(tools::Cosine({1, 0}, {0, 0}), 0);
  EXPECT_EQ(tools::Cosine({1, 0}, {1, 0, 0}), 0);
}

// `reflect-memory reindex`: the real binary embeds every stale memory, with progress on stderr.
TEST(SemanticSearchCli, ReindexEmbedsStaleMemories) {
  FakeProvider provider(Embeddings);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("rm-reindex-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(Clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "memory.db").string();
  const std::string master = "RM_LLM_KEY_ENCRYPTION_KEY=" + std::string(kMasterHex);
  CliEnvironment env{dir.string(), db, {master}};
  ASSERT_EQ(RunCli({"user", "add", "a@example.com"}, env).exit_code, 0);
  CliEnvironment with_key = env;
  with_key.stdin_text = std::string(kProviderKey) + "\n";
  CliResult set = RunCli({"llm-key", "set", "--user", "a@example.com", "--provider", "local", "--model", "chat",
                          "--embedding-model", std::string(kModel), "--base-url", provider.base_url()},
                         with_key);
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("semantic search on"), std::string::npos) << set.out;
  CliResult list = RunCli({"llm-key", "list", "--json"}, env);
  EXPECT_NE(list.out.find("\"embedding_model\":\"bag-of-concepts\""), std::string::npos) << list.out;
  // Memories written without a server running: imported, so nothing embedded them.
  const std::string jsonl = (dir / "in.jsonl").string();
  {
    std::ofstream out(jsonl);
    for (int i = 0; i < 70; ++i) {
      out << json::serialize(json::object{{"title", "car " + std::to_string(i)},
                                          {"content", "sedan"},
                                          {"tags", json::array{}},
                                          {"created_at", "2026-01-01T00:00:00.000Z"},
                                          {"updated_at", "2026-01-01T00:00:00.000Z"}})
          << "\n";
    }
  }
  CliResult imported = RunCli({"import", "--user", "a@example.com", jsonl}, env);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  CliResult reindex = RunCli({"reindex", "--user", "a@example.com"}, env);
  ASSERT_EQ(reindex.exit_code, 0) << reindex.err;
  EXPECT_NE(reindex.err.find("64/70"), std::string::npos) << reindex.err;  // batches of at most 64
  EXPECT_NE(reindex.out.find("embedded 70 memories"), std::string::npos) << reindex.out;
  EXPECT_EQ(InputsSent(provider), 70u);
  // Nothing stale any more: a second run asks nothing.
  CliResult again = RunCli({"reindex", "--json"}, env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("\"embedded\":0"), std::string::npos) << again.out;
  EXPECT_EQ(InputsSent(provider), 70u);
  EXPECT_EQ((reindex.out + reindex.err + set.out + set.err + list.out).find(kProviderKey), std::string::npos);

  // A server started without the master key still starts and searches full text, and
  // says why semantic search is off.
  CliResult key = RunCli({"key", "create", "--user", "a@example.com", "--vendor", "cursor"}, env);
  ASSERT_EQ(key.exit_code, 0) << key.err;
  CliEnvironment no_master{dir.string(), db, {"REFLECT_API_KEY=" + key.LastLine()}};
  no_master.stdin_text =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},)"
      R"("clientInfo":{"name":"t","version":"1"}}})" "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_memories","arguments":{"term":"sedan"}}})" "\n";
  CliResult served = RunCli({"serve", "--stdio"}, no_master);
  EXPECT_NE(served.err.find("semantic search is off"), std::string::npos) << served.err;
  EXPECT_NE(served.err.find("RM_LLM_KEY_ENCRYPTION_KEY is not set"), std::string::npos) << served.err;
  EXPECT_NE(served.out.find("car 6"), std::string::npos) << served.out;  // found by full text
  EXPECT_EQ((served.out + served.err).find(kProviderKey), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rm::testing
