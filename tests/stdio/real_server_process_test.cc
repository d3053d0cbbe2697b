// The real `reflect-memory serve --stdio` as a child process on a temporary database,
// the way an IDE launches it: a request sent before initialize is refused however
// closely initialize follows it.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/stdio/child_process.h"
#include "tests/stdio/json_rpc_lines.h"
#include "tests/store/temp_dir.h"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing_support::ChildProcess;

std::string Request(std::int64_t id, std::string_view method, json::object params = {}) {
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
}

std::string Initialize(std::int64_t id) {
  return Request(id, "initialize",
                 {{"protocolVersion", "2025-11-25"},
                  {"capabilities", json::object{}},
                  {"clientInfo", {{"name", "claude-code"}, {"version", "1"}}}});
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

  rm::testing::TempDir dir_;
};

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

}  // namespace
