// Topic clusters (issue 18): how they are computed from tags, how their cache is
// kept fresh (by time, by writes, and at once after a change that may hide a tag),
// get_topic_cluster, and the briefing's topic map — each only from what the caller
// may see.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"
#include "tools/topic_clusters.h"

namespace rm::testing {
namespace {
namespace json = boost::json;
using tools::ComputeTopicClusters;

std::vector<std::string> Strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.push_back(Str(s));
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// ---------------------------------------------------------------- computing clusters

TEST(ComputeTopicClusters, TagsUsedTogetherFormOneClusterAndSeparateTopicsStaySeparate) {
  std::vector<std::vector<std::string>> sets;
  for (int i = 0; i < 6; ++i) sets.push_back({"deploy", "kubernetes", "ci"});
  for (int i = 0; i < 4; ++i) sets.push_back({"recipe", "dinner", "vegan"});
  sets.push_back({"ci", "dinner"});  // one memory bridges the two topics
  const auto clusters = ComputeTopicClusters(sets);
  ASSERT_EQ(clusters.size(), 2u);
  EXPECT_EQ(std::set<std::string>(clusters[0].tags.begin(), clusters[0].tags.end()),
            (std::set<std::string>{"deploy", "kubernetes", "ci"}));
  EXPECT_EQ(std::set<std::string>(clusters[1].tags.begin(), clusters[1].tags.end()),
            (std::set<std::string>{"recipe", "dinner", "vegan"}));
  EXPECT_EQ(clusters[0].member_count, 7);  // the bridge memory has a tag of each
  EXPECT_EQ(clusters[1].member_count, 5);
  // Named after the most central tags: "ci" has the most weight inside its cluster.
  EXPECT_EQ(clusters[0].tags.front(), "ci");
  EXPECT_EQ(clusters[0].name.substr(0, 2), "ci");
  EXPECT_NE(clusters[0].description.find("7 memories tagged"), std::string::npos) << clusters[0].description;
}

TEST(ComputeTopicClusters, TheSameMemoriesInAnyOrderGiveTheSameClustersAndHashes) {
  std::vector<std::vector<std::string>> sets = {{"a", "b"}, {"b", "c"}, {"a", "c"}, {"x", "y"}, {"y", "z"},
                                                {"x", "z"}, {"c", "x"}, {"solo"}};
  const auto first = ComputeTopicClusters(sets);
  std::reverse(sets.begin(), sets.end());
  for (auto& s : sets) std::reverse(s.begin(), s.end());
  const auto second = ComputeTopicClusters(sets);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].hash, second[i].hash);
    EXPECT_EQ(first[i].tags, second[i].tags);
  }
  // A tag never used with another is a cluster of its own.
  EXPECT_TRUE(std::any_of(first.begin(), first.end(),
                          [](const auto& c) { return c.tags == std::vector<std::string>{"solo"}; }));
}

TEST(ClusterHash, IsStableUnderTagOrderAndDiffersForOtherTags) {
  EXPECT_EQ(store::ClusterHash({"b", "a", "c"}), store::ClusterHash({"c", "b", "a"}));
  EXPECT_NE(store::ClusterHash({"a", "b"}), store::ClusterHash({"a", "b", "c"}));
  EXPECT_EQ(store::ClusterHash({"a"}).size(), 64u);
}

// ---------------------------------------------------------------- the tool and its cache

class TopicClusterTool : public ::testing::TestWithParam<store::Engine> {
 protected:
  // The sessions' instructions queued a first computation (of no memories): let it
  // finish, so every write of a test comes after it, whatever the thread timing.
  void SetUp() override {
    if (!env_.unavailable().empty()) GTEST_SKIP() << env_.unavailable();
    env_.service().topics().WaitForRefreshes();
  }

  static tools::ServiceOptions Options(std::atomic<std::int64_t>* hours) {
    tools::ServiceOptions options;
    options.topic_clusters.stale_after_added = 3;
    options.topic_clusters.now = [hours] {
      return std::chrono::system_clock::now() + std::chrono::hours(hours->load());
    };
    return options;
  }

  std::string Write(Client& client, const std::string& title, json::array tags, json::object extra = {}) {
    extra["title"] = title;
    extra["content"] = "about " + title;
    extra["tags"] = std::move(tags);
    CallResult r = client.Call("write_memory", std::move(extra));
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : r.id();
  }

  CallResult Cluster(Client& client, const std::string& tag, json::object extra = {}) {
    extra["tag"] = tag;
    return client.Call("get_topic_cluster", std::move(extra));
  }

  // Lets the clusters queued so far be computed: what a caller sees after a moment.
  void Settle() { env_.service().topics().WaitForRefreshes(); }

  // A cluster as a caller sees it once the clusters are computed.
  CallResult SettledCluster(Client& client, const std::string& tag, json::object extra = {}) {
    Cluster(client, tag, extra);
    Settle();
    return Cluster(client, tag, std::move(extra));
  }

  // The topic cluster's computed_at as the tool reports it.
  std::string ComputedAt(Client& client, const std::string& tag) {
    CallResult r = Cluster(client, tag);
    EXPECT_FALSE(r.is_error) << r.error_message;
    return r.is_error ? "" : Str(r.structured.at("cluster").at("computed_at"));
  }

  std::atomic<std::int64_t> hours_{0};
  MemoryTestEnv env_{Options(&hours_), GetParam()};
  std::string alice_ = env_.AddUser("alice@example.com", "pro");
  std::unique_ptr<Client> owner_ = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  std::unique_ptr<Client> cursor_ = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
};

RM_ON_BOTH_ENGINES(TopicClusterTool);

TEST_P(TopicClusterTool, ReturnsTheClustersMemoriesNewestFirstWithItsNameAndTags) {
  const std::string a = Write(*owner_, "k8s rollout", {"deploy", "kubernetes"});
  const std::string b = Write(*owner_, "ci flake", {"ci", "deploy"});
  const std::string c = Write(*owner_, "helm chart", {"kubernetes", "ci"});
  Write(*owner_, "pasta", {"recipe", "dinner"});
  Write(*owner_, "soup", {"recipe", "dinner"});

  // The first call never waits for the clusters: the tag alone, marked provisional.
  CallResult first = Cluster(*owner_, "kubernetes", {{"limit", 2}});
  ASSERT_FALSE(first.is_error) << first.error_message;
  EXPECT_TRUE(first.structured.at("cluster").at("provisional").as_bool());
  EXPECT_EQ(Strings(first.structured.at("cluster").at("tags")), std::vector<std::string>{"kubernetes"});
  EXPECT_EQ(first.structured.at("cluster").at("member_count").as_int64(), 2);
  Settle();

  CallResult r = Cluster(*owner_, "Kubernetes", {{"limit", 2}});  // tags match case-insensitively
  ASSERT_FALSE(r.is_error) << r.error_message;
  const json::object& cluster = r.structured.at("cluster").as_object();
  EXPECT_FALSE(cluster.contains("provisional"));
  const std::vector<std::string> tags = Strings(cluster.at("tags"));
  EXPECT_EQ(std::set<std::string>(tags.begin(), tags.end()), (std::set<std::string>{"deploy", "kubernetes", "ci"}));
  EXPECT_EQ(cluster.at("member_count").as_int64(), 3);
  EXPECT_FALSE(Str(cluster.at("name")).empty());
  const json::array& memories = r.structured.at("memories").as_array();
  ASSERT_EQ(memories.size(), 2u);  // limit
  EXPECT_EQ(Str(memories[0].at("id")), c);
  EXPECT_EQ(Str(memories[1].at("id")), b);
  (void)a;

  CallResult other = Cluster(*owner_, "dinner");
  ASSERT_FALSE(other.is_error);
  EXPECT_EQ(other.structured.at("memories").as_array().size(), 2u);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM usage_events WHERE operation = 'memory_read'"), 3);
}

TEST_P(TopicClusterTool, ServedFromTheCacheUntilEnoughWritesThenRefreshedInTheBackground) {
  Write(*owner_, "one", {"alpha", "beta"});
  Write(*owner_, "two", {"beta", "gamma"});
  SettledCluster(*owner_, "alpha");
  const std::string first = ComputedAt(*owner_, "alpha");
  EXPECT_EQ(env_.Count("SELECT count(*) FROM tag_cluster_state WHERE scope = 'all'"), 1);
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first) << "a second call is a cache hit";

  // Two additions (fewer than stale_after_added = 3): still the same clusters.
  Write(*owner_, "three", {"alpha", "beta"});
  Write(*owner_, "four", {"alpha", "beta"});
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first);
  env_.service().topics().WaitForRefreshes();
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first);

  // The third: this call is still answered from the cache (never waits), and queues a refresh.
  Write(*owner_, "five", {"alpha", "delta"});
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first);
  env_.service().topics().WaitForRefreshes();
  CallResult after = Cluster(*owner_, "alpha");
  ASSERT_FALSE(after.is_error);
  EXPECT_NE(Str(after.structured.at("cluster").at("computed_at")), first);
  EXPECT_TRUE(Has(Strings(after.structured.at("cluster").at("tags")), "delta"));
}

TEST_P(TopicClusterTool, ClustersOlderThanADayAreRefreshed) {
  Write(*owner_, "one", {"alpha", "beta"});
  SettledCluster(*owner_, "alpha");
  const std::string first = ComputedAt(*owner_, "alpha");
  hours_ = 23;
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first);
  env_.service().topics().WaitForRefreshes();
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first);
  hours_ = 25;
  EXPECT_EQ(ComputedAt(*owner_, "alpha"), first);  // served stale once, refreshed behind it
  env_.service().topics().WaitForRefreshes();
  EXPECT_NE(ComputedAt(*owner_, "alpha"), first);
}

TEST_P(TopicClusterTool, ATagNewerThanTheCachedClustersIsAnsweredAtOnceAndJoinsItsTopicSoon) {
  Write(*owner_, "one", {"alpha", "beta"});
  SettledCluster(*owner_, "alpha");
  Write(*owner_, "two", {"brand-new", "beta"});  // one addition: the cache is still fresh
  CallResult now = Cluster(*owner_, "brand-new");
  ASSERT_FALSE(now.is_error) << now.error_message;
  EXPECT_TRUE(now.structured.at("cluster").at("provisional").as_bool());
  EXPECT_EQ(now.structured.at("memories").as_array().size(), 1u);
  Settle();
  CallResult soon = Cluster(*owner_, "brand-new");
  ASSERT_FALSE(soon.is_error);
  EXPECT_FALSE(soon.structured.at("cluster").as_object().contains("provisional"));
  EXPECT_EQ(soon.structured.at("memories").as_array().size(), 2u);  // "beta" joins both memories
}

TEST_P(TopicClusterTool, AChangeThatHidesATagIsNeverAnsweredFromTheCache) {
  const std::string secret = Write(*owner_, "plan", {"project-x", "roadmap"});
  Write(*owner_, "notes", {"roadmap", "q3"});
  CallResult before = SettledCluster(*cursor_, "roadmap");
  EXPECT_TRUE(Has(Strings(before.structured.at("cluster").at("tags")), "project-x"));
  SettledCluster(*owner_, "roadmap");

  // The owner keeps the memory from cursor: at once, cursor's answers forget project-x.
  ASSERT_FALSE(owner_->Call("update_memory", {{"id", secret}, {"allowed_vendors", json::array{"claude"}}}).is_error);
  CallResult after = Cluster(*cursor_, "roadmap");
  ASSERT_FALSE(after.is_error) << after.error_message;
  EXPECT_TRUE(after.structured.at("cluster").at("provisional").as_bool()) << "the cached clusters are not served";
  EXPECT_EQ(Strings(after.structured.at("cluster").at("tags")), std::vector<std::string>{"roadmap"});
  EXPECT_EQ(after.structured.at("cluster").at("member_count").as_int64(), 1);
  EXPECT_EQ(after.structured.at("memories").as_array().size(), 1u);
  CallResult gone = Cluster(*cursor_, "project-x");
  EXPECT_EQ(gone.error_code, "not_found");
  EXPECT_EQ(gone.error_message, "no memory you can see has the tag 'project-x'");
  Settle();
  CallResult recomputed = Cluster(*cursor_, "roadmap");
  EXPECT_FALSE(recomputed.structured.at("cluster").as_object().contains("provisional"));
  EXPECT_FALSE(Has(Strings(recomputed.structured.at("cluster").at("tags")), "project-x"));

  // Deleting works the same way, for the owner whose clusters were cached with project-x.
  ASSERT_FALSE(owner_->Call("delete_memory", {{"id", secret}}).is_error);
  EXPECT_EQ(Cluster(*owner_, "project-x").error_code, "not_found");
  CallResult owner_after = Cluster(*owner_, "roadmap");
  EXPECT_FALSE(Has(Strings(owner_after.structured.at("cluster").at("tags")), "project-x"));
}

TEST_P(TopicClusterTool, EachVendorsClustersAreBuiltOnlyFromWhatThatVendorSees) {
  Write(*owner_, "visible", {"shared-topic", "common"});
  Write(*owner_, "claude only", {"common", "claude-secret"}, {{"allowed_vendors", json::array{"claude"}}});
  CallResult owner_view = SettledCluster(*owner_, "common");
  EXPECT_TRUE(Has(Strings(owner_view.structured.at("cluster").at("tags")), "claude-secret"));
  CallResult cursor_view = SettledCluster(*cursor_, "common");
  ASSERT_FALSE(cursor_view.is_error);
  EXPECT_FALSE(Has(Strings(cursor_view.structured.at("cluster").at("tags")), "claude-secret"));
  EXPECT_EQ(cursor_view.structured.at("cluster").at("member_count").as_int64(), 1);
  EXPECT_EQ(Cluster(*cursor_, "claude-secret").error_code, "not_found");
  env_.service().topics().WaitForRefreshes();
  EXPECT_EQ(env_.Count("SELECT count(*) FROM tag_cluster_state WHERE scope = 'all@cursor'"), 1);
  EXPECT_EQ(env_.Count("SELECT count(*) FROM tag_cluster_state WHERE scope = 'all'"), 1);
}

TEST_P(TopicClusterTool, OtherUsersTagsNeverJoinAClusterAndPoolScopesAreSeparate) {
  const std::string bob = env_.AddUser("bob@example.com", "pro");
  const std::string org = env_.CreateOrg("Acme", alice_);
  env_.Join(org, alice_);
  env_.Join(org, bob);
  auto bob_client = env_.Connect(MemoryTestEnv::OwnerKey(bob));
  Write(*bob_client, "bob private", {"common", "bobs-secret"});
  Write(*bob_client, "bob shared", {"common", "team-wiki"}, {{"share_scope", "org"}});
  Write(*owner_, "alice", {"common", "mine"});

  CallResult all = SettledCluster(*owner_, "common");
  ASSERT_FALSE(all.is_error) << all.error_message;
  const auto tags = Strings(all.structured.at("cluster").at("tags"));
  EXPECT_FALSE(Has(tags, "bobs-secret"));
  EXPECT_TRUE(Has(tags, "team-wiki"));
  CallResult personal = SettledCluster(*owner_, "common", {{"scope", "personal"}});
  ASSERT_FALSE(personal.is_error);
  EXPECT_FALSE(Has(Strings(personal.structured.at("cluster").at("tags")), "team-wiki"));
  EXPECT_EQ(personal.structured.at("memories").as_array().size(), 1u);
}

TEST_P(TopicClusterTool, TheBriefingShowsTheTopicMapAndNeverWaitsForIt) {
  for (int i = 0; i < 3; ++i) Write(*owner_, "k8s " + std::to_string(i), {"deploy", "kubernetes"});
  Write(*owner_, "cursor cannot see", {"deploy", "claude-only-tag"}, {{"allowed_vendors", json::array{"claude"}}});

  // Not computed yet: no topics, and the briefing does not wait.
  CallResult early = owner_->Call("get_memory_briefing", {{"format", "json"}});
  ASSERT_FALSE(early.is_error) << early.error_message;
  EXPECT_TRUE(early.structured.at("briefing").at("topics").as_array().empty());
  cursor_->Call("get_memory_briefing", {{"format", "json"}});
  Settle();

  CallResult briefing = owner_->Call("get_memory_briefing", {{"format", "json"}});
  const json::array& topics = briefing.structured.at("briefing").at("topics").as_array();
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].at("memories").as_int64(), 4);
  EXPECT_TRUE(Has(Strings(topics[0].at("tags")), "claude-only-tag"));

  CallResult cursor_briefing = cursor_->Call("get_memory_briefing", {{"format", "markdown"}});
  ASSERT_FALSE(cursor_briefing.is_error);
  const std::string md = Str(cursor_briefing.structured.at("briefing"));
  EXPECT_NE(md.find("Topics"), std::string::npos) << md;
  EXPECT_NE(md.find("3 memories"), std::string::npos) << md;
  EXPECT_EQ(md.find("claude-only-tag"), std::string::npos) << md;

  // A new key's session: its instructions answer at once, and the next session has the topics.
  auto claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  EXPECT_EQ(Str(claude->initialize_result().at("instructions")).find("Topics"), std::string::npos)
      << "claude's clusters were never computed: the first session does not wait for them";
  Settle();
  auto claude_again = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  const std::string instructions = Str(claude_again->initialize_result().at("instructions"));
  EXPECT_NE(instructions.find("Topics"), std::string::npos) << instructions;
  EXPECT_NE(instructions.find("claude-only-tag"), std::string::npos) << instructions;
}

}  // namespace
}  // namespace rm::testing
