// Two `serve --http` processes on one PostgreSQL database (issue 14), as a team would run
// them behind a load balancer: a client that alternates between them per request, in the
// stateless 2026-07-28 era, sees one store — writes, reads, search, request_id replays and
// the vendor filter agree whichever process answers.
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

class PostgresServeTest : public ThrowawayPostgres {
 protected:
  void SetUp() override {
    ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(Cli({"user", "add", "ada@example.com", "--plan", "pro"}).exit_code, 0);
    claude_key_ = Cli({"key", "create", "--user", "ada@example.com", "--vendor", "claude"}).LastLine();
    cursor_key_ = Cli({"key", "create", "--user", "ada@example.com", "--vendor", "cursor"}).LastLine();
    ASSERT_TRUE(claude_key_.starts_with("rm_live_") && cursor_key_.starts_with("rm_live_"));
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

  static bool WaitUntilServing(std::uint16_t port) {
    for (int i = 0; i < 100; ++i) {
      try {
        http_test::Client client(port);
        if (client.Send("GET", "/healthz").status == 200) return true;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // One stateless 2026-07-28 tools/call to server `which`; the tool's structured result.
  json::object Call(int which, const std::string& key, const std::string& tool, json::object args) {
    json::object meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                      {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
    json::object request{{"jsonrpc", "2.0"},
                         {"id", 1},
                         {"method", "tools/call"},
                         {"params", {{"name", tool}, {"arguments", std::move(args)}, {"_meta", std::move(meta)}}}};
    http_test::Client client(ports_.at(static_cast<std::size_t>(which)));
    http_test::Response r = client.Send("POST", "/mcp",
                                        {{"Authorization", "Bearer " + key},
                                         {"Content-Type", "application/json"},
                                         {"Accept", "application/json, text/event-stream"},
                                         {"MCP-Protocol-Version", "2026-07-28"},
                                         {"Mcp-Method", "tools/call"},
                                         {"Mcp-Name", tool}},
                                        json::serialize(request));
    EXPECT_EQ(r.status, 200) << r.body;
    json::value body = json::parse(r.body);
    if (!body.as_object().contains("result")) {
      ADD_FAILURE() << tool << ": " << r.body;
      return {{"is_error", true}};
    }
    const json::object& result = body.at("result").as_object();
    json::object out = result.at("structuredContent").as_object();
    if (result.contains("isError") && result.at("isError").as_bool()) out["is_error"] = true;
    return out;
  }

  TempDir home_;
  std::string claude_key_, cursor_key_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::unique_ptr<testing_support::ChildProcess>> servers_;
};

TEST_F(PostgresServeTest, AClientAlternatingBetweenTwoProcessesSeesOneStore) {
  json::object written = Call(0, claude_key_, "write_memory",
                              {{"title", "Deploy day"}, {"content", "The team moved the memory server to PostgreSQL."},
                               {"tags", {"ops"}}});
  ASSERT_FALSE(written.contains("is_error")) << json::serialize(written);
  const std::string id(written.at("memory").at("id").as_string());

  json::object read = Call(1, claude_key_, "get_memory_by_id", {{"id", id}});
  EXPECT_EQ(read.at("memory").at("title"), "Deploy day") << json::serialize(read);
  json::object updated = Call(1, claude_key_, "update_memory", {{"id", id}, {"title", "Deploy day (done)"}});
  ASSERT_FALSE(updated.contains("is_error")) << json::serialize(updated);
  json::object found = Call(0, claude_key_, "search_memories", {{"term", "postgresql server"}});
  ASSERT_FALSE(found.contains("is_error")) << json::serialize(found);
  ASSERT_EQ(found.at("results").as_array().size(), 1u) << json::serialize(found);
  EXPECT_EQ(found.at("results").as_array()[0].at("title"), "Deploy day (done)");
  json::object history = Call(0, claude_key_, "get_memory_versions", {{"id", id}});
  EXPECT_EQ(history.at("versions").as_array().size(), 1u) << json::serialize(history);
}

TEST_F(PostgresServeTest, ARequestIdSentToBothProcessesAtOnceAppliesOnce) {
  std::vector<json::object> replies(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      replies[static_cast<std::size_t>(i)] =
          Call(i % 2, claude_key_, "write_memory",
               {{"title", "Once"}, {"content", "Written once however often it is sent."}, {"request_id", "req-42"}});
    });
  }
  for (auto& t : threads) t.join();
  for (const json::object& r : replies) {
    ASSERT_FALSE(r.contains("is_error")) << json::serialize(r);
    EXPECT_EQ(r.at("memory").at("id"), replies[0].at("memory").at("id"));  // both got the first result
  }
  json::object list = Call(1, claude_key_, "read_memories", {});
  EXPECT_EQ(list.at("memories").as_array().size(), 1u) << json::serialize(list);
}

TEST_F(PostgresServeTest, TheVendorFilterHoldsWhicheverProcessAnswers) {
  json::object secret = Call(0, cursor_key_, "write_memory",
                             {{"title", "Cursor only"}, {"content", "A memory for cursor alone."},
                              {"allowed_vendors", {"cursor"}}});
  ASSERT_FALSE(secret.contains("is_error")) << json::serialize(secret);
  const std::string id(secret.at("memory").at("id").as_string());
  for (int which : {0, 1}) {
    json::object by_id = Call(which, claude_key_, "get_memory_by_id", {{"id", id}});
    EXPECT_TRUE(by_id.contains("is_error")) << json::serialize(by_id);
    EXPECT_EQ(by_id.at("error").at("code"), "not_found");
    json::object search = Call(which, claude_key_, "search_memories", {{"term", "cursor alone"}});
    EXPECT_EQ(search.at("results").as_array().size(), 0u) << json::serialize(search);
    json::object mine = Call(which, cursor_key_, "get_memory_by_id", {{"id", id}});
    EXPECT_FALSE(mine.contains("is_error")) << json::serialize(mine);
  }
}

}  // namespace
}  // namespace rm::testing
