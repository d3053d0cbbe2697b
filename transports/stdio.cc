#include "transports/stdio.h"

#include <csignal>
#include <optional>
#include <string>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "mcp/json_rpc.h"
#include "mcp/session.h"
#include "transports/line_reader.h"
#include "transports/line_writer.h"
#include "transports/process_guards.h"
#include "transports/worker_pool.h"

namespace transports {
namespace {

// Requests waiting for a worker before the reader stops reading.
constexpr std::size_t kMaxQueuedRequests = 1024;

// Whether the reader thread should handle `line` itself instead of queueing it: messages
// that expect no response (notifications, above all notifications/cancelled, must not wait
// behind busy workers), initialize (everything after it depends on it), and ping (a slow
// tool must never delay it), plus anything that is not a request (answered at once).
bool HandleOnReader(const mcp::MessageInfo& info) {
  return !info.has_requests || info.is_initialize || info.method == "ping";
}

std::string TooLongError(std::size_t limit) {
  return boost::json::serialize(mcp::jsonrpc::MakeError(
      nullptr, mcp::jsonrpc::kInvalidRequest,
      "Invalid request: a message longer than " + std::to_string(limit) +
          " bytes was discarded; send smaller messages"));
}

}  // namespace

int RunStdio(const mcp::ServerDefinition& server, std::any principal, StdioOptions options) {
  // A client that goes away must surface as a failed write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  ProtocolOutput output(options.output_fd);
  LineWriter writer(output.fd());
  std::optional<StopSignal> stop;
  if (options.handle_signals) stop.emplace();

  mcp::Session session(server, std::move(principal),
                       [&writer](std::string message) { writer.Write(message); });
  const auto respond = [&session, &writer](const std::string& line) {
    if (auto response = session.Handle(line)) writer.Write(*response);
  };
  WorkerPool workers(options.worker_threads, kMaxQueuedRequests);
  LineReader reader(options.input_fd, stop ? stop->fd() : -1, options.max_line_bytes);
  spdlog::info("stdio: serving MCP (one JSON-RPC message per line)");

  int exit_code = 0;
  for (bool reading = true; reading && !writer.failed();) {
    std::string line;
    switch (reader.Next(line)) {
      case LineReader::Event::kLine: {
        spdlog::debug("stdio: received {} bytes", line.size());
        if (HandleOnReader(mcp::ClassifyMessage(line))) {
          respond(line);
        } else {
          workers.Submit([&respond, line = std::move(line)] { respond(line); });
        }
        break;
      }
      case LineReader::Event::kTooLong:
        spdlog::warn("stdio: discarded a message over {} bytes", options.max_line_bytes);
        writer.Write(TooLongError(options.max_line_bytes));
        break;
      case LineReader::Event::kEnd:
        spdlog::info("stdio: end of input; finishing requests in progress");
        reading = false;
        break;
      case LineReader::Event::kStopped:
        spdlog::info("stdio: stop requested; finishing requests in progress");
        reading = false;
        break;
      case LineReader::Event::kError:
        exit_code = 1;
        reading = false;
        break;
    }
  }
  workers.Finish();
  if (writer.failed()) exit_code = 1;
  spdlog::info("stdio: done (exit code {})", exit_code);
  return exit_code;
}

}  // namespace transports
