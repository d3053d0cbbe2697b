// The test-only fixture server (tests/mcp/fixture_server.h) served over stdio, for
// tests that need a real process: stdout purity, exit codes, signals.
//
//   stdio_fixture_server [--debug]
//
// --debug turns on debug logging on spdlog's default logger, which writes to stdout
// unless someone moves it: the transport must keep those lines off the protocol stream.
// An extra tool, stray_print, writes to stdout with printf and std::cout for the same reason.
#include <cstdio>
#include <cstring>
#include <iostream>

#include <spdlog/spdlog.h>

#include "tests/mcp/fixture_server.h"
#include "transports/stdio.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--debug") == 0) spdlog::set_level(spdlog::level::debug);

  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  mcp::Tool stray;
  stray.name = "stray_print";
  stray.description = "Writes to stdout behind the transport's back.";
  stray.input_schema = {{"type", "object"}};
  stray.handler = [](const boost::json::object&, mcp::CallContext&) {
    std::printf("printf garbage\n");
    std::fflush(stdout);
    std::cout << "cout garbage" << std::endl;
    spdlog::info("a log line from a tool");
    return mcp::ToolResult::Ok(boost::json::object{{"printed", true}});
  };
  server->tools.Add(std::move(stray));
  server->report_internal_error = [](std::string_view what) { spdlog::error("{}", what); };

  return transports::RunStdio(*server, std::string("stdio-user"));
}
