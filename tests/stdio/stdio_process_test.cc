// The stdio transport as a real process: stdout carries protocol messages only,
// and the process exits 0 on end of input and on SIGTERM.
#include <gtest/gtest.h>

#include <signal.h>

#include <boost/json.hpp>

#include "tests/stdio/child_process.h"
#include "tests/stdio/json_rpc_lines.h"

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing_support::ChildProcess;

const char* kInitialize =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
    R"("capabilities":{},"clientInfo":{"name":"proc-test","version":"1"}}})";

TEST(StdioProcess, StdoutCarriesOnlyProtocolMessagesEvenWithDebugLogging) {
  ChildProcess child({STDIO_FIXTURE_SERVER, "--debug"});
  child.io().WriteLine(kInitialize);
  child.io().WriteLine(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  child.io().WriteLine(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"stray_print"}})");
  child.io().WriteLine(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"throws"}})");
  child.io().WriteLine(R"({"jsonrpc":"2.0","id":3,"method":"ping"})");
  child.io().CloseWrite();

  const std::string out = child.io().ReadRemaining();
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_EQ(testing_support::JsonRpcLines(out).size(), 4u);  // initialize, two calls, ping

  const std::string err = child.ReadStderr();
  EXPECT_NE(err.find("printf garbage"), std::string::npos) << err;
  EXPECT_NE(err.find("cout garbage"), std::string::npos) << err;
  EXPECT_NE(err.find("received"), std::string::npos) << "debug logging was on: " << err;
  EXPECT_NE(err.find("secret detail"), std::string::npos) << "internal errors are logged: " << err;
}

TEST(StdioProcess, EndOfInputExitsZero) {
  ChildProcess child({STDIO_FIXTURE_SERVER});
  child.io().CloseWrite();
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_EQ(child.io().ReadRemaining(), "");
}

TEST(StdioProcess, SigtermFinishesWorkInProgressAndExitsZero) {
  ChildProcess child({STDIO_FIXTURE_SERVER});
  child.io().WriteLine(kInitialize);
  ASSERT_TRUE(child.io().ReadLine());
  child.io().WriteLine(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"ms":400}}})");
  child.io().WriteLine(R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  auto pong = child.io().ReadLine();  // the ping's answer shows the slow call has been read
  ASSERT_TRUE(pong);
  EXPECT_EQ(json::parse(*pong).at("id"), 2);
  child.Signal(SIGTERM);
  auto response = child.io().ReadLine();
  ASSERT_TRUE(response) << "the call in progress must be answered before exiting";
  EXPECT_EQ(json::parse(*response).at("id"), 1);
  EXPECT_EQ(child.Wait(), 0);
}

}  // namespace
