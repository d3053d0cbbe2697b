// The conformance suite's server under test: the fixture definition served by the real
// HTTP transport (RunHttp, as `reflect-memory serve --http` runs it) with one accepted
// bearer key, until SIGTERM/SIGINT. Also the target of bench/http_load.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "tests/conformance/conformance_fixture.h"
#include "transports/http/http_server.h"

int main(int argc, char** argv) {
  CLI::App app{"MCP conformance fixture server (test-only)"};
  std::string key;
  transports::HttpOptions options;
  options.rate_limit_per_second = 0;  // the suite and the load benchmark are not abusive clients
  bool quiet = false;
  app.add_option("--key", key, "The one accepted bearer key")->required();
  app.add_option("--port", options.port, "Port to listen on (127.0.0.1)")->required();
  app.add_option("--io-threads", options.io_threads, "I/O threads (0: one per core)");
  app.add_option("--worker-threads", options.worker_threads, "Worker threads (0: one per core)");
  app.add_flag("--quiet", quiet, "No access log");
  CLI11_PARSE(app, argc, argv);
  options.access_log = !quiet;
  spdlog::set_default_logger(spdlog::stderr_color_mt("conformance"));  // stdout stays clean

  const auto definition = conformance::MakeConformanceServer();
  options.authenticator = [key](std::string_view token) -> std::optional<transports::Credential> {
    if (token != key) return std::nullopt;
    return transports::Credential{std::any(std::string("conformance")), "conformance-key", "conformance"};
  };
  return transports::RunHttp(*definition, std::move(options));
}
