// SPEC §4: a repeated request_id applies once and answers the first result.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "tests/store/both_engines.h"
#include "tests/tools/memory_test_env.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// Every case runs on SQLite and on PostgreSQL.
class Idempotency : public ::testing::TestWithParam<store::Engine> {};
RM_ON_BOTH_ENGINES(Idempotency);

TEST_P(Idempotency, ThirtyTwoConcurrentIdenticalWritesApplyOnce) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  constexpr int kThreads = 32;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kThreads; ++i) clients.push_back(env.Connect(MemoryTestEnv::AgentKey(alice, "claude")));
  std::vector<CallResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = clients[i]->Call("write_memory", {{"title", "once"}, {"content", "only once"}, {"request_id", "req-1"}});
    });
  }
  for (auto& t : threads) t.join();

  for (const CallResult& r : results) {
    ASSERT_FALSE(r.is_error) << r.error_message;
    EXPECT_EQ(r.structured, results[0].structured);  // the same memory, same timestamps
  }
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events"), 1);
  EXPECT_EQ(env.Count("SELECT total_ops FROM monthly_usage"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events WHERE request_id = '" + alice + ":req-1'"), 1);
}

TEST_P(Idempotency, SameRequestIdWithDifferentArgumentsIsAConflict) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto c = env.Connect(MemoryTestEnv::OwnerKey(alice));
  CallResult first = c->Call("write_memory", {{"title", "a"}, {"content", "c"}, {"request_id", "r"}});
  ASSERT_FALSE(first.is_error);
  // Key order does not matter: same request.
  CallResult again = c->Call("write_memory", {{"content", "c"}, {"request_id", "r"}, {"title", "a"}});
  EXPECT_EQ(again.structured, first.structured);
  CallResult other = c->Call("write_memory", {{"title", "b"}, {"content", "c"}, {"request_id", "r"}});
  EXPECT_EQ(other.error_code, "idempotency_conflict");
  CallResult other_tool = c->Call("get_memory_by_id", {{"id", first.id()}, {"request_id", "r"}});
  EXPECT_EQ(other_tool.error_code, "idempotency_conflict");
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 1);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events"), 1);
}

TEST_P(Idempotency, AnotherUsersSameRequestIdIsIndependent) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  std::string bob = env.AddUser("bob@example.com", "pro");
  auto a = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto b = env.Connect(MemoryTestEnv::OwnerKey(bob));
  CallResult ra = a->Call("write_memory", {{"title", "a"}, {"content", "c"}, {"request_id", "shared-id"}});
  CallResult rb = b->Call("write_memory", {{"title", "b"}, {"content", "c"}, {"request_id", "shared-id"}});
  ASSERT_FALSE(ra.is_error);
  ASSERT_FALSE(rb.is_error) << rb.error_message;
  EXPECT_NE(ra.id(), rb.id());
  EXPECT_EQ(Str(rb.memory().at("author_id")), bob);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 2);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events"), 2);
}

// A replay hands back the first result as it was, so it must not cross from one
// surface to another: an agent repeating the owner's request_id would otherwise
// read what its vendor may not see.
TEST_P(Idempotency, AnotherVendorsReplayOfARequestIdDoesNotRevealTheFirstResult) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto owner = env.Connect(MemoryTestEnv::OwnerKey(alice));
  auto claude = env.Connect(MemoryTestEnv::AgentKey(alice, "claude"));
  CallResult secret = owner->Call("write_memory", {{"title", "bank pin"}, {"content", "TOPSECRET 4321"},
                                                   {"allowed_vendors", json::array{}}});
  ASSERT_FALSE(secret.is_error) << secret.error_message;
  const json::object read = {{"id", secret.id()}, {"request_id", "r1"}};
  ASSERT_FALSE(owner->Call("get_memory_by_id", read).is_error);

  CallResult replay = claude->Call("get_memory_by_id", read);
  EXPECT_EQ(replay.error_code, "idempotency_conflict");
  EXPECT_EQ(json::serialize(replay.structured).find("TOPSECRET"), std::string::npos);
  EXPECT_EQ(claude->Call("get_memory_by_id", {{"id", secret.id()}}).error_code, "not_found");
  // The owner's own replay still answers the first result.
  CallResult again = owner->Call("get_memory_by_id", read);
  ASSERT_FALSE(again.is_error) << again.error_message;
  EXPECT_EQ(Str(again.memory().at("content")), "TOPSECRET 4321");
}

TEST_P(Idempotency, FailedCallsAreNotRecordedSoARetryCanSucceed) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto c = env.Connect(MemoryTestEnv::OwnerKey(alice));
  EXPECT_EQ(c->Call("get_memory_by_id", {{"id", "later"}, {"request_id", "r"}}).error_code, "not_found");
  EXPECT_EQ(env.Count("SELECT count(*) FROM idempotency_keys"), 0);
  CallResult w = c->Call("write_memory", {{"title", "a"}, {"content", "c"}, {"request_id", "r"}});
  EXPECT_FALSE(w.is_error) << w.error_message;
}

TEST_P(Idempotency, ARepeatedDeleteAnswersTheFirstResultInsteadOfNotFound) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto c = env.Connect(MemoryTestEnv::OwnerKey(alice));
  std::string id = c->Call("write_memory", {{"title", "a"}, {"content", "c"}}).id();
  CallResult first = c->Call("delete_memory", {{"id", id}, {"request_id", "del"}});
  ASSERT_FALSE(first.is_error);
  CallResult retry = c->Call("delete_memory", {{"id", id}, {"request_id", "del"}});
  EXPECT_FALSE(retry.is_error);
  EXPECT_EQ(retry.structured, first.structured);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events WHERE operation = 'memory_write'"), 2);
}

TEST_P(Idempotency, RequestIdLimits) {
  MemoryTestEnv env(GetParam());
  if (!env.unavailable().empty()) GTEST_SKIP() << env.unavailable();
  std::string alice = env.AddUser("alice@example.com", "pro");
  auto c = env.Connect(MemoryTestEnv::OwnerKey(alice));
  EXPECT_EQ(c->Call("read_memories", {{"request_id", std::string(129, 'r')}}).error_code, "validation_error");
  EXPECT_FALSE(c->Call("read_memories", {{"request_id", std::string(128, 'r')}}).is_error);
  EXPECT_EQ(c->Call("read_memories", {{"request_id", 7}}).error_code, "validation_error");
}

}  // namespace
}  // namespace rm::testing
