// The real `reflect-memory serve --stdio` as a child process on a temporary database,
// the way an IDE launches it: stdout carries protocol messages only (logs go to stderr),
// end of input and SIGTERM end it with exit code 0 once the calls in flight are answered,
// an over-long line is refused without ending the session, a request sent before
// initialize is refused however closely initialize follows it, a key revoked while the
// server runs stops working within a second, and the store it creates is private to its owner.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "store/database.h"
#include "tests/stdio/child_process.h"
#include "tests/stdio/json_rpc_lines.h"
#include "tests/store/temp_dir.h"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing_support::ChildProcess;
using testing_support::JsonRpcMessage;

std::string Request(std::int64_t id, std::string_view method, json::object params = {}) {
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
}

std::string Initialize(std::int64_t id) {
  return Request(id, "initialize",
                 {{"protocolVersion", "2025-11-25"},
                  {"capabilities", json::object{}},
                  {"clientInfo", {{"name", "claude-code"}, {"version", "1"}}}});
}

std::string CallTool(std::int64_t id, std::string_view tool, json::object arguments) {
  return Request(id, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
}

// The same request in protocol revision 2026-07-28: no initialize before it; its revision
// and the client's capabilities and name travel in its own params._meta.
std::string ModernRequest(std::int64_t id, std::string_view method, json::object params = {},
                          std::string_view version = "2026-07-28") {
  params["_meta"] = json::object{{"io.modelcontextprotocol/protocolVersion", version},
                                 {"io.modelcontextprotocol/clientCapabilities", json::object{}},
                                 {"io.modelcontextprotocol/clientInfo", {{"name", "claude-code"}, {"version", "2"}}}};
  return Request(id, method, std::move(params));
}

std::string ModernCallTool(std::int64_t id, std::string_view tool, json::object arguments) {
  return ModernRequest(id, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
}

// A tools/call response whose result reports a failure.
bool IsToolError(const json::object& response) {
  const json::value* result = response.if_contains("result");
  const json::value* is_error = result && result->is_object() ? result->get_object().if_contains("isError") : nullptr;
  return is_error && *is_error == true;
}

class RealStdioServer : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server would act for the user of an API key found in the environment.
    ::unsetenv("REFLECT_API_KEY");
    ::unsetenv("REFLECT_VENDOR");
  }

  std::string database() const { return dir_.File("memory.db"); }

  std::vector<std::string> ServeCommand(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {RM_BINARY, "serve", "--stdio", "--db", database()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // Starts the server and completes initialize.
  std::unique_ptr<ChildProcess> StartInitialized(std::vector<std::string> extra = {}) {
    auto child = std::make_unique<ChildProcess>(ServeCommand(std::move(extra)));
    child->io().WriteLine(Initialize(0));
    json::object response = NextMessage(*child);
    EXPECT_TRUE(response.contains("result")) << json::serialize(response);
    child->io().WriteLine(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    return child;
  }

  struct CommandResult {
    std::optional<int> exit_code;
    std::string out;
  };
  // Runs a `reflect-memory` admin command on this test's database.
  CommandResult Cli(std::vector<std::string> args) const {
    std::vector<std::string> argv = {RM_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--db");
    argv.push_back(database());
    ChildProcess command(argv, /*capture_stderr=*/false);
    command.io().CloseWrite();
    std::string out = command.io().ReadRemaining();
    return {command.Wait(), std::move(out)};
  }

  // The next line on the child's stdout, which must be a JSON-RPC message.
  static json::object NextMessage(ChildProcess& child) {
    auto line = child.io().ReadLine();
    if (!line) {
      ADD_FAILURE() << "no message on stdout within the timeout";
      return {};
    }
    return JsonRpcMessage(*line);
  }

  rm::testing::TempDir dir_;
};

TEST_F(RealStdioServer, StdoutCarriesOnlyProtocolMessagesAndStderrTheDebugLogs) {
  auto child = StartInitialized({"--log-level", "debug"});
  child->io().WriteLine(Request(1, "tools/list"));
  child->io().WriteLine(CallTool(2, "write_memory", {{"title", "Coffee"}, {"content", "Alice drinks her coffee black"}}));
  std::vector<json::object> answers = {NextMessage(*child), NextMessage(*child)};

  const json::object list = testing_support::ResponseTo(answers, 1);
  ASSERT_TRUE(list.contains("result")) << json::serialize(list);
  std::vector<std::string> tools;
  for (const auto& tool : list.at("result").at("tools").as_array()) tools.emplace_back(tool.at("name").as_string());
  EXPECT_NE(std::find(tools.begin(), tools.end(), "search_memories"), tools.end());

  const json::object written = testing_support::ResponseTo(answers, 2);
  ASSERT_TRUE(written.contains("result")) << json::serialize(written);
  ASSERT_FALSE(IsToolError(written)) << json::serialize(written);
  const json::value id = written.at("result").at("structuredContent").at("memory").at("id");

  // Sent once the write is answered: requests run concurrently, so only then is it committed.
  child->io().WriteLine(CallTool(3, "search_memories", {{"term", "coffee"}}));
  const json::object found = NextMessage(*child);
  ASSERT_EQ(found.at("id"), 3) << json::serialize(found);
  const auto& results = found.at("result").at("structuredContent").at("results").as_array();
  ASSERT_EQ(results.size(), 1u) << json::serialize(found);
  EXPECT_EQ(results[0].at("id"), id);

  child->io().CloseWrite();
  EXPECT_TRUE(testing_support::JsonRpcLines(child->io().ReadRemaining()).empty()) << "nothing was left to answer";
  EXPECT_EQ(child->Wait(), 0);
  const std::string logs = child->ReadStderr();
  EXPECT_NE(logs.find("debug stdio: received"), std::string::npos) << "debug logging was on: " << logs;
  EXPECT_NE(logs.find("end of input"), std::string::npos) << logs;
}

TEST_F(RealStdioServer, EndOfInputExitsZero) {
  auto child = StartInitialized();
  child->io().CloseWrite();
  EXPECT_EQ(child->Wait(), 0);
  EXPECT_EQ(child->io().ReadRemaining(), "");
}

TEST_F(RealStdioServer, SigtermWhileACallIsInFlightAnswersItThenExitsZero) {
  auto db = rm::store::Database::Open(database());
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto child = StartInitialized();

  // This process holds the database's write lock, so the server's write waits for it
  // (SQLite's busy timeout) and is still in flight when SIGTERM arrives.
  std::promise<void> locked, release;
  auto holder = std::async(std::launch::async, [&] {
    return (*db)->Write([&](rm::store::Connection&) {
      locked.set_value();
      release.get_future().wait();
      return rm::Status::Ok();
    });
  });
  locked.get_future().wait();
  child->io().WriteLine(CallTool(1, "write_memory", {{"title", "Tea"}, {"content", "Green, no sugar"}}));
  child->io().WriteLine(Request(2, "ping"));
  ASSERT_EQ(NextMessage(*child).at("id"), 2) << "the ping's answer shows the write was read";
  ASSERT_FALSE(child->io().ReadLine(200ms)) << "the write should be waiting for the lock";

  child->Signal(SIGTERM);
  EXPECT_FALSE(child->Wait(300ms)) << "the server exited with a call in flight";
  release.set_value();
  ASSERT_TRUE(holder.get().ok());

  const json::object written = NextMessage(*child);
  EXPECT_EQ(written.at("id"), 1);
  EXPECT_TRUE(written.contains("result")) << json::serialize(written);
  EXPECT_FALSE(IsToolError(written)) << json::serialize(written);
  EXPECT_EQ(child->Wait(), 0);
}

TEST_F(RealStdioServer, LineOverFourMebibytesGetsAnErrorAndTheNextRequestIsServed) {
  auto child = StartInitialized();
  // 5 MiB of content, written from another thread while the server reads (a pipe holds 64 KiB).
  const std::string huge = CallTool(1, "write_memory", {{"title", "Huge"}, {"content", std::string(5 << 20, 'x')}});
  auto writer = std::async(std::launch::async, [&] { return child->io().WriteLine(huge); });
  const json::object refused = NextMessage(*child);
  EXPECT_TRUE(writer.get());
  EXPECT_TRUE(refused.at("id").is_null()) << json::serialize(refused);
  EXPECT_EQ(refused.at("error").at("code"), -32600);
  EXPECT_NE(std::string(refused.at("error").at("message").as_string()).find("4194304"), std::string::npos)
      << json::serialize(refused);

  child->io().WriteLine(Request(2, "tools/list"));
  const json::object list = NextMessage(*child);
  EXPECT_EQ(list.at("id"), 2);
  EXPECT_TRUE(list.contains("result")) << json::serialize(list);
}

// The server reads the two lines at once and may run them on different threads; tools/list
// must still be judged as it stood when it arrived (before initialize), every time.
TEST_F(RealStdioServer, RequestSentJustBeforeInitializeIsAlwaysRefused) {
  constexpr int kRounds = 200;
  int served = 0;
  for (int round = 0; round < kRounds; ++round) {
    ChildProcess child(ServeCommand(), /*capture_stderr=*/false);
    child.io().WriteRaw(Request(1, "tools/list") + "\n" + Initialize(2) + "\n");
    child.io().CloseWrite();
    const auto messages = testing_support::JsonRpcLines(child.io().ReadRemaining());
    ASSERT_EQ(child.Wait(), 0);
    ASSERT_TRUE(testing_support::ResponseTo(messages, 2).contains("result")) << "round " << round;
    const json::object list = testing_support::ResponseTo(messages, 1);
    if (!list.contains("error")) {
      ++served;
      continue;
    }
    EXPECT_EQ(list.at("error").at("code"), -32600) << json::serialize(list);
  }
  EXPECT_EQ(served, 0) << "tools/list was served before initialize in " << served << " of " << kRounds << " rounds";
}

// Issue 13: a 2026-07-28 client sends no initialize; it probes with server/discover, then
// calls tools, each request standing alone. A legacy client on the same process still
// opens its session with initialize, and each era keeps its own answers.
TEST_F(RealStdioServer, ModernRequestsNeedNoInitializeAndALegacySessionWorksBesideThem) {
  ChildProcess child(ServeCommand());
  child.io().WriteLine(ModernRequest(1, "server/discover"));
  const json::object discover = NextMessage(child);
  ASSERT_TRUE(discover.contains("result")) << json::serialize(discover);
  EXPECT_EQ(discover.at("result").at("supportedVersions").at(0), "2026-07-28");
  EXPECT_EQ(discover.at("result").at("resultType"), "complete");
  EXPECT_TRUE(discover.at("result").at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));

  child.io().WriteLine(ModernCallTool(2, "write_memory", {{"title", "Coffee"}, {"content", "Alice drinks her coffee black"}}));
  const json::object written = NextMessage(child);
  ASSERT_TRUE(written.contains("result")) << json::serialize(written);
  ASSERT_FALSE(IsToolError(written)) << json::serialize(written);
  EXPECT_EQ(written.at("result").at("resultType"), "complete");
  const json::value id = written.at("result").at("structuredContent").at("memory").at("id");

  child.io().WriteLine(ModernCallTool(3, "search_memories", {{"term", "coffee"}}));
  const json::object found = NextMessage(child);
  ASSERT_EQ(found.at("id"), 3) << json::serialize(found);
  const auto& results = found.at("result").at("structuredContent").at("results").as_array();
  ASSERT_EQ(results.size(), 1u) << json::serialize(found);
  EXPECT_EQ(results[0].at("id"), id);

  // The revision's errors: ping is gone, an unknown revision names the supported ones.
  child.io().WriteLine(ModernRequest(4, "ping"));
  EXPECT_EQ(NextMessage(child).at("error").at("code"), -32601);
  child.io().WriteLine(ModernRequest(5, "tools/list", {}, "1900-01-01"));
  const json::object unsupported = NextMessage(child);
  EXPECT_EQ(unsupported.at("error").at("code"), -32022) << json::serialize(unsupported);
  EXPECT_EQ(unsupported.at("error").at("data").at("requested"), "1900-01-01");

  // Modern requests opened no session: a legacy request still needs initialize first...
  child.io().WriteLine(Request(6, "tools/list"));
  const json::object refused = NextMessage(child);
  EXPECT_EQ(refused.at("error").at("code"), -32600) << json::serialize(refused);
  EXPECT_NE(std::string(refused.at("error").at("message").as_string()).find("_meta"), std::string::npos);
  // ...and, once it is sent, the legacy session works on the same process.
  child.io().WriteLine(Initialize(7));
  const json::object init = NextMessage(child);
  ASSERT_EQ(init.at("result").at("protocolVersion"), "2025-11-25") << json::serialize(init);
  child.io().WriteLine(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  child.io().WriteLine(CallTool(8, "search_memories", {{"term", "coffee"}}));
  const json::object legacy = NextMessage(child);
  ASSERT_TRUE(legacy.contains("result")) << json::serialize(legacy);
  EXPECT_FALSE(legacy.at("result").as_object().contains("resultType")) << "a legacy answer";
  EXPECT_EQ(legacy.at("result").at("structuredContent").at("results").at(0).at("id"), id);
  child.io().WriteLine(Request(9, "ping"));
  EXPECT_TRUE(NextMessage(child).contains("result")) << "legacy ping still works";
  // A modern request after initialize is still served in its own era.
  child.io().WriteLine(ModernRequest(10, "tools/list"));
  const json::object modern_list = NextMessage(child);
  EXPECT_EQ(modern_list.at("result").at("cacheScope"), "public") << json::serialize(modern_list);

  child.io().CloseWrite();
  EXPECT_TRUE(testing_support::JsonRpcLines(child.io().ReadRemaining()).empty());
  EXPECT_EQ(child.Wait(), 0);
}

// Issue 20, item 6: the key was resolved once at start, so a key revoked while `serve --stdio`
// ran kept working for as long as the process lived. It is now checked again (one row read)
// when more than a second has passed since the last check; a revoked key gets an error that
// says so, and the server stops.
TEST_F(RealStdioServer, AKeyRevokedWhileServingIsRefusedWithinASecondAndTheServerStops) {
  ASSERT_EQ(Cli({"user", "add", "kim@example.com"}).exit_code, 0);
  const CommandResult created = Cli({"key", "create", "--user", "kim@example.com", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const json::object key = json::parse(created.out).as_object();
  const std::string secret(key.at("key").as_string());
  const std::string key_id(key.at("id").as_string());

  ::setenv("REFLECT_API_KEY", secret.c_str(), 1);
  auto child = StartInitialized();
  ::unsetenv("REFLECT_API_KEY");
  child->io().WriteLine(Request(1, "tools/list"));
  const json::object before = NextMessage(*child);
  ASSERT_TRUE(before.contains("result")) << json::serialize(before);

  const CommandResult revoked = Cli({"key", "revoke", key_id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out;
  EXPECT_NE(revoked.out.find("within a second"), std::string::npos) << revoked.out;
  std::this_thread::sleep_for(1100ms);

  child->io().WriteLine(CallTool(2, "search_memories", {{"term", "anything"}}));
  const json::object after = NextMessage(*child);
  EXPECT_EQ(after.at("id"), 2) << json::serialize(after);
  ASSERT_TRUE(after.contains("error")) << "a revoked key was served: " << json::serialize(after);
  EXPECT_NE(std::string(after.at("error").at("message").as_string()).find("revoked"), std::string::npos)
      << json::serialize(after);
  // Nothing more is served: the server ends with a runtime failure, saying why on stderr.
  child->io().WriteLine(Request(3, "tools/list"));
  for (const json::object& late : testing_support::JsonRpcLines(child->io().ReadRemaining())) {
    EXPECT_FALSE(late.contains("result")) << json::serialize(late);
  }
  EXPECT_EQ(child->Wait(), 1);
  EXPECT_NE(child->ReadStderr().find("revoked"), std::string::npos);
}

// The same re-check guards 2026-07-28 requests, which carry no session to end: the line
// is refused before the session sees it, whatever its era.
TEST_F(RealStdioServer, AKeyRevokedWhileServingIsRefusedToModernRequestsToo) {
  ASSERT_EQ(Cli({"user", "add", "lee@example.com"}).exit_code, 0);
  const CommandResult created = Cli({"key", "create", "--user", "lee@example.com", "--json"});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  const json::object key = json::parse(created.out).as_object();
  const std::string secret(key.at("key").as_string());

  ::setenv("REFLECT_API_KEY", secret.c_str(), 1);
  ChildProcess child(ServeCommand());
  ::unsetenv("REFLECT_API_KEY");
  child.io().WriteLine(ModernRequest(1, "tools/list"));
  ASSERT_TRUE(NextMessage(child).contains("result"));

  ASSERT_EQ(Cli({"key", "revoke", std::string(key.at("id").as_string())}).exit_code, 0);
  std::this_thread::sleep_for(1100ms);
  child.io().WriteLine(ModernCallTool(2, "search_memories", {{"term", "anything"}}));
  const json::object after = NextMessage(child);
  EXPECT_EQ(after.at("id"), 2) << json::serialize(after);
  ASSERT_TRUE(after.contains("error")) << "a revoked key was served: " << json::serialize(after);
  EXPECT_NE(std::string(after.at("error").at("message").as_string()).find("revoked"), std::string::npos);
  EXPECT_EQ(child.Wait(), 1);
}

// Issue 20, item 8: under umask 022 the store was created 0755 (folder) and 0644 (files), so
// every memory and key hash was readable by other local accounts. Whatever the umask, the
// folder it creates is 0700 and the database, its WAL and its shared-memory file are 0600.
TEST_F(RealStdioServer, UnderUmask022TheFolderAndDatabaseFilesItCreatesAreTheOwnersOnly) {
  const std::string folder = dir_.File("private");
  const std::string db = folder + "/memory.db";
  const mode_t old_umask = ::umask(022);
  auto child = std::make_unique<ChildProcess>(std::vector<std::string>{RM_BINARY, "serve", "--stdio", "--db", db});
  ::umask(old_umask);
  child->io().WriteLine(Initialize(0));
  ASSERT_TRUE(NextMessage(*child).contains("result"));
  child->io().WriteLine(CallTool(1, "write_memory", {{"title", "Secret"}, {"content", "only mine"}}));
  const json::object written = NextMessage(*child);
  ASSERT_FALSE(IsToolError(written)) << json::serialize(written);

  const auto mode = [](const std::string& path) -> int {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
  };
  EXPECT_EQ(mode(folder), 0700);
  for (const std::string suffix : {"", "-wal", "-shm"}) {  // all three exist while the server runs
    EXPECT_EQ(mode(db + suffix), 0600) << db + suffix;
  }
  child->io().CloseWrite();
  EXPECT_EQ(child->Wait(), 0);
}

}  // namespace
