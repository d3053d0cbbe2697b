// The stdio transport in-process, over pipes: concurrency and ordering, limits,
// malformed input, cancellation, and the end of input.
#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>

#include "tests/mcp/fixture_server.h"
#include "tests/stdio/child_process.h"
#include "transports/stdio.h"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing_support::LineChannel;

// RunStdio on a thread, with the test holding the other ends of its pipes.
class StdioServer {
 public:
  explicit StdioServer(transports::StdioOptions options = {})
      : seen_(std::make_shared<fixture::Observations>()), server_(fixture::MakeServer(seen_)) {
    int to_server[2], from_server[2];
    testing_support::MakePipe(to_server);
    testing_support::MakePipe(from_server);
    options.input_fd = to_server[0];
    options.output_fd = from_server[1];
    options.handle_signals = false;
    client_.Reset(to_server[1], from_server[0]);
    exit_code_ = std::async(std::launch::async, [this, options, in = to_server[0], out = from_server[1]] {
      const int code = transports::RunStdio(*server_, std::string("pipe-user"), options);
      ::close(in);
      ::close(out);  // the client sees the end of output
      return code;
    });
  }
  ~StdioServer() {
    client_.CloseWrite();
    if (exit_code_.valid()) exit_code_.wait();
  }

  LineChannel& client() { return client_; }
  fixture::Observations& seen() { return *seen_; }

  json::object Next(std::chrono::milliseconds timeout = 10s) {
    auto line = client_.ReadLine(timeout);
    EXPECT_TRUE(line) << "no response within the timeout";
    return line ? json::parse(*line).as_object() : json::object{};
  }
  void Send(const json::object& message) { client_.WriteLine(json::serialize(message)); }
  void Request(int id, std::string_view method, json::object params = {}) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  }
  void Initialize() {
    Request(0, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", json::object{}},
                              {"clientInfo", {{"name", "pipe-client"}, {"version", "1"}}}});
    EXPECT_EQ(Next().at("result").at("protocolVersion"), "2025-11-25");
    Send({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }
  // Closes the input and returns RunStdio's exit code.
  std::optional<int> Finish(std::chrono::seconds timeout = 10s) {
    client_.CloseWrite();
    if (exit_code_.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return exit_code_.get();
  }

 private:
  std::shared_ptr<fixture::Observations> seen_;
  std::unique_ptr<mcp::ServerDefinition> server_;
  LineChannel client_;
  std::future<int> exit_code_;
};

TEST(StdioTransport, SlowToolDoesNotBlockLaterRequests) {
  StdioServer server;
  server.Initialize();
  server.Request(1, "tools/call", {{"name", "slow"}, {"arguments", {{"ms", 400}}}});
  server.Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "fast"}}}});
  server.Request(3, "ping");
  std::vector<int64_t> order;
  for (int i = 0; i < 3; ++i) order.push_back(server.Next().at("id").as_int64());
  EXPECT_EQ(order.back(), 1) << "the slow call must finish last";
  EXPECT_EQ(std::count(order.begin(), order.end(), 2), 1);
  EXPECT_EQ(std::count(order.begin(), order.end(), 3), 1);
}

// The reading thread hands tools/list to another thread and goes on to read and run
// initialize; tools/list must still be judged as it stood when it arrived: before initialize.
TEST(StdioTransport, RequestSentJustBeforeInitializeIsAlwaysRefused) {
  constexpr int kRounds = 300;
  int served = 0;
  for (int round = 0; round < kRounds; ++round) {
    StdioServer server;
    server.client().WriteRaw(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})" "\n"
                             R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})" "\n");
    json::object list = server.Next();
    if (list.at("id") == 2) list = server.Next();
    ASSERT_EQ(list.at("id"), 1);
    if (!list.contains("error")) {
      ++served;
      continue;
    }
    EXPECT_EQ(list.at("error").at("code"), -32600);
  }
  EXPECT_EQ(served, 0) << "tools/list was served before initialize in " << served << " of " << kRounds << " rounds";
}

TEST(StdioTransport, PingIsAnsweredEvenWhenEveryWorkerIsBusy) {
  transports::StdioOptions options;
  options.worker_threads = 2;
  StdioServer server(options);
  server.Initialize();
  for (int id = 1; id <= 3; ++id) server.Request(id, "tools/call", {{"name", "slow"}, {"arguments", {{"ms", 700}}}});
  server.Request(99, "ping");
  auto first = server.Next(500ms);
  EXPECT_EQ(first.at("id"), 99);
}

TEST(StdioTransport, CancelledRequestGetsNoResponse) {
  StdioServer server;
  server.Initialize();
  server.Request(1, "tools/call", {{"name", "slow"}});  // 10 s unless cancelled
  while (server.seen().slow_started.load() == 0) std::this_thread::sleep_for(1ms);
  server.Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 1}}}});
  server.Request(2, "ping");
  EXPECT_EQ(server.Next().at("id"), 2);
  EXPECT_EQ(server.Finish(5s), 0);
  EXPECT_EQ(server.seen().slow_stopped_by_cancel.load(), 1);
  EXPECT_EQ(server.client().ReadRemaining(1s), "") << "the cancelled call must not be answered";
}

// Protocol revision 2026-07-28: no initialize, every request carries its revision in _meta.
json::object ModernMeta() {
  return {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
          {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
}

TEST(StdioTransport, ModernCancelledRequestGetsNoResponse) {
  StdioServer server;  // no initialize
  server.Request(1, "tools/call", {{"name", "slow"}, {"arguments", json::object{}}, {"_meta", ModernMeta()}});
  while (server.seen().slow_started.load() == 0) std::this_thread::sleep_for(1ms);
  server.Send({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 1}}}});
  server.Request(2, "tools/list", {{"_meta", ModernMeta()}});
  const json::object list = server.Next();
  EXPECT_EQ(list.at("id"), 2);
  EXPECT_EQ(list.at("result").at("resultType"), "complete");
  EXPECT_EQ(server.Finish(5s), 0);
  EXPECT_EQ(server.seen().slow_stopped_by_cancel.load(), 1);
  EXPECT_EQ(server.client().ReadRemaining(1s), "") << "the cancelled call must not be answered";
}

// ping does not exist in 2026-07-28; the reader still answers it at once (with -32601),
// so it never waits behind busy workers, in either era.
TEST(StdioTransport, ModernPingIsMethodNotFoundAndAnsweredEvenWhenEveryWorkerIsBusy) {
  transports::StdioOptions options;
  options.worker_threads = 2;
  StdioServer server(options);
  for (int id = 1; id <= 3; ++id) {
    server.Request(id, "tools/call", {{"name", "slow"}, {"arguments", {{"ms", 700}}}, {"_meta", ModernMeta()}});
  }
  server.Request(99, "ping", {{"_meta", ModernMeta()}});
  auto first = server.Next(500ms);
  EXPECT_EQ(first.at("id"), 99);
  EXPECT_EQ(first.at("error").at("code"), -32601);
}

TEST(StdioTransport, OverLongLineIsRefusedAndTheServerGoesOn) {
  StdioServer server;  // the default limit: 4 MiB
  server.Initialize();
  // 5 MiB of a string, written from another thread while the server reads.
  std::string huge = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":")" +
                     std::string(5 * 1024 * 1024, 'x') + "\"}}}";
  auto writer = std::async(std::launch::async, [&] { return server.client().WriteLine(huge); });
  auto error = server.Next();
  EXPECT_TRUE(writer.get());
  EXPECT_EQ(error.at("error").at("code"), -32600);
  EXPECT_TRUE(error.at("id").is_null());
  EXPECT_NE(std::string(error.at("error").at("message").as_string()).find("4194304"), std::string::npos);
  server.Request(2, "ping");
  EXPECT_EQ(server.Next().at("id"), 2);
}

TEST(StdioTransport, LineJustUnderTheLimitIsHandled) {
  transports::StdioOptions options;
  options.max_line_bytes = 200;
  StdioServer server(options);
  server.Initialize();
  std::string line = R"({"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":")";
  line += std::string(200 - line.size() - 3, 'p') + "\"}}";
  ASSERT_EQ(line.size(), 200u);
  server.client().WriteLine(line);
  EXPECT_EQ(server.Next().at("id"), 5);
  server.client().WriteLine(line + " ");  // 201 bytes
  EXPECT_EQ(server.Next().at("error").at("code"), -32600);
}

TEST(StdioTransport, InvalidUtf8IsAParseErrorAndTheServerGoesOn) {
  StdioServer server;
  server.Initialize();
  server.client().WriteLine("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xFF\xFE\"}}");
  auto error = server.Next();
  EXPECT_EQ(error.at("error").at("code"), -32700);
  EXPECT_NE(std::string(error.at("error").at("message").as_string()).find("UTF-8"), std::string::npos);
  server.client().WriteLine("not json at all");
  EXPECT_EQ(server.Next().at("error").at("code"), -32700);
  server.Request(2, "ping");
  EXPECT_EQ(server.Next().at("id"), 2);
}

TEST(StdioTransport, AcceptsCrLfBlankLinesAndALastLineWithoutNewline) {
  StdioServer server;
  server.Initialize();
  server.client().WriteRaw("\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n");
  EXPECT_EQ(server.Next().at("id"), 1);
  server.client().WriteRaw("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
  EXPECT_EQ(server.Finish(), 0);
  auto last = server.client().ReadLine();
  ASSERT_TRUE(last);
  EXPECT_EQ(json::parse(*last).at("id"), 2);
}

TEST(StdioTransport, EndOfInputFinishesWorkInProgressThenExitsZero) {
  StdioServer server;
  server.Initialize();
  server.Request(1, "tools/call", {{"name", "slow"}, {"arguments", {{"ms", 300}}}});
  while (server.seen().slow_started.load() == 0) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(server.Finish(), 0);
  auto response = server.client().ReadLine();
  ASSERT_TRUE(response) << "the call in progress must still be answered";
  auto parsed = json::parse(*response);
  EXPECT_EQ(parsed.at("id"), 1);
  EXPECT_EQ(parsed.at("result").at("structuredContent").at("slept"), true);
}

TEST(StdioTransport, ProgressNotificationsShareTheStream) {
  StdioServer server;
  server.Initialize();
  server.Request(1, "tools/call", {{"name", "progress"}, {"_meta", {{"progressToken", "p"}}}});
  int progress = 0;
  for (;;) {
    auto message = server.Next();
    if (message.contains("id")) break;
    EXPECT_EQ(message.at("method"), "notifications/progress");
    ++progress;
  }
  EXPECT_EQ(progress, 3);
}

}  // namespace
