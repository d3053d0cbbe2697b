// The client end of a stdio MCP server, for benchmarks: starts the server, does the
// initialize handshake, then sends one request at a time and waits for its answer
// (one request in flight, so a figure measures the server, never a queue in front of it).
// Used by bench/stdio_roundtrip and bench/peers/peer_bench.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "tests/stdio/child_process.h"

namespace bench {

class StdioSession {
 public:
  // Starts `server` (argv; argv[0] a path or a name in PATH) with stderr to /dev/null and
  // initializes as `client_name`. Throws std::runtime_error if the server cannot start
  // or refuses to initialize.
  StdioSession(const std::vector<std::string>& server, const std::string& client_name);

  // Sends one request and returns its response once it arrives. Throws std::runtime_error
  // on a JSON-RPC error, a response to another id, a closed pipe or no answer in `timeout`.
  boost::json::object Call(std::string_view method, const boost::json::object& params,
                           std::chrono::seconds timeout = std::chrono::seconds(60));

  // tools/call of `tool`: the call's result. Throws also when the tool answers isError.
  boost::json::object CallTool(std::string_view tool, const boost::json::object& arguments);

  void Notify(std::string_view method);

  // Closes the server's input (end of session) and waits for it to exit.
  void Finish();

 private:
  testing_support::ChildProcess child_;
  std::int64_t next_id_ = 0;
};

}  // namespace bench
