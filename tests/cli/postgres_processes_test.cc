// Two `serve --http` processes on one PostgreSQL database, for what only several processes
// can get wrong (issue 14, build 5): a handshake-era session (Mcp-Session-Id) initialized
// on one process is continued on the other and a DELETE ends it on both; a listener on one
// process hears of a write made on the other (LISTEN/NOTIFY) within a second, and a vendor
// that may not read the memory hears nothing; a revoked key gets 401 from both processes
// within a second and its listen stream on the other process ends.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "tests/cli/cli_runner.h"
#include "tests/http/http_test_client.h"
#include "tests/postgres/throwaway_postgres.h"
#include "tests/stdio/child_process.h"
#include "tests/store/temp_dir.h"

namespace rm::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Key {
  std::string id, secret;
};

class PostgresProcessesTest : public ThrowawayPostgres {
 protected:
  void SetUp() override {
    ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(Cli({"user", "add", "ada@example.com", "--plan", "pro"}).exit_code, 0);
    claude_ = CreateKey("claude");
    cursor_ = CreateKey("cursor");
    for (int i = 0; i < 2; ++i) {
      ports_.push_back(FreePort());
      servers_.push_back(std::make_unique<testing_support::ChildProcess>(
          std::vector<std::string>{RM_CLI_BINARY, "serve", "--http", "127.0.0.1:" + std::to_string(ports_.back()),
                                   "--db", url_, "--rate-limit", "0"},
          /*capture_stderr=*/false));
    }
    for (std::uint16_t p : ports_) ASSERT_TRUE(WaitUntilServing(p)) << "serve on port " << p << " did not start";
  }
  void TearDown() override {
    for (auto& server : servers_) server->Signal(SIGTERM);
    for (auto& server : servers_) server->Wait();
  }

  CliResult Cli(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(url_);
    return RunCli(args, {home_.path().string(), ""});
  }
  Key CreateKey(const std::string& vendor) {
    CliResult r = Cli({"key", "create", "--user", "ada@example.com", "--vendor", vendor, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json::object out = json::parse(r.out).as_object();
    return {std::string(out.at("id").as_string()), std::string(out.at("key").as_string())};
  }

  static bool WaitUntilServing(std::uint16_t port) {
    for (int i = 0; i < 100; ++i) {
      try {
        http_test::Client client(port);
        if (client.Send("GET", "/healthz").status == 200) return true;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // A handshake-era POST /mcp to process `which`.
  http_test::Response Legacy(int which, const Key& key, const std::string& session, const json::object& message) {
    http_test::Headers headers = {{"Authorization", "Bearer " + key.secret},
                                  {"Content-Type", "application/json"},
                                  {"Accept", "application/json, text/event-stream"}};
    if (!session.empty()) {
      headers.emplace_back("Mcp-Session-Id", session);
      headers.emplace_back("MCP-Protocol-Version", "2025-06-18");
    }
    http_test::Client client(Port(which));
    return client.Send("POST", "/mcp", headers, json::serialize(message));
  }
  std::string Initialize(int which, const Key& key) {
    http_test::Response r =
        Legacy(which, key, "",
               {{"jsonrpc", "2.0"},
                {"id", 1},
                {"method", "initialize"},
                {"params", {{"protocolVersion", "2025-06-18"},
                            {"capabilities", json::object{}},
                            {"clientInfo", {{"name", "two-process-client"}, {"version", "1"}}}}}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.headers["mcp-session-id"];
  }
  static json::object Request(int id, const std::string& method, json::object params = {}) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  }
  // The JSON-RPC response in a reply (plain JSON, or the last data: line of an event stream).
  static json::object Body(const http_test::Response& r) {
    std::string text = r.body;
    if (auto at = text.rfind("data: "); at != std::string::npos) {
      text = text.substr(at + 6);
      text = text.substr(0, text.find('\n'));
    }
    return json::parse(text).as_object();
  }

  // One stateless 2026-07-28 tools/call to process `which`; the tool's structured result.
  json::object Call(int which, const Key& key, const std::string& tool, json::object args) {
    json::object meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                      {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
    json::object request{{"jsonrpc", "2.0"},
                         {"id", 1},
                         {"method", "tools/call"},
                         {"params", {{"name", tool}, {"arguments", std::move(args)}, {"_meta", std::move(meta)}}}};
    http_test::Client client(Port(which));
    http_test::Response r = client.Send("POST", "/mcp",
                                        {{"Authorization", "Bearer " + key.secret},
                                         {"Content-Type", "application/json"},
                                         {"Accept", "application/json, text/event-stream"},
                                         {"MCP-Protocol-Version", "2026-07-28"},
                                         {"Mcp-Method", "tools/call"},
                                         {"Mcp-Name", tool}},
                                        json::serialize(request));
    EXPECT_EQ(r.status, 200) << r.body;
    json::object result = Body(r).at("result").as_object();
    return result.at("structuredContent").as_object();
  }

  // A 2026-07-28 subscriptions/listen stream on process `which`, acknowledged.
  std::unique_ptr<http_test::Client> Listen(int which, const Key& key) {
    const std::string body =
        R"({"jsonrpc":"2.0","id":"L1","method":"subscriptions/listen","params":{"_meta":{)"
        R"("io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}},)"
        R"("notifications":{"resourcesListChanged":true,"resourceSubscriptions":["memory://{id}"]}}})";
    auto client = std::make_unique<http_test::Client>(Port(which));
    client->WriteRaw("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key.secret +
                     "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream"
                     "\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body);
    const std::string got = client->ReadUntil("acknowledged");
    EXPECT_NE(got.find("acknowledged"), std::string::npos) << got;
    return client;
  }

  std::uint16_t Port(int which) const { return ports_.at(static_cast<std::size_t>(which)); }

  TempDir home_;
  Key claude_, cursor_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::unique_ptr<testing_support::ChildProcess>> servers_;
};

TEST_F(PostgresProcessesTest, ASessionInitializedOnOneProcessIsContinuedOnTheOther) {
  const std::string session = Initialize(0, claude_);
  ASSERT_EQ(session.size(), 32u);
  http_test::Response initialized =
      Legacy(1, claude_, session, {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  EXPECT_EQ(initialized.status, 202) << initialized.body;

  http_test::Response listed = Legacy(1, claude_, session, Request(2, "tools/list"));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_GT(Body(listed).at("result").at("tools").as_array().size(), 5u) << listed.body;

  http_test::Response written = Legacy(
      1, claude_, session,
      Request(3, "tools/call",
              {{"name", "write_memory"},
               {"arguments", {{"title", "Session on B"}, {"content", "Written through a session made on A."}}}}));
  ASSERT_EQ(written.status, 200) << written.body;
  json::object result = Body(written).at("result").as_object();
  ASSERT_FALSE(result.contains("isError") && result.at("isError").as_bool()) << written.body;
  const std::string id(result.at("structuredContent").at("memory").at("id").as_string());
  // Back on A, the same session reads it.
  http_test::Response read =
      Legacy(0, claude_, session, Request(4, "tools/call", {{"name", "get_memory_by_id"}, {"arguments", {{"id", id}}}}));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Body(read).at("result").at("structuredContent").at("memory").at("title"), "Session on B");

  // Bound to its key on every process: another key's request with the id finds nothing.
  EXPECT_EQ(Legacy(1, cursor_, session, Request(5, "tools/list")).status, 404);
}

TEST_F(PostgresProcessesTest, ADeletedSessionIsGoneOnBothProcesses) {
  const std::string session = Initialize(0, claude_);
  ASSERT_EQ(Legacy(1, claude_, session, Request(2, "tools/list")).status, 200);  // B holds a copy too
  http_test::Client client(Port(1));
  http_test::Response deleted =
      client.Send("DELETE", "/mcp",
                  {{"Authorization", "Bearer " + claude_.secret}, {"Mcp-Session-Id", session},
                   {"MCP-Protocol-Version", "2025-06-18"}});
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(Legacy(1, claude_, session, Request(3, "tools/list")).status, 404);
  // A re-checks a session it holds at most a second after it last did.
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(Legacy(0, claude_, session, Request(4, "tools/list")).status, 404);
}

TEST_F(PostgresProcessesTest, AListenerOnOneProcessHearsAWriteOnTheOtherIfItMayReadIt) {
  auto claude_listen = Listen(1, claude_);
  auto cursor_listen = Listen(1, cursor_);
  const auto start = Clock::now();
  json::object written = Call(0, claude_, "write_memory",
                              {{"title", "Claude only"}, {"content", "Cursor must not hear of this one."},
                               {"allowed_vendors", {"claude"}}});
  const std::string uri = "memory://" + std::string(written.at("memory").at("id").as_string());
  const std::string heard = claude_listen->ReadUntil(uri, 2s);
  const auto latency = Clock::now() - start;
  ASSERT_NE(heard.find(uri), std::string::npos) << "the listener on B never heard of the write on A:\n" << heard;
  EXPECT_LT(latency, 1s);
  std::printf("[ figure ] write on A -> notification on B: %.1f ms (write included)\n", Ms(latency));
  const std::string cursor_heard = cursor_listen->ReadUntil(uri, 1500ms);
  EXPECT_EQ(cursor_heard.find(uri), std::string::npos) << "cursor heard of a claude-only memory:\n" << cursor_heard;
  EXPECT_EQ(cursor_heard.find("list_changed"), std::string::npos) << cursor_heard;
}

TEST_F(PostgresProcessesTest, ARevokedKeyStopsOnBothProcessesWithinASecond) {
  auto listen = Listen(1, claude_);
  for (int which : {0, 1}) {  // both processes have the key's answer cached
    EXPECT_FALSE(Call(which, claude_, "read_memories", {}).contains("is_error"));
  }
  ASSERT_EQ(Cli({"key", "revoke", claude_.id}).exit_code, 0);
  const auto revoked = Clock::now();
  std::vector<bool> refused(2, false);
  std::vector<double> refused_after(2, 0);
  while (Clock::now() - revoked < 3s && !(refused[0] && refused[1])) {
    for (int which : {0, 1}) {
      if (refused[static_cast<std::size_t>(which)]) continue;
      http_test::Response r = Legacy(which, claude_, "", Request(1, "ping"));
      if (r.status == 401) {
        refused[static_cast<std::size_t>(which)] = true;
        refused_after[static_cast<std::size_t>(which)] = Ms(Clock::now() - revoked);
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(refused[0] && refused[1]);
  EXPECT_LT(refused_after[0], 1000.0);
  EXPECT_LT(refused_after[1], 1000.0);
  // The stream on B ends: its final result, then the chunked body's end.
  const std::string got = listen->ReadUntil("\r\n0\r\n\r\n", 3s);
  const double ended_after = Ms(Clock::now() - revoked);
  EXPECT_NE(got.find("\r\n0\r\n\r\n"), std::string::npos) << got;
  // A second for the re-check, and the scheduling of a loaded test machine.
  EXPECT_LT(ended_after, 1300.0);
  std::printf("[ figure ] revocation -> 401 on A %.0f ms, on B %.0f ms; listen on B ended %.0f ms\n",
              refused_after[0], refused_after[1], ended_after);
}

}  // namespace
}  // namespace rm::testing
