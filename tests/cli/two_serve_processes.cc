#include "tests/cli/two_serve_processes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace rm::testing {
namespace {
namespace json = boost::json;

// A loopback port nothing listens on right now.
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

}  // namespace

void TwoServeProcesses::SetUp() {
  ThrowawayPostgres::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  ASSERT_EQ(Cli({"user", "add", "ada@example.com", "--plan", "pro"}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {
    ports_.push_back(FreePort());
    std::vector<std::string> command{RM_CLI_BINARY, "serve", "--http", "127.0.0.1:" + std::to_string(ports_.back()),
                                     "--db", url_, "--rate-limit", "0"};
    for (std::string& extra : ExtraServeArguments()) command.push_back(std::move(extra));
    servers_.push_back(std::make_unique<testing_support::ChildProcess>(command, /*capture_stderr=*/false));
  }
  for (std::uint16_t p : ports_) ASSERT_TRUE(WaitUntilServing(p)) << "serve on port " << p << " did not start";
}

void TwoServeProcesses::TearDown() {
  for (auto& server : servers_) server->Signal(SIGTERM);
  for (auto& server : servers_) server->Wait();
}

CliResult TwoServeProcesses::Cli(std::vector<std::string> args) {
  args.push_back("--db");
  args.push_back(url_);
  return RunCli(args, {home_.path().string(), ""});
}

Key TwoServeProcesses::CreateKey(const std::string& vendor, const std::string& email) {
  CliResult r = Cli({"key", "create", "--user", email, "--vendor", vendor, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json::object out = json::parse(r.out).as_object();
  return {std::string(out.at("id").as_string()), std::string(out.at("key").as_string())};
}

bool TwoServeProcesses::WaitUntilServing(std::uint16_t port) {
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

json::object TwoServeProcesses::Body(const http_test::Response& r) {
  std::string text = r.body;
  if (auto at = text.rfind("data: "); at != std::string::npos) {
    text = text.substr(at + 6);
    text = text.substr(0, text.find('\n'));
  }
  return json::parse(text).as_object();
}

json::object TwoServeProcesses::Call(int which, const Key& key, const std::string& tool, json::object args) {
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
  json::object body = Body(r);
  if (!body.contains("result")) {
    ADD_FAILURE() << tool << ": " << r.body;
    return {{"is_error", true}};
  }
  const json::object& result = body.at("result").as_object();
  json::object out = result.at("structuredContent").as_object();
  if (result.contains("isError") && result.at("isError").as_bool()) out["is_error"] = true;
  return out;
}

}  // namespace rm::testing
