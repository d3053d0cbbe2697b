// The vendor-leak property test: thousands of random operations by several
// users, orgs, teams and vendor keys; then EVERY read path, for every principal,
// is compared with a small model of who may see what (written here from SPEC §3,
// independently of the SQL), computed over the rows actually stored.
// Zero leaks and nothing visible missing. Each write's outcome is also checked
// against the model (hidden → not_found, not allowed → permission_denied, ...).
//
// With semantic search on (issue 17), every user has an embeddings key at a local
// provider whose vectors are bags of the test's words, so a hidden memory holding
// the searched word is the nearest vector there is: the vector path must never hand
// it (its id, title, snippet, or a cursor leading to it) to a caller who may not see it.
//
// Runs once with a fixed seed and once with a random one; the seed is printed
// with every failure, with the command that re-runs it: RM_PROPERTY_SEED=<seed>
// replaces the random seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "store/llm_keys.h"
#include "tests/tools/fake_provider.h"
#include "tests/tools/memory_test_env.h"
#include "tools/hybrid_ranking.h"
#include "tools/memory_json.h"
#include "util/llm_key_cipher.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

constexpr int kOperations = 5000;
const std::vector<std::string> kVendors = {"claude", "cursor", "chatgpt"};
const std::vector<std::string> kWords = {
    "apple", "river", "stone", "cloud", "maple", "ember", "quartz", "delta", "falcon", "harbor", "island",
    "jasmine", "kettle", "lantern", "meadow", "nickel", "orchid", "pepper", "quiver", "saddle", "timber",
    "velvet", "willow", "zephyr"};
constexpr int kSearchedWords = 8;  // per check, chosen by the seed
constexpr std::size_t kChatGptSearchResults = 10;  // what ChatGPT's search returns at most
const std::vector<std::string> kTags = {"red", "green", "blue", "work"};
const std::vector<json::array> kAllowed = {
    {"*"}, {"*"}, {"claude"}, {"cursor", "chatgpt"}, json::array{}, {"claude", "*"}, {"chatgpt"}};

// ---------------------------------------------------------------- semantic search

constexpr std::string_view kMasterHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// One dimension per word of kWords, and a constant one (no vector is zero).
std::string WordVectors(const std::string& body) {
  json::array data;
  std::int64_t i = 0;
  const json::value request = json::parse(body);
  for (const json::value& input : request.at("input").as_array()) {
    std::vector<double> v(kWords.size() + 1, 0.0);
    v.back() = 0.1;
    const std::string text(input.as_string());
    for (std::size_t w = 0; w < kWords.size(); ++w) {
      if (text.find(kWords[w]) != std::string::npos) v[w] = 1;
    }
    data.push_back(json::object{{"index", i++}, {"embedding", json::value_from(v)}});
  }
  return json::serialize(json::object{{"data", std::move(data)}});
}

tools::ServiceOptions WorldOptions(bool semantic) {
  tools::ServiceOptions options;
  if (semantic) {
    options.embeddings.cipher =
        std::make_shared<const LlmKeyCipher>(LlmKeyCipher::FromMasterKey(kMasterHex).value());
    options.embeddings.query_timeout = std::chrono::milliseconds(5000);  // the check needs every search hybrid
  }
  return options;
}

// ---------------------------------------------------------------- the model

struct Row {  // a memories row as stored
  std::string id, user, title, content, origin, created_at;
  std::vector<std::string> tags, allowed;
  std::optional<std::string> deleted_at, org, team, parent;
};

struct Member {  // a user's memberships now
  std::optional<std::string> org, team;
};

struct Viewer {
  std::string user;
  Member member;
  std::optional<std::string> vendor;
  std::string label;  // for messages
};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool InPools(const Row& r, const Viewer& v) {
  return r.user == v.user || (r.org && r.org == v.member.org) || (r.team && r.team == v.member.team);
}
bool VendorAllows(const Row& r, const Viewer& v) {
  return !v.vendor || Contains(r.allowed, "*") || Contains(r.allowed, *v.vendor);
}
bool Visible(const Row& r, const Viewer& v) { return InPools(r, v) && VendorAllows(r, v); }
bool VisibleLive(const Row& r, const Viewer& v) { return Visible(r, v) && !r.deleted_at; }

std::vector<std::string> Tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  return out;
}

bool MentionsWord(const Row& r, const std::string& word) {
  std::string all = r.title + " " + r.content;
  for (const auto& t : r.tags) all += " " + t;
  return Contains(Tokens(all), word);
}

// ---------------------------------------------------------------- the world

class World {
 public:
  // `two_servers` (PostgreSQL): a second server on the same database, and every call goes to
  // one of the two at random, as a load balancer would send it.
  World(unsigned seed, bool semantic, store::Engine engine = store::Engine::kSqlite, bool two_servers = false)
      : provider_(semantic ? std::make_unique<FakeProvider>(WordVectors) : nullptr),
        env_(WorldOptions(semantic), engine),
        rng_(seed) {
    if (two_servers) twin_ = env_.SecondServer(WorldOptions(semantic));
    for (int i = 0; i < 6; ++i) users_.push_back(env_.AddUser("u" + std::to_string(i) + "@example.com", "admin"));
    if (provider_) {
      for (const std::string& u : users_) StoreEmbeddingKey(u);
    }
    org1_ = env_.CreateOrg("One", users_[0]);
    org2_ = env_.CreateOrg("Two", users_[3]);
    team1a_ = env_.CreateTeam(org1_, "A");
    team1b_ = env_.CreateTeam(org1_, "B");
    team2_ = env_.CreateTeam(org2_, "C");
    env_.Join(org1_, users_[0], team1a_);
    env_.Join(org1_, users_[1], team1a_);
    env_.Join(org1_, users_[2], team1b_);
    env_.Join(org2_, users_[3], team2_);
    env_.Join(org2_, users_[4]);
    // users_[5] belongs to no org.
    for (const std::string& u : users_) {
      clients_[{u, ""}] = env_.Connect(MemoryTestEnv::OwnerKey(u));
      for (const std::string& v : kVendors) clients_[{u, v}] = env_.Connect(MemoryTestEnv::AgentKey(u, v));
      if (!twin_) continue;
      twin_clients_[{u, ""}] = twin_->Connect(MemoryTestEnv::OwnerKey(u));
      for (const std::string& v : kVendors) twin_clients_[{u, v}] = twin_->Connect(MemoryTestEnv::AgentKey(u, v));
    }
  }

  const std::string& unavailable() const { return env_.unavailable(); }

  void RunOperations(int count) {
    for (int i = 0; i < count; ++i) {
      const int op = Pick(100);
      if (op < 30) Write();
      else if (op < 40) WriteChild();
      else if (op < 55) Update();
      else if (op < 67) Delete();
      else if (op < 75) Restore();
      else if (op < 87) Share();
      else if (op < 95) Unshare();
      else ChangeMembership();
      if (HasFatalFailure()) return;
    }
  }

  // Every read path for every principal: lists, searches, resources, briefing,
  // instructions, and every path that takes a memory id, for every id ever written.
  void CheckEveryReadPath();

  // A hybrid search of `word` through every page (small pages: many cursors) and
  // ChatGPT's search: every result is a live memory the caller may see, its title and
  // snippet that memory's own; every visible full-text match is there while the
  // full-text list holds them all (its depth is tools::kListDepth).
  void CheckHybridSearch(Client& c, const std::string& word, const std::map<std::string, Row>& rows,
                         const std::set<std::string>& live, const std::set<std::string>& expected);

  // Hybrid results that only the vector path can have found (no full-text match).
  std::size_t by_meaning_only() const { return by_meaning_only_; }

  // Semantic search: every vector computed, and some searches were hybrid.
  void WaitForVectors() {
    if (!provider_) return;
    env_.service().embeddings()->WaitIdle();
    EXPECT_GT(env_.Count("SELECT count(*) FROM memory_embeddings"), 0);
  }

 private:
  static bool HasFatalFailure() { return ::testing::Test::HasFatalFailure(); }
  void StoreEmbeddingKey(const std::string& user_id) {
    const LlmKeyCipher cipher = LlmKeyCipher::FromMasterKey(kMasterHex).value();
    ASSERT_TRUE(env_.db().Write([&](store::Connection& c) -> Status {
      store::LlmKeyRow row;
      row.user_id = user_id;
      row.provider = "local";
      row.model = "chat";
      row.embedding_model = "bag-of-words";
      row.base_url = provider_->base_url();
      auto sealed = cipher.Encrypt(user_id, row.provider, "sk-leak-test");
      row.key_encrypted = sealed.ciphertext;
      row.key_nonce = sealed.nonce;
      row.key_last4 = "test";
      return store::PutLlmKey(c, row).status();
    }).ok());
  }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <typename T>
  const T& PickOf(const std::vector<T>& v) { return v[static_cast<std::size_t>(Pick(static_cast<int>(v.size())))]; }

  // A random caller: a user with an owner key or one of the agent keys.
  std::pair<std::string, std::string> Caller() {
    const std::string& user = PickOf(users_);
    const int v = Pick(4);
    return {user, v == 3 ? "" : kVendors[static_cast<std::size_t>(v)]};
  }
  Client& ClientOf(const std::pair<std::string, std::string>& who) {
    if (twin_ && Pick(2) == 1) return *twin_clients_.at(who);
    return *clients_.at(who);
  }

  // Any id ever written (also ones since deleted), or one that never existed.
  std::string SomeId() {
    if (ids_.empty() || Pick(20) == 0) return "no-such-memory";
    return PickOf(ids_);
  }

  std::map<std::string, Row> Rows(const std::optional<std::string>& only_id = std::nullopt);
  std::map<std::string, Member> Members();
  Viewer ViewerOf(const std::pair<std::string, std::string>& who) {
    Member m = Members().at(who.first);
    return {who.first, m, who.second.empty() ? std::nullopt : std::optional<std::string>(who.second),
            who.first + "/" + (who.second.empty() ? "owner" : who.second)};
  }

  std::string Text(int words) {
    std::string s;
    for (int i = 0; i < words; ++i) s += (i ? " " : "") + PickOf(kWords);
    return s;
  }
  json::array SomeTags() {
    json::array tags;
    for (const auto& t : kTags) if (Pick(3) == 0) tags.emplace_back(t);
    return tags;
  }

  // The stored row of `id` and of its parent, if they exist.
  struct Target {
    std::optional<Row> row;
    std::optional<Row> parent;
  };
  Target Find(const std::string& id) {
    Target t;
    auto rows = Rows(id);
    if (auto it = rows.find(id); it != rows.end()) {
      t.row = it->second;
      if (t.row->parent) {
        if (auto p = rows.find(*t.row->parent); p != rows.end()) t.parent = p->second;
      }
    }
    return t;
  }

  // Compares an outcome with the model's expectation ("" = success).
  void Expect(const CallResult& r, const std::string& want, const std::string& what) {
    EXPECT_EQ(r.is_error ? r.error_code : "", want) << what << ": " << r.error_message;
  }

  // Who may change `row` (already visible): "" or "permission_denied".
  static std::string ChangeVerdict(const Row& row, const Viewer& v, bool author_only) {
    if (author_only && row.user != v.user) return "permission_denied";
    if (v.vendor && row.origin != *v.vendor) return "permission_denied";
    return "";
  }

  // share / unshare: visible and live, the caller's own, not a reply.
  static std::string SharingVerdict(const Target& t, const Viewer& v) {
    if (!t.row || !VisibleLive(*t.row, v)) return "not_found";
    std::string verdict = ChangeVerdict(*t.row, v, true);
    if (verdict.empty() && t.row->parent) verdict = "validation_error";
    return verdict;
  }

  void Write() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    json::object args{{"title", "mem" + std::to_string(next_title_++) + " " + Text(2)},
                      {"content", Text(6) + (Pick(4) == 0 && !ids_.empty() ? " see " + SomeId() : "")},
                      {"tags", SomeTags()},
                      {"allowed_vendors", PickOf(kAllowed)}};
    std::string want;
    const int share = Pick(4);
    if (share == 1) {
      args["share_scope"] = "org";
      if (!v.member.org) want = "validation_error";
    } else if (share == 2) {
      args["share_scope"] = "team";
      if (!v.member.team) want = "validation_error";
    }
    CallResult r = ClientOf(who).Call("write_memory", args);
    Expect(r, want, "write_memory by " + v.label);
    if (!r.is_error) ids_.push_back(r.id());
  }

  void WriteChild() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    const std::string parent = SomeId();
    const Target t = Find(parent);
    std::string want;
    if (!t.row || !VisibleLive(*t.row, v)) want = "not_found";
    else if (t.row->parent) want = "validation_error";
    CallResult r = ClientOf(who).Call("write_child_memory", {{"parent_memory_id", parent},
                                                             {"title", "mem" + std::to_string(next_title_++) + " reply"},
                                                             {"content", Text(4)},
                                                             {"allowed_vendors", PickOf(kAllowed)}});
    Expect(r, want, "write_child_memory by " + v.label);
    if (!r.is_error) ids_.push_back(r.id());
  }

  void Update() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    const std::string id = SomeId();
    const Target t = Find(id);
    std::string want;
    if (!t.row || !VisibleLive(*t.row, v)) want = "not_found";
    else want = ChangeVerdict(*t.row, v, /*author_only=*/false);
    json::object args{{"id", id}};
    switch (Pick(4)) {
      case 0: args["content"] = Text(5); break;
      case 1: args["tags"] = SomeTags(); break;
      case 2: args["allowed_vendors"] = PickOf(kAllowed); break;
      default: args["title"] = !t.row ? "x" : t.row->title.substr(0, t.row->title.find(' ')) + " " + Text(1);
    }
    Expect(ClientOf(who).Call("update_memory", args), want, "update_memory by " + v.label);
  }

  void Delete() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    const std::string id = SomeId();
    const bool permanent = Pick(5) == 0;
    const Target t = Find(id);
    std::string want;
    if (!t.row || !Visible(*t.row, v) || (!permanent && t.row->deleted_at)) want = "not_found";
    else want = ChangeVerdict(*t.row, v, true);
    Expect(ClientOf(who).Call("delete_memory", {{"id", id}, {"permanent", permanent}}), want,
           "delete_memory by " + v.label);
  }

  void Restore() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    const std::string id = SomeId();
    const Target t = Find(id);
    std::string want;
    if (!t.row || !Visible(*t.row, v) || !t.row->deleted_at) {
      want = "not_found";
    } else {
      want = ChangeVerdict(*t.row, v, true);
      if (want.empty() && t.row->parent && (!t.parent || !VisibleLive(*t.parent, v))) want = "failed_precondition";
    }
    Expect(ClientOf(who).Call("restore_memory", {{"id", id}}), want, "restore_memory by " + v.label);
  }

  void Share() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    const std::string id = SomeId();
    const bool team = Pick(2) == 0;
    const Target t = Find(id);
    std::string want = SharingVerdict(t, v);
    if (want.empty() && !(team ? v.member.team : v.member.org)) want = "validation_error";
    Expect(ClientOf(who).Call("share_memory", {{"memory_id", id}, {"scope", team ? "team" : "org"}}), want,
           "share_memory by " + v.label);
  }

  void Unshare() {
    auto who = Caller();
    Viewer v = ViewerOf(who);
    const std::string id = SomeId();
    const Target t = Find(id);
    std::string want = SharingVerdict(t, v);
    if (want.empty() && !t.row->org && !t.row->team) want = "validation_error";
    Expect(ClientOf(who).Call("unshare_memory", {{"memory_id", id}}), want, "unshare_memory by " + v.label);
  }

  // Users move between teams, leave their org and come back.
  void ChangeMembership() {
    const int which = Pick(3);
    const std::string& user = users_[static_cast<std::size_t>(which == 0 ? 1 : which == 1 ? 2 : 4)];
    const std::string org = which == 2 ? org2_ : org1_;
    Member now = Members().at(user);
    if (now.org && Pick(3) == 0) {
      ASSERT_TRUE(env_.db().Write([&](store::Connection& c) {
        return c.Prepare("UPDATE users SET org_id = NULL, org_role = NULL, team_id = NULL WHERE id = ?").Bind(1, user).Run();
      }).ok());
      return;
    }
    std::optional<std::string> team;
    const int t = Pick(3);
    if (which == 2) team = t == 0 ? std::nullopt : std::optional<std::string>(team2_);
    else team = t == 0 ? std::nullopt : std::optional<std::string>(t == 1 ? team1a_ : team1b_);
    env_.Join(org, user, team);
  }

  std::unique_ptr<FakeProvider> provider_;  // semantic search on: the embeddings provider
  std::size_t by_meaning_only_ = 0;         // hybrid results no full-text match found
  MemoryTestEnv env_;
  std::mt19937 rng_;
  std::vector<std::string> users_;
  std::string org1_, org2_, team1a_, team1b_, team2_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Client>> clients_;
  std::unique_ptr<MemoryTestEnv> twin_;  // the second server, when there is one (declared after
                                         // env_: destroyed first, while the database still exists)
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Client>> twin_clients_;
  std::vector<std::string> ids_;
  int next_title_ = 0;
};

std::map<std::string, Row> World::Rows(const std::optional<std::string>& only_id) {
  std::map<std::string, Row> rows;
  EXPECT_TRUE(env_.db().Read([&](store::Connection& c) {
    store::Statement& s = c.Prepare(
        "SELECT id, user_id, title, content, origin, created_at, tags, allowed_vendors, deleted_at, "
        "shared_with_org_id, shared_with_team_id, parent_memory_id FROM memories "
        "WHERE id = ?1 OR id = (SELECT parent_memory_id FROM memories WHERE id = ?1) OR ?1 IS NULL");
    s.Bind(1, only_id);
    while (true) {
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      Row r{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), {}, {},
            s.OptionalText(8), s.OptionalText(9), s.OptionalText(10), s.OptionalText(11)};
      r.tags = tools::StringsFromJsonText(s.Text(6));
      r.allowed = tools::StringsFromJsonText(s.Text(7));
      rows[r.id] = std::move(r);
    }
  }).ok());
  return rows;
}

std::map<std::string, Member> World::Members() {
  std::map<std::string, Member> members;
  EXPECT_TRUE(env_.db().Read([&](store::Connection& c) {
    store::Statement& s = c.Prepare("SELECT id, org_id, team_id FROM users");
    while (true) {
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      members[s.Text(0)] = {s.OptionalText(1), s.OptionalText(2)};
    }
  }).ok());
  return members;
}

// All pages of a list tool: the ids it returned, in order.
std::vector<std::string> AllPages(Client& c, const std::string& tool, json::object args, const char* list,
                                  std::string* error = nullptr) {
  std::vector<std::string> ids;
  for (int guard = 0; guard < 1000; ++guard) {
    CallResult r = c.Call(tool, args);
    if (r.is_error) {
      if (error) *error = r.error_code;
      return ids;
    }
    for (const auto& m : r.structured.at(list).as_array()) ids.push_back(Str(m.at("id")));
    const json::value& next = r.structured.at("next_cursor");
    if (next.is_null()) return ids;
    args["cursor"] = next;
  }
  ADD_FAILURE() << tool << " never ended";
  return ids;
}

std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// The ids of a JSON list of memories.
std::vector<std::string> IdsOf(const json::value& list) {
  std::vector<std::string> ids;
  for (const auto& m : list.as_array()) ids.push_back(Str(m.at("id")));
  return ids;
}

void World::CheckEveryReadPath() {
  // The graph checks below must have had something to check.
  std::size_t references_checked = 0, tag_neighbours_checked = 0, computed_clusters_checked = 0;
  const auto rows = Rows();
  const auto members = Members();
  std::vector<std::string> searched;
  while (searched.size() < kSearchedWords) {
    const std::string& word = PickOf(kWords);
    if (!Contains(searched, word)) searched.push_back(word);
  }
  // And a few title labels ("mem17"): each names one memory, so the matches fit in
  // one page of ChatGPT's search and its completeness is checked exactly.
  for (int i = 0; i < 4 && !ids_.empty(); ++i) {
    const auto row = rows.find(PickOf(ids_));
    if (row != rows.end()) searched.push_back(row->second.title.substr(0, row->second.title.find(' ')));
  }
  for (const auto& [who, first_servers_client] : clients_) {
    Client& c = ClientOf(who);  // either server: they must answer alike
    Viewer v{who.first, members.at(who.first), who.second.empty() ? std::nullopt : std::optional<std::string>(who.second),
             who.first + "/" + (who.second.empty() ? "owner" : who.second)};
    SCOPED_TRACE("viewer " + v.label);
    std::set<std::string> live, any_state;
    for (const auto& [id, r] : rows) {
      if (VisibleLive(r, v)) live.insert(id);
      if (Visible(r, v)) any_state.insert(id);
    }
    auto live_where = [&](auto pred) {
      std::set<std::string> out;
      for (const auto& id : live) if (pred(rows.at(id))) out.insert(id);
      return out;
    };

    // Lists, every page, every scope.
    EXPECT_EQ(AsSet(AllPages(c, "browse_memories", {{"limit", 37}}, "memories")), live);
    EXPECT_EQ(AsSet(AllPages(c, "browse_memories", {{"limit", 200}, {"scope", "personal"}}, "memories")),
              live_where([&](const Row& r) { return r.user == v.user && !r.org && !r.team; }));
    for (const char* scope : {"org", "team"}) {
      const bool org = std::string(scope) == "org";
      const std::optional<std::string>& pool = org ? v.member.org : v.member.team;
      auto expected = live_where([&](const Row& r) { return pool && (org ? r.org : r.team) == pool; });
      EXPECT_EQ(AsSet(AllPages(c, "browse_memories", {{"limit", 200}, {"scope", scope}}, "memories")), expected);
      std::string error;
      auto pool_ids = AllPages(c, std::string("read_") + scope + "_memories", {{"limit", 50}}, "memories", &error);
      if (pool) EXPECT_EQ(AsSet(pool_ids), expected) << scope;
      else EXPECT_EQ(error, "failed_precondition") << scope;
    }
    for (const std::string& tag : kTags) {
      EXPECT_EQ(AsSet(AllPages(c, "get_memories_by_tag", {{"tags", {tag}}, {"limit", 50}}, "memories")),
                live_where([&](const Row& r) { return Contains(r.tags, tag); }))
          << "tag " << tag;
    }
    // read_memories and get_latest_memory: the newest visible ones.
    std::vector<std::string> newest(live.begin(), live.end());
    std::sort(newest.begin(), newest.end(), [&](const auto& a, const auto& b) {
      return rows.at(a).created_at > rows.at(b).created_at;
    });
    CallResult recent = c.Call("read_memories", {{"limit", 50}});
    std::vector<std::string> recent_ids;
    for (const auto& m : recent.structured.at("memories").as_array()) recent_ids.push_back(Str(m.at("id")));
    EXPECT_EQ(recent_ids, std::vector<std::string>(newest.begin(), newest.begin() + std::min<std::size_t>(50, newest.size())));
    const CallResult latest_result = c.Call("get_latest_memory");
    const json::value& latest = latest_result.structured.at("memory");
    if (newest.empty()) EXPECT_TRUE(latest.is_null());
    else EXPECT_EQ(Str(latest.at("id")), newest.front());

    // Search: words, every page; and ChatGPT's search.
    for (const std::string& word : searched) {
      auto expected = live_where([&](const Row& r) { return MentionsWord(r, word); });
      if (provider_) {
        CheckHybridSearch(c, word, rows, live, expected);
        continue;
      }
      EXPECT_EQ(AsSet(AllPages(c, "search_memories", {{"term", word}, {"limit", 50}}, "results")), expected) << word;
      const CallResult chatgpt_search = c.Call("search", {{"query", word}});
      std::set<std::string> hits;
      for (const auto& hit : chatgpt_search.structured.at("results").as_array()) {
        EXPECT_TRUE(expected.count(Str(hit.at("id")))) << "search leaked " << hit;
        hits.insert(Str(hit.at("id")));
      }
      // Complete too: every visible match while they fit, else a full page of them.
      if (expected.size() <= kChatGptSearchResults) EXPECT_EQ(hits, expected) << "search missed some: " << word;
      else EXPECT_EQ(hits.size(), kChatGptSearchResults) << word;
    }

    // Resources.
    std::set<std::string> resources;
    json::object params;
    for (int guard = 0; guard < 100; ++guard) {
      json::object page = c.Request("resources/list", params);
      for (const auto& r : page.at("result").at("resources").as_array()) resources.insert(Str(r.at("uri")).substr(9));
      if (!page.at("result").as_object().contains("nextCursor")) break;
      params["cursor"] = page.at("result").at("nextCursor");
    }
    EXPECT_EQ(resources, live);

    // Briefing and instructions. The viewer's topic clusters are computed first (in the
    // background, as a caller would find them a moment later), so the checks below see
    // real clusters, not only provisional one-tag answers.
    c.Call("get_topic_cluster", {{"tag", kTags.front()}});
    env_.service().topics().WaitForRefreshes();
    const json::object b = c.Call("get_memory_briefing", {{"format", "json"}}).structured.at("briefing").as_object();
    EXPECT_EQ(b.at("totals").at("memories").as_int64(), static_cast<std::int64_t>(live.size()));
    for (const auto& r : b.at("recent").as_array()) EXPECT_TRUE(live.count(Str(r.at("id")))) << "briefing leaked";
    for (const auto& t : b.at("open_threads").as_array()) EXPECT_TRUE(live.count(Str(t.at("id")))) << "thread leaked";
    for (const auto& t : b.at("top_tags").as_array()) {
      const std::string tag = Str(t.at("tag"));
      EXPECT_EQ(t.at("count").as_int64(),
                static_cast<std::int64_t>(live_where([&](const Row& r) { return Contains(r.tags, tag); }).size()));
    }
    // The topic map: a cluster names only tags of memories this viewer sees, and
    // counts no more memories than those.
    auto with_any_tag = [&](const std::vector<std::string>& tags) {
      return live_where([&](const Row& r) {
        return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return Contains(r.tags, t); });
      });
    };
    for (const auto& t : b.at("topics").as_array()) {
      std::vector<std::string> tags;
      for (const auto& tag : t.at("tags").as_array()) tags.push_back(Str(tag));
      for (const auto& tag : tags) EXPECT_FALSE(with_any_tag({tag}).empty()) << "topic map leaked tag " << tag;
      EXPECT_LE(t.at("memories").as_int64(), static_cast<std::int64_t>(with_any_tag(tags).size()));
    }
    for (const std::string& tag : kTags) {
      const CallResult cluster = c.Call("get_topic_cluster", {{"tag", tag}, {"limit", 50}});
      if (with_any_tag({tag}).empty()) {
        EXPECT_EQ(cluster.error_code, "not_found") << "get_topic_cluster " << tag;
        continue;
      }
      ASSERT_FALSE(cluster.is_error) << cluster.error_message;
      std::vector<std::string> tags;
      for (const auto& x : cluster.structured.at("cluster").at("tags").as_array()) tags.push_back(Str(x));
      EXPECT_TRUE(Contains(tags, tag));
      for (const auto& x : tags) EXPECT_FALSE(with_any_tag({x}).empty()) << "cluster leaked tag " << x;
      const auto members = with_any_tag(tags);
      EXPECT_LE(cluster.structured.at("cluster").at("member_count").as_int64(), static_cast<std::int64_t>(members.size()));
      std::set<std::string> listed;
      for (const auto& m : cluster.structured.at("memories").as_array()) listed.insert(Str(m.at("id")));
      for (const auto& id : listed) EXPECT_TRUE(members.count(id)) << "get_topic_cluster leaked " << id;
      EXPECT_EQ(listed.size(), std::min<std::size_t>(50, members.size()));
      if (!cluster.structured.at("cluster").as_object().contains("provisional")) ++computed_clusters_checked;
    }

    Result<std::string> instructions = env_.service().Instructions(
        tools::Caller{v.user, v.vendor, v.vendor.value_or("api")});
    ASSERT_TRUE(instructions.ok());
    // The topic lines ("- name (N memories; tags a b c)") name only tags this viewer sees.
    for (std::size_t at = instructions->find("memories; tags"); at != std::string::npos;
         at = instructions->find("memories; tags", at + 1)) {
      const std::size_t from = at + std::string("memories; tags").size();
      std::istringstream line(instructions->substr(from, instructions->find(')', from) - from));
      for (std::string tag; line >> tag;) EXPECT_FALSE(with_any_tag({tag}).empty()) << "instructions leaked tag " << tag;
    }
    for (const auto& [id, r] : rows) {
      const std::string label = r.title.substr(0, r.title.find(' ')) + " ";
      if (!live.count(id)) {
        EXPECT_EQ(instructions->find("- " + label), std::string::npos) << "instructions leaked " << id;
      }
    }

    // Every id, on every path that takes one.
    for (const auto& [id, r] : rows) {
      const bool is_live = live.count(id) > 0;
      EXPECT_EQ(c.Call("get_memory_by_id", {{"id", id}}).is_error, !is_live) << id;
      EXPECT_EQ(c.Call("fetch", {{"id", id}}).is_error, !is_live) << id;
      CallResult versions = c.Call("get_memory_versions", {{"id", id}});
      EXPECT_EQ(versions.is_error, !any_state.count(id)) << id;
      json::object read = c.Request("resources/read", {{"uri", "memory://" + id}});
      EXPECT_EQ(read.contains("error"), !is_live) << id;
      CallResult thread = c.Call("read_thread", {{"memory_id", id}});
      const bool thread_visible = is_live && (!r.parent || live.count(*r.parent));
      EXPECT_EQ(thread.is_error, !thread_visible) << id;
      if (!thread.is_error) {
        const std::string parent = r.parent ? *r.parent : id;
        std::set<std::string> replies;
        for (const auto& reply : thread.structured.at("replies").as_array()) replies.insert(Str(reply.at("id")));
        EXPECT_EQ(replies, live_where([&](const Row& x) { return x.parent == parent; })) << id;
      }
      CallResult graph = c.Call("get_graph_around", {{"memory_id", id}, {"min_shared_tags", 1}, {"top_tag_similar", 20}});
      EXPECT_EQ(graph.is_error, !is_live) << id;
      if (!graph.is_error) {
        // Lambdas cannot capture structured bindings before clang 16: named copies.
        const std::string& memory_id = id;
        const Row& row = r;
        const bool parent_seen = r.parent && live.count(*r.parent);
        const json::object& g = graph.structured;
        EXPECT_EQ(g.at("parent").is_null(), !parent_seen) << id;
        EXPECT_EQ(AsSet(IdsOf(g.at("children"))), live_where([&](const Row& x) { return x.parent == memory_id; })) << id;
        EXPECT_EQ(AsSet(IdsOf(g.at("siblings"))), live_where([&](const Row& x) {
                    return parent_seen && x.parent == row.parent && x.id != memory_id;
                  })) << id;
        for (const auto& n : g.at("tag_similar").as_array()) {
          const std::string other = Str(n.at("id"));
          EXPECT_TRUE(live.count(other)) << "tag_similar leaked " << other;
          for (const auto& tag : n.at("shared_tags").as_array()) {
            EXPECT_TRUE(live.count(other) && Contains(rows.at(other).tags, Str(tag)) && Contains(r.tags, Str(tag)));
          }
        }
        for (const char* way : {"outgoing", "incoming"}) {
          for (const auto& other : IdsOf(g.at("references").at(way))) {
            EXPECT_TRUE(live.count(other)) << way << " reference leaked " << other;
          }
        }
        const auto named_here = live_where([&](const Row& x) { return x.id != memory_id && row.content.find(x.id) != std::string::npos; });
        EXPECT_EQ(AsSet(IdsOf(g.at("references").at("outgoing"))), named_here) << id;
        const auto naming_it = live_where([&](const Row& x) { return x.id != memory_id && x.content.find(memory_id) != std::string::npos; });
        EXPECT_EQ(AsSet(IdsOf(g.at("references").at("incoming"))), naming_it) << id;
        references_checked += naming_it.size();
        tag_neighbours_checked += g.at("tag_similar").as_array().size();
      }
    }
  }
  EXPECT_GT(references_checked, 0u);
  EXPECT_GT(tag_neighbours_checked, 0u);
  EXPECT_GT(computed_clusters_checked, 0u);
}

void World::CheckHybridSearch(Client& c, const std::string& word, const std::map<std::string, Row>& rows,
                              const std::set<std::string>& live, const std::set<std::string>& expected) {
  auto check_result = [&](const json::value& item, const char* tool) {
    const std::string id = Str(item.at("id"));
    ASSERT_TRUE(live.count(id)) << tool << " leaked " << item << " for " << word;
    const Row& row = rows.at(id);
    EXPECT_EQ(Str(item.at("title")), row.title) << tool;
    if (const json::value* snippet = item.as_object().if_contains("snippet")) {
      std::vector<std::string> own = Tokens(row.title + " " + row.content);
      for (const std::string& t : row.tags) own.push_back(t);
      for (const std::string& token : Tokens(Str(*snippet))) {
        EXPECT_TRUE(Contains(own, token)) << "snippet word '" << token << "' is not from memory " << id;
      }
    }
  };
  std::vector<std::string> found;
  json::object args{{"term", word}, {"limit", 7}};
  for (int page = 0; page < 100; ++page) {
    CallResult r = c.Call("search_memories", args);
    ASSERT_FALSE(r.is_error) << r.error_message;
    for (const auto& item : r.structured.at("results").as_array()) {
      check_result(item, "search_memories");
      found.push_back(Str(item.at("id")));
    }
    if (r.structured.at("next_cursor").is_null()) break;
    args["cursor"] = r.structured.at("next_cursor");
  }
  EXPECT_EQ(AsSet(found).size(), found.size()) << "a hybrid page repeated a result: " << word;
  for (const std::string& id : found) by_meaning_only_ += expected.count(id) == 0;
  if (expected.size() <= tools::kListDepth) {
    for (const std::string& id : expected) EXPECT_TRUE(AsSet(found).count(id)) << "hybrid search missed " << id;
  }
  const CallResult chatgpt_search = c.Call("search", {{"query", word}});
  for (const auto& hit : chatgpt_search.structured.at("results").as_array()) check_result(hit, "search");
}

// The shell command that runs RandomSeed again with `seed`.
std::string RerunCommand(unsigned seed) {
  std::error_code ec;
  std::string binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) binary = "tools_tests";
  return "RM_PROPERTY_SEED=" + std::to_string(seed) + " " + binary +
         " --gtest_filter=VendorLeakProperty.RandomSeed";
}

void RunWorld(unsigned seed, bool semantic = false, store::Engine engine = store::Engine::kSqlite,
              bool two_servers = false, int operations = kOperations) {
  SCOPED_TRACE("seed " + std::to_string(seed) + "; re-run: " + RerunCommand(seed));
  World world(seed, semantic, engine, two_servers);
  if (!world.unavailable().empty()) GTEST_SKIP() << world.unavailable();
  world.RunOperations(operations);
  world.WaitForVectors();
  if (!::testing::Test::HasFailure()) world.CheckEveryReadPath();
  if (semantic) {
    EXPECT_GT(world.by_meaning_only(), 0u) << "the vector path was never used";
  }
  if (::testing::Test::HasFailure()) std::printf("VendorLeakProperty failed; re-run it: %s\n", RerunCommand(seed).c_str());
}

// $RM_PROPERTY_SEED, to re-run a failure; otherwise a fresh random seed.
unsigned SeedToUse() {
  if (const char* given = std::getenv("RM_PROPERTY_SEED"); given && *given) {
    char* end = nullptr;
    const unsigned long seed = std::strtoul(given, &end, 10);
    if (*end == '\0' && seed <= 0xffffffffUL) return static_cast<unsigned>(seed);
    ADD_FAILURE() << "RM_PROPERTY_SEED='" << given << "' is not an unsigned 32-bit number; using a random seed";
  }
  return std::random_device{}();
}

TEST(VendorLeakProperty, FixedSeed) { RunWorld(20261125); }

TEST(VendorLeakProperty, FixedSeedWithSemanticSearch) { RunWorld(20261125, /*semantic=*/true); }

// The same world on PostgreSQL, with two servers on one database (two `serve` processes, each
// with its own pool and caches) taking the calls in random turns. Fewer operations: each costs
// PostgreSQL round trips, and the property is the same.
TEST(VendorLeakProperty, FixedSeedOnPostgresAcrossTwoServers) {
  RunWorld(20261125, /*semantic=*/false, store::Engine::kPostgres, /*two_servers=*/true, /*operations=*/2000);
}

TEST(VendorLeakProperty, RandomSeed) {
  const unsigned seed = SeedToUse();
  std::printf("VendorLeakProperty.RandomSeed uses seed %u\n", seed);
  RunWorld(seed);
}

}  // namespace
}  // namespace rm::testing
