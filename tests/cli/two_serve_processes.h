// TwoServeProcesses: a throwaway PostgreSQL with two `reflect-memory serve --http`
// processes on it, as a team runs them behind a load balancer (issue 14) — the fixture
// of the tests of what several processes on one database must agree on.
//
//   class MyTest : public TwoServeProcesses {};
//   TEST_F(MyTest, X) {
//     Key claude = CreateKey("claude");
//     json::object written = Call(0, claude, "write_memory", {...});  // process A
//     json::object read = Call(1, claude, "get_memory_by_id", {...});  // process B
//   }
//
// SetUp adds the user ada@example.com (plan pro) before the processes start; the CLI
// (Cli) runs against the same database.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/cli/cli_runner.h"
#include "tests/http/http_test_client.h"
#include "tests/postgres/throwaway_postgres.h"
#include "tests/stdio/child_process.h"
#include "tests/store/temp_dir.h"

namespace rm::testing {

// An API key as `key create --json` printed it.
struct Key {
  std::string id, secret;
};

class TwoServeProcesses : public ThrowawayPostgres {
 protected:
  void SetUp() override;
  void TearDown() override;

  // `reflect-memory ARGS --db <this database>`, with a temporary HOME.
  CliResult Cli(std::vector<std::string> args);
  // A new API key of `email` (ada@example.com unless said) for `vendor`.
  Key CreateKey(const std::string& vendor, const std::string& email = "ada@example.com");

  // One stateless 2026-07-28 tools/call to process `which` (0 or 1): the tool's structured
  // result, with "is_error": true added when the tool reported an error.
  boost::json::object Call(int which, const Key& key, const std::string& tool, boost::json::object args);

  std::uint16_t Port(int which) const { return ports_.at(static_cast<std::size_t>(which)); }

  // More `serve` arguments, the same for both processes (e.g. one --public-url, as two
  // processes behind one load balancer share it).
  virtual std::vector<std::string> ExtraServeArguments() const { return {}; }

  // The JSON-RPC message in an HTTP reply: plain JSON, or the last data: line of an event stream.
  static boost::json::object Body(const http_test::Response& r);

 private:
  static bool WaitUntilServing(std::uint16_t port);

  TempDir home_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::unique_ptr<testing_support::ChildProcess>> servers_;
};

}  // namespace rm::testing
