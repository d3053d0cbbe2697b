// Requests running at once on one session: cancellation, pings during slow work,
// duplicate ids; and the notifications a running request sends (progress, logging).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "tests/mcp/fixture_server.h"
#include "tests/mcp/session_client.h"

namespace {

namespace json = boost::json;
using fixture::ErrorCode;
using namespace std::chrono_literals;

class Concurrency : public ::testing::Test {
 protected:
  Concurrency()
      : seen_(std::make_shared<fixture::Observations>()), server_(fixture::MakeServer(seen_)), client_(*server_) {}

  void WaitForSlowToStart(int count = 1) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (seen_->slow_started.load() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(seen_->slow_started.load(), count);
  }

  std::future<std::optional<std::string>> StartSlow(std::string id_json) {
    return std::async(std::launch::async, [this, id_json] {
      return client_.session().Handle(R"({"jsonrpc":"2.0","id":)" + id_json +
                                      R"(,"method":"tools/call","params":{"name":"slow"}})");
    });
  }

  std::shared_ptr<fixture::Observations> seen_;
  std::unique_ptr<mcp::ServerDefinition> server_;
  fixture::SessionClient client_;
};

TEST_F(Concurrency, CancellationStopsTheWorkAndSuppressesTheResponse) {
  client_.Initialize();
  auto slow = StartSlow(R"("slow-1")");
  WaitForSlowToStart();
  EXPECT_EQ(client_.session().requests_in_flight(), 1u);
  client_.Notify("notifications/cancelled", {{"requestId", "slow-1"}, {"reason", "user pressed stop"}});
  ASSERT_EQ(slow.wait_for(5s), std::future_status::ready) << "the handler did not see the cancellation";
  EXPECT_FALSE(slow.get().has_value());
  EXPECT_EQ(seen_->slow_stopped_by_cancel.load(), 1);
  EXPECT_EQ(client_.session().requests_in_flight(), 0u);
}

TEST_F(Concurrency, CancellingAnUnknownOrFinishedRequestIsHarmless) {
  client_.Initialize();
  client_.Notify("notifications/cancelled", {{"requestId", 12345}});
  auto response = client_.Request("ping");  // a later request with any id is unaffected
  EXPECT_TRUE(response.contains("result"));
}

TEST_F(Concurrency, PingIsAnsweredWhileASlowToolRuns) {
  client_.Initialize();
  auto slow = StartSlow("1000");
  WaitForSlowToStart();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client_.Request("ping").at("result"), json::object{});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(slow.wait_for(0s), std::future_status::timeout);  // still running
  client_.session().CancelAll();
  ASSERT_EQ(slow.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(slow.get().has_value());
}

TEST_F(Concurrency, ADuplicateIdInFlightIsRefused) {
  client_.Initialize();
  auto slow = StartSlow("7");
  WaitForSlowToStart();
  auto duplicate = client_.Send(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(ErrorCode(duplicate->as_object()), -32600);
  // The same value as a string is a different id.
  EXPECT_TRUE(client_.Send(R"({"jsonrpc":"2.0","id":"7","method":"ping"})")->as_object().contains("result"));
  client_.Notify("notifications/cancelled", {{"requestId", 7}});
  ASSERT_EQ(slow.wait_for(5s), std::future_status::ready);
}

TEST_F(Concurrency, ManyThreadsShareOneSession) {
  client_.Initialize();
  std::vector<std::future<bool>> workers;
  for (int t = 0; t < 8; ++t) {
    workers.push_back(std::async(std::launch::async, [this, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string id = std::to_string(t * 1000 + i);
        auto response = client_.session().Handle(
            R"({"jsonrpc":"2.0","id":)" + id +
            R"(,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}})");
        if (!response || json::parse(*response).at("id").to_number<int>() != t * 1000 + i) return false;
      }
      return true;
    }));
  }
  for (auto& w : workers) EXPECT_TRUE(w.get());
  EXPECT_EQ(client_.session().requests_in_flight(), 0u);
}

std::vector<json::object> OfMethod(const std::vector<json::object>& all, std::string_view method) {
  std::vector<json::object> out;
  for (const auto& n : all) {
    if (n.at("method").as_string() == method) out.push_back(n);
  }
  return out;
}

TEST_F(Concurrency, ProgressIsSentOnlyWhenAskedAndOnlyIncreasing) {
  client_.Initialize("2025-11-25");
  client_.CallTool("progress");
  EXPECT_TRUE(OfMethod(client_.Notifications(), "notifications/progress").empty());

  auto response = client_.Request("tools/call", {{"name", "progress"}, {"_meta", {{"progressToken", "tok-1"}}}});
  EXPECT_EQ(response.at("result").at("isError"), false);
  auto progress = OfMethod(client_.Notifications(), "notifications/progress");
  ASSERT_EQ(progress.size(), 3u);  // the step that went backwards was dropped
  for (int i = 0; i < 3; ++i) {
    const auto& params = progress[i].at("params");
    EXPECT_EQ(params.at("progressToken"), "tok-1");
    EXPECT_EQ(params.at("progress"), i + 1);  // whole numbers go out as integers
    EXPECT_EQ(params.at("total"), 3);
    EXPECT_EQ(params.at("message"), json::value("step " + std::to_string(i + 1)));
  }
}

TEST(Progress, OldestRevisionGetsNoMessageField) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  fixture::SessionClient client(*server);
  client.Initialize("2024-11-05");
  client.Request("tools/call", {{"name", "progress"}, {"_meta", {{"progressToken", 5}}}});
  auto progress = OfMethod(client.Notifications(), "notifications/progress");
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress[0].at("params").at("progressToken"), 5);
  EXPECT_FALSE(progress[0].at("params").as_object().contains("message"));
}

std::vector<std::string> LoggedLevels(fixture::SessionClient& client) {
  std::vector<std::string> levels;
  for (const auto& n : OfMethod(client.Notifications(), "notifications/message")) {
    levels.emplace_back(n.at("params").at("level").as_string());
    EXPECT_EQ(n.at("params").at("logger"), "fixture");
    EXPECT_EQ(n.at("params").at("data"), n.at("params").at("level"));
  }
  return levels;
}

TEST_F(Concurrency, LoggingHonoursTheLevelTheClientSets) {
  client_.Initialize();
  client_.CallTool("log");
  EXPECT_EQ(LoggedLevels(client_),
            (std::vector<std::string>{"info", "notice", "warning", "error", "critical", "alert", "emergency"}));

  EXPECT_EQ(client_.Request("logging/setLevel", {{"level", "error"}}).at("result"), json::object{});
  client_.CallTool("log");
  EXPECT_EQ(LoggedLevels(client_).size(), 7u + 4u);

  client_.Request("logging/setLevel", {{"level", "debug"}});
  client_.CallTool("log");
  EXPECT_EQ(LoggedLevels(client_).size(), 7u + 4u + 8u);

  auto bad = client_.Request("logging/setLevel", {{"level", "verbose"}});
  EXPECT_EQ(ErrorCode(bad), -32602);
  EXPECT_NE(fixture::ErrorMessage(bad).find("verbose"), std::string::npos);
}

TEST_F(Concurrency, NotificationsFollowTheRequestSinkWhenGiven) {
  client_.Initialize();
  std::vector<std::string> stream;  // e.g. the SSE stream of one HTTP POST
  auto response = client_.session().Handle(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"progress","_meta":{"progressToken":1}}})",
      [&stream](std::string message) { stream.push_back(std::move(message)); });
  ASSERT_TRUE(response);
  EXPECT_EQ(stream.size(), 3u);
  EXPECT_TRUE(OfMethod(client_.Notifications(), "notifications/progress").empty());
}

TEST(CallContext, DetachedContextIsInertButKnowsTheCaller) {
  mcp::CallContext ctx(std::string("bob"), "claude-code");
  EXPECT_EQ(*std::any_cast<std::string>(&ctx.principal()), "bob");
  EXPECT_EQ(ctx.client_name(), "claude-code");
  EXPECT_EQ(ctx.protocol_version(), "2025-11-25");
  EXPECT_FALSE(ctx.cancelled());
  ctx.progress(1, 2, "nothing to send to");  // must not crash
  ctx.log(mcp::LogLevel::kEmergency, "x", "nobody listens");
}

}  // namespace
