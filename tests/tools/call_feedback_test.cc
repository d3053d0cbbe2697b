// MCP's per-call features on the real memory tools (issue 4), one section each.
// Every call goes through mcp::Session and the real tool registry, as a transport
// would send it.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "tests/tools/memory_test_env.h"
#include "tools/memory_input.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

// --------------------------------------------------------------- helpers

json::object CallParams(std::string_view tool, json::object arguments) {
  return {{"name", tool}, {"arguments", std::move(arguments)}};
}

json::object CallParams(std::string_view tool, json::object arguments, json::value progress_token) {
  json::object params = CallParams(tool, std::move(arguments));
  params["_meta"] = json::object{{"progressToken", std::move(progress_token)}};
  return params;
}

std::vector<json::object> OfMethod(const std::vector<json::object>& notifications, std::string_view method) {
  std::vector<json::object> out;
  for (const json::object& n : notifications) {
    if (n.at("method").as_string() == method) out.push_back(n.at("params").as_object());
  }
  return out;
}

// Writes memories straight through the service, as the owner (no MCP traffic).
void WriteAsOwner(MemoryTestEnv& env, const std::string& user, const std::string& title,
                  std::vector<std::string> tags = {}, std::vector<std::string> vendors = {"*"}) {
  tools::NewMemory memory;
  memory.title = title;
  memory.content = "notes about " + title;
  memory.tags = std::move(tags);
  memory.allowed_vendors = std::move(vendors);
  tools::MemoryService::Reply reply =
      env.service().WriteMemory(tools::Caller{user, std::nullopt, "api"}, std::nullopt, memory, std::nullopt);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
}

// --------------------------------------------------------------- progress

std::vector<json::object> Progress(const Client& client) {
  return OfMethod(client.notifications(), "notifications/progress");
}

TEST(Progress, SearchWithATokenReportsStartEachStageAndDone) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  WriteAsOwner(env, alice, "billing migration");
  WriteAsOwner(env, alice, "holiday plans");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));

  // No memory holds both words, so the search tries again with any word.
  std::optional<json::object> response =
      client->TryRequest("tools/call", CallParams("search_memories", {{"term", "billing holiday"}}, "search-7"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->at("result").at("structuredContent").at("match").as_string(), "any");

  // The session's sink recorded these before Handle returned the response.
  std::vector<json::object> progress = Progress(*client);
  ASSERT_EQ(progress.size(), 4u);
  std::vector<std::string> messages;
  double last = -1;
  for (const json::object& p : progress) {
    EXPECT_EQ(p.at("progressToken").as_string(), "search-7");
    const double value = p.at("progress").to_number<double>();
    EXPECT_GT(value, last);
    last = value;
    messages.emplace_back(p.at("message").as_string());
  }
  EXPECT_EQ(messages, (std::vector<std::string>{"started", "searching: every word must match",
                                                 "searching: any word may match", "done"}));
  EXPECT_FALSE(progress.front().contains("total"));  // not known yet: the second pass may not run
  EXPECT_EQ(progress.back().at("total").to_number<double>(), progress.back().at("progress").to_number<double>());
}

TEST(Progress, WriteWithAnIntegerTokenReportsStartAndDone) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));

  ASSERT_TRUE(client->TryRequest("tools/call", CallParams("write_memory", {{"title", "t"}, {"content", "c"}}, 42)));

  std::vector<json::object> progress = Progress(*client);
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_EQ(progress[0].at("progressToken").as_int64(), 42);
  EXPECT_EQ(progress[0].at("progress").as_int64(), 0);
  EXPECT_EQ(progress[1].at("progress").as_int64(), 1);
  EXPECT_EQ(progress[1].at("total").as_int64(), 1);
  EXPECT_EQ(progress[1].at("message").as_string(), "done");
}

TEST(Progress, FailedCallEndsItsProgressWithTheErrorCode) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));

  ASSERT_TRUE(client->TryRequest("tools/call", CallParams("get_memory_by_id", {{"id", "missing"}}, "g1")));

  std::vector<json::object> progress = Progress(*client);
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_EQ(progress[1].at("message").as_string(), "failed: not_found");
}

TEST(Progress, NoProgressWithoutAToken) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));
  EXPECT_FALSE(client->Call("write_memory", {{"title", "t"}, {"content", "c"}}).is_error);
  EXPECT_FALSE(client->Call("search_memories", {{"term", "t"}}).is_error);
  EXPECT_TRUE(Progress(*client).empty());
}

// --------------------------------------------------------------- cancellation

bool IsProgressMessage(const json::object& notification, std::string_view message) {
  if (notification.at("method").as_string() != "notifications/progress") return false;
  const json::value* text = notification.at("params").as_object().if_contains("message");
  return text && text->as_string() == message;
}

// Sends notifications/cancelled for the next request `client` makes, from inside
// that request, the first time the server notifies something `when` accepts.
void CancelNextRequestWhen(Client& client, std::function<bool(const json::object&)> when) {
  client.on_notification = [&client, id = client.next_request_id(), when = std::move(when),
                            sent = false](const json::object& notification) mutable {
    if (sent || !when(notification)) return;
    sent = true;
    client.Notify("notifications/cancelled", {{"requestId", id}, {"reason", "the user pressed stop"}});
  };
}

std::int64_t UsageRows(MemoryTestEnv& env, const std::string& operation) {
  return env.Count("SELECT count(*) FROM usage_events WHERE operation = '" + operation + "'");
}

TEST(Cancellation, WriteCancelledBeforeItStartsWritesNothing) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));
  CancelNextRequestWhen(*client, [](const json::object& n) { return IsProgressMessage(n, "started"); });

  std::optional<json::object> response = client->TryRequest(
      "tools/call", CallParams("write_memory", {{"title", "never"}, {"content", "written"}}, "w1"));

  EXPECT_FALSE(response) << "a cancelled request gets no response: " << json::serialize(*response);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 0);
  EXPECT_EQ(env.Count("SELECT count(*) FROM usage_events"), 0);
  // The connection goes on as before.
  client->on_notification = nullptr;
  EXPECT_FALSE(client->Call("write_memory", {{"title", "later"}, {"content", "written"}}).is_error);
  EXPECT_EQ(env.Count("SELECT count(*) FROM memories"), 1);
}

TEST(Cancellation, SearchCancelledBeforeItStartsIsNotMetered) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  WriteAsOwner(env, alice, "quarterly report");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));
  CancelNextRequestWhen(*client, [](const json::object& n) { return IsProgressMessage(n, "started"); });

  EXPECT_FALSE(client->TryRequest("tools/call", CallParams("search_memories", {{"term", "report"}}, "s1")));
  EXPECT_EQ(UsageRows(env, "query"), 0);

  // Control: the same search, not cancelled, is metered.
  client->on_notification = nullptr;
  EXPECT_FALSE(client->Call("search_memories", {{"term", "report"}}).is_error);
  EXPECT_EQ(UsageRows(env, "query"), 1);
}

TEST(Cancellation, SearchCancelledWhileSQLiteRunsItStopsAndIsNotMetered) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com", "team");
  for (int i = 0; i < 400; ++i) WriteAsOwner(env, alice, "weekly report " + std::to_string(i));
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));
  // This stage is announced inside the read transaction, just before the search's
  // statements step: only SQLite's interruption can stop it from here on.
  CancelNextRequestWhen(*client, [](const json::object& n) {
    return IsProgressMessage(n, "searching: every word must match");
  });

  EXPECT_FALSE(client->TryRequest("tools/call", CallParams("search_memories", {{"term", "weekly report"}}, "s2")));

  // Had SQLite not stopped it, the search would have succeeded and been metered (as below).
  EXPECT_EQ(UsageRows(env, "query"), 0);

  client->on_notification = nullptr;
  CallResult control = client->Call("search_memories", {{"term", "weekly report"}});
  EXPECT_FALSE(control.is_error) << control.error_message;
  EXPECT_EQ(control.structured.at("results").as_array().size(), 10u);
  EXPECT_EQ(UsageRows(env, "query"), 1);
}

// --------------------------------------------------------------- logging

std::vector<json::object> LogMessages(const Client& client) {
  return OfMethod(client.notifications(), "notifications/message");
}

void SetLogLevel(Client& client, std::string_view level) {
  json::object response = client.Request("logging/setLevel", {{"level", level}});
  ASSERT_TRUE(response.contains("result")) << json::serialize(response);
}

TEST(Logging, AtDebugEveryToolCallIsLoggedWithOutcomeAndTime) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));
  SetLogLevel(*client, "debug");

  EXPECT_FALSE(client->Call("write_memory", {{"title", "t"}, {"content", "c"}}).is_error);
  EXPECT_TRUE(client->Call("get_memory_by_id", {{"id", "missing"}}).is_error);

  std::vector<json::object> logs = LogMessages(*client);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].at("level").as_string(), "debug");
  EXPECT_EQ(logs[0].at("logger").as_string(), "tools");
  const json::object& data = logs[0].at("data").as_object();
  EXPECT_EQ(data.at("tool").as_string(), "write_memory");
  EXPECT_EQ(data.at("outcome").as_string(), "ok");
  EXPECT_GE(data.at("ms").to_number<double>(), 0.0);
  EXPECT_NE(std::string(data.at("message").as_string()).find("write_memory: ok in "), std::string::npos);
  EXPECT_EQ(logs[1].at("data").at("outcome").as_string(), "not_found");
}

TEST(Logging, NothingBelowTheLevelTheClientSet) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));

  // Before any logging/setLevel the core sends info and above: no debug lines.
  EXPECT_FALSE(client->Call("write_memory", {{"title", "t"}, {"content", "c"}}).is_error);
  EXPECT_TRUE(LogMessages(*client).empty());

  SetLogLevel(*client, "error");
  EXPECT_FALSE(client->Call("read_memories", {}).is_error);
  EXPECT_TRUE(client->Call("get_memory_by_id", {{"id", "missing"}}).is_error);  // the client's error, not the server's
  EXPECT_TRUE(LogMessages(*client).empty());
}

TEST(Logging, WriteThatReachesNinetyPercentOfTheQuotaWarns) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");  // free: 200 memories
  for (int i = 0; i < 178; ++i) WriteAsOwner(env, alice, "memory " + std::to_string(i));
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));

  EXPECT_FALSE(client->Call("write_memory", {{"title", "179th"}, {"content", "c"}}).is_error);
  EXPECT_TRUE(LogMessages(*client).empty()) << "179 of 200 is under 90 %";

  EXPECT_FALSE(client->Call("write_memory", {{"title", "180th"}, {"content", "c"}}).is_error);
  std::vector<json::object> logs = LogMessages(*client);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].at("level").as_string(), "warning");
  EXPECT_EQ(logs[0].at("logger").as_string(), "quota");
  const std::string message(logs[0].at("data").at("message").as_string());
  EXPECT_NE(message.find("180 of the 200 memories the free plan allows"), std::string::npos) << message;

  // A write that fails warns of nothing: its memory was not added.
  EXPECT_TRUE(client->Call("write_memory", {{"title", "t"}, {"content", "c"}, {"memory_type", "nope"}}).is_error);
  EXPECT_EQ(LogMessages(*client).size(), 1u);
}

TEST(Logging, ServerFailureIsLoggedAtError) {
  MemoryTestEnv env;
  const std::string alice = env.AddUser("alice@example.com");
  auto client = env.Connect(MemoryTestEnv::OwnerKey(alice));
  SetLogLevel(*client, "error");
  // Break the database under the server: every call now fails inside SQLite.
  ASSERT_TRUE(env.db().Write([](store::Connection& c) { return c.Exec("ALTER TABLE users RENAME TO users_gone"); }).ok());

  CallResult result = client->Call("read_memories", {});
  ASSERT_TRUE(result.is_error);
  EXPECT_EQ(result.error_code, "internal_error");
  std::vector<json::object> logs = LogMessages(*client);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].at("level").as_string(), "error");
  EXPECT_EQ(logs[0].at("data").at("tool").as_string(), "read_memories");
}

// --------------------------------------------------------------- completion

json::object CompleteTopic(Client& client, std::string_view typed) {
  json::object response = client.Request(
      "completion/complete",
      {{"ref", {{"type", "ref/prompt"}, {"name", "recall"}}}, {"argument", {{"name", "topic"}, {"value", typed}}}});
  EXPECT_TRUE(response.contains("result")) << json::serialize(response);
  return response.at("result").at("completion").as_object();
}

std::vector<std::string> Values(const json::object& completion) {
  std::vector<std::string> out;
  for (const json::value& v : completion.at("values").as_array()) out.emplace_back(v.as_string());
  return out;
}

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

class TopicCompletion : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_ = env_.AddUser("alice@example.com", "pro");
    WriteAsOwner(env_, alice_, "Billing migration plan", {"billing", "infra"});
    WriteAsOwner(env_, alice_, "Billing dashboard", {"billing"});
    WriteAsOwner(env_, alice_, "Bicycle commute", {"bikes"});
    WriteAsOwner(env_, alice_, "Lunch order", {"food"});
    // Kept from every vendor but cursor.
    WriteAsOwner(env_, alice_, "Bismuth supplier", {"biotech"}, {"cursor"});
  }

  MemoryTestEnv env_;
  std::string alice_;
};

TEST_F(TopicCompletion, SuggestsTagsThenTitleWordsStartingWithWhatWasTyped) {
  auto owner = env_.Connect(MemoryTestEnv::OwnerKey(alice_));
  std::vector<std::string> values = Values(CompleteTopic(*owner, "BI"));

  for (const std::string& v : values) EXPECT_EQ(tools::AsciiLower(v).rfind("bi", 0), 0u) << v;
  EXPECT_TRUE(Contains(values, "billing"));
  EXPECT_TRUE(Contains(values, "bikes"));
  EXPECT_TRUE(Contains(values, "Bicycle"));
  EXPECT_FALSE(Contains(values, "Billing")) << "the tag 'billing' already suggests it";
  EXPECT_FALSE(Contains(values, "food"));
  // Tags first, the most used first; then title words. The owner has no vendor filter.
  EXPECT_EQ(values, (std::vector<std::string>{"billing", "bikes", "biotech", "Bicycle", "Bismuth"}));
}

TEST_F(TopicCompletion, MemoryHiddenFromTheVendorNeverContributes) {
  auto claude = env_.Connect(MemoryTestEnv::AgentKey(alice_, "claude"));
  std::vector<std::string> values = Values(CompleteTopic(*claude, "bi"));
  EXPECT_TRUE(Contains(values, "billing"));
  EXPECT_FALSE(Contains(values, "biotech"));
  EXPECT_FALSE(Contains(values, "Bismuth"));

  // The vendor it allows, and the owner, do get them.
  auto cursor = env_.Connect(MemoryTestEnv::AgentKey(alice_, "cursor"));
  std::vector<std::string> allowed = Values(CompleteTopic(*cursor, "bi"));
  EXPECT_TRUE(Contains(allowed, "biotech"));
  EXPECT_TRUE(Contains(allowed, "Bismuth"));
}

TEST_F(TopicCompletion, AnotherUsersMemoriesNeverContribute) {
  const std::string bob = env_.AddUser("bob@example.com");
  auto client = env_.Connect(MemoryTestEnv::OwnerKey(bob));
  EXPECT_TRUE(Values(CompleteTopic(*client, "bi")).empty());
}

TEST_F(TopicCompletion, AtMostOneHundredValues) {
  for (int i = 0; i < 120; ++i) WriteAsOwner(env_, alice_, "Widget " + std::to_string(1000 + i));
  auto owner = env_.Connect(MemoryTestEnv::OwnerKey(alice_));

  json::object completion = CompleteTopic(*owner, "1");  // "1000" .. "1119"
  EXPECT_EQ(Values(completion).size(), 100u);
  EXPECT_TRUE(completion.at("hasMore").as_bool());
}

}  // namespace
}  // namespace rm::testing
