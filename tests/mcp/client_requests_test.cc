// Requests the server sends to its client while a tool runs (sampling, elicitation):
// the answer reaches the waiting tool; errors, timeouts, cancellation and missing client
// capabilities fail cleanly. Also binary resource contents.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "mcp/session.h"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// What the session sends to the client, with a way to wait for the next message.
class Outbox {
 public:
  mcp::OutboundSink sink() {
    return [this](std::string message) {
      std::lock_guard lock(mutex_);
      messages_.push_back(json::parse(message).as_object());
      arrived_.notify_all();
    };
  }
  std::optional<json::object> Next(std::chrono::milliseconds wait = 2000ms) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, wait, [this] { return !messages_.empty(); })) return std::nullopt;
    json::object front = std::move(messages_.front());
    messages_.pop_front();
    return front;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<json::object> messages_;
};

// One tool, "ask": sends `method` to the client and reports what came back.
std::unique_ptr<mcp::ServerDefinition> AskingServer() {
  auto server = std::make_unique<mcp::ServerDefinition>();
  mcp::Tool ask;
  ask.name = "ask";
  ask.description = "Asks the client";
  ask.input_schema = json::parse(R"({"type":"object","properties":{"method":{"type":"string"},
      "timeout_ms":{"type":"integer"}},"required":["method"]})").as_object();
  ask.handler = [](const json::object& args, mcp::CallContext& ctx) {
    const auto* timeout = args.if_contains("timeout_ms");
    auto answer = ctx.request(args.at("method").as_string(),
                              json::object{{"messages", json::array{}}, {"maxTokens", 10}},
                              timeout ? std::chrono::milliseconds(timeout->to_number<int64_t>()) : 2000ms);
    if (!answer.ok()) return mcp::ToolResult::Error(answer.status().code_name(), answer.status().message());
    return mcp::ToolResult::Ok(json::object{{"answer", *answer}});
  };
  server->tools.Add(std::move(ask));
  return server;
}

class ClientRequests : public ::testing::Test {
 protected:
  void Initialize(json::object capabilities) {
    auto response = session_.Handle(json::serialize(json::object{
        {"jsonrpc", "2.0"},
        {"id", 1},
        {"method", "initialize"},
        {"params",
         {{"protocolVersion", "2025-11-25"},
          {"capabilities", std::move(capabilities)},
          {"clientInfo", {{"name", "test"}, {"version", "1"}}}}}}));
    ASSERT_TRUE(response && response->find("\"result\"") != std::string::npos) << response.value_or("");
  }

  // Calls "ask" on another thread (it blocks until the client answers); returns its result.
  std::future<json::object> Ask(std::string_view method, int timeout_ms = 2000) {
    json::object call{{"jsonrpc", "2.0"},
                      {"id", 7},
                      {"method", "tools/call"},
                      {"params", {{"name", "ask"}, {"arguments", {{"method", method}, {"timeout_ms", timeout_ms}}}}}};
    return std::async(std::launch::async, [this, text = json::serialize(call)] {
      auto response = session_.Handle(text, outbox_.sink());
      if (!response) return json::object{};
      return json::parse(*response).at("result").as_object();
    });
  }

  void Answer(const json::value& id, json::object body) {
    body["jsonrpc"] = "2.0";
    body["id"] = id;
    EXPECT_FALSE(session_.Handle(json::serialize(body)).has_value());  // a response gets no response
  }

  std::unique_ptr<mcp::ServerDefinition> server_ = AskingServer();
  Outbox outbox_;
  mcp::Session session_{*server_, std::any(), [](std::string) {}};
};

TEST_F(ClientRequests, TheClientsAnswerReachesTheWaitingTool) {
  Initialize({{"sampling", json::object{}}});
  auto result = Ask("sampling/createMessage");
  auto request = outbox_.Next();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->at("method"), "sampling/createMessage");
  EXPECT_EQ(request->at("params").at("maxTokens"), 10);
  ASSERT_TRUE(request->contains("id"));

  Answer(request->at("id"), {{"result", {{"role", "assistant"}, {"model", "m"}, {"content", {{"type", "text"}, {"text", "hi"}}}}}});
  const json::object r = result.get();
  EXPECT_EQ(r.at("isError"), false);
  EXPECT_EQ(r.at("structuredContent").at("answer").at("content").at("text"), "hi");
}

TEST_F(ClientRequests, EachRequestGetsItsOwnId) {
  Initialize({{"sampling", json::object{}}, {"elicitation", json::object{}}});
  auto first = Ask("sampling/createMessage");
  auto first_request = outbox_.Next();
  ASSERT_TRUE(first_request);
  Answer(first_request->at("id"), {{"result", {{"n", 1}}}});
  EXPECT_EQ(first.get().at("structuredContent").at("answer").at("n"), 1);

  auto second = Ask("elicitation/create");
  auto second_request = outbox_.Next();
  ASSERT_TRUE(second_request);
  EXPECT_NE(second_request->at("id"), first_request->at("id"));
  // A late or unknown answer is ignored; the right one still gets through.
  Answer(first_request->at("id"), {{"result", {{"n", 99}}}});
  Answer(json::value("no-such-id"), {{"result", {{"n", 98}}}});
  Answer(second_request->at("id"), {{"result", {{"action", "accept"}}}});
  EXPECT_EQ(second.get().at("structuredContent").at("answer").at("action"), "accept");
}

TEST_F(ClientRequests, AnErrorFromTheClientFailsTheRequest) {
  Initialize({{"elicitation", json::object{}}});
  auto result = Ask("elicitation/create");
  auto request = outbox_.Next();
  ASSERT_TRUE(request);
  Answer(request->at("id"), {{"error", {{"code", -1}, {"message", "User rejected"}}}});
  const json::object r = result.get();
  EXPECT_EQ(r.at("isError"), true);
  const std::string message(r.at("structuredContent").at("error").at("message").as_string());
  EXPECT_NE(message.find("User rejected"), std::string::npos) << message;
}

TEST_F(ClientRequests, NoAnswerInTimeFailsAndTellsTheClientToStop) {
  Initialize({{"sampling", json::object{}}});
  const auto began = std::chrono::steady_clock::now();
  auto result = Ask("sampling/createMessage", 150);
  auto request = outbox_.Next();
  ASSERT_TRUE(request);
  const json::object r = result.get();
  EXPECT_GE(std::chrono::steady_clock::now() - began, 150ms);
  EXPECT_EQ(r.at("isError"), true);
  EXPECT_EQ(r.at("structuredContent").at("error").at("code"), "io_error");
  auto cancelled = outbox_.Next();
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->at("method"), "notifications/cancelled");
  EXPECT_EQ(cancelled->at("params").at("requestId"), request->at("id"));
}

TEST_F(ClientRequests, CancellingTheCallStopsTheWait) {
  Initialize({{"sampling", json::object{}}});
  auto result = Ask("sampling/createMessage", 10000);
  ASSERT_TRUE(outbox_.Next());
  const auto began = std::chrono::steady_clock::now();
  session_.Handle(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}})");
  EXPECT_TRUE(result.get().empty());  // a cancelled call gets no response
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
}

TEST_F(ClientRequests, ClientsWithoutTheCapabilityAreNotAsked) {
  Initialize(json::object{});
  const json::object r = Ask("sampling/createMessage").get();
  EXPECT_EQ(r.at("isError"), true);
  const std::string message(r.at("structuredContent").at("error").at("message").as_string());
  EXPECT_NE(message.find("sampling"), std::string::npos) << message;
  EXPECT_FALSE(outbox_.Next(100ms));  // nothing was sent
}

TEST(ClientRequestsDetached, ADetachedContextCannotAsk) {
  mcp::CallContext ctx;
  auto answer = ctx.request("sampling/createMessage", json::object{});
  EXPECT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), rm::Status::Code::kFailedPrecondition);
}

class BinaryResource : public mcp::ResourceProvider {
 public:
  rm::Result<mcp::ResourcePage> List(const std::optional<std::string>&, mcp::CallContext&) override {
    return mcp::ResourcePage{};
  }
  rm::Result<std::vector<mcp::ResourceContents>> Read(const std::string& uri, mcp::CallContext&) override {
    mcp::ResourceContents png{uri, "image/png", ""};
    png.blob = "iVBORw0KGgo=";
    return std::vector<mcp::ResourceContents>{png, {"test://text", "text/plain", "words"}};
  }
  std::vector<mcp::ResourceTemplate> Templates() const override { return {}; }
};

TEST(ResourceContents, BinaryContentsAreSentAsBlob) {
  mcp::ServerDefinition server;
  server.resources = std::make_shared<BinaryResource>();
  mcp::Session session(server, std::any(), [](std::string) {});
  session.Handle(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
      "capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  auto response = session.Handle(R"({"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"test://png"}})");
  ASSERT_TRUE(response);
  const json::value contents = json::parse(*response).at("result").at("contents");
  EXPECT_EQ(contents.at(0).at("blob"), "iVBORw0KGgo=");
  EXPECT_FALSE(contents.at(0).as_object().contains("text"));
  EXPECT_EQ(contents.at(1).at("text"), "words");
  EXPECT_FALSE(contents.at(1).as_object().contains("blob"));
}

}  // namespace
