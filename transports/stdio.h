// The stdio transport: MCP over a child process's stdin and stdout.
//
// One JSON-RPC message per line, UTF-8. stdout carries protocol messages only
// (one writer at a time); logs go to stderr. Requests run concurrently on a few
// threads, so responses may come back in a different order than requests.
#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "mcp/server_definition.h"

namespace transports {

struct StdioOptions {
  int input_fd = 0;   // stdin
  int output_fd = 1;  // stdout
  // A longer line is answered with an error and discarded without being buffered whole.
  std::size_t max_line_bytes = 4 * 1024 * 1024;
  // Threads serving the session (at least 2): one reads while the others run requests;
  // more requests wait in a backlog.
  unsigned worker_threads = 4;
  // Catch SIGTERM and SIGINT: stop reading, finish the requests in flight, return 0.
  // Turn off when the caller handles signals itself (or in tests running several servers).
  bool handle_signals = true;

  // Checks again that the credential the session acts for still holds (an API key may be
  // revoked while the server runs). Called on the reading thread before a message is handled,
  // when more than `credential_recheck_interval` has passed since the last call (or the start),
  // so a busy session pays for one check a second and an idle one for none. It returns nothing
  // while the credential holds, else why it no longer does: that message answers the request
  // just read (a JSON-RPC error), and the server reads nothing more, finishes the requests
  // already read and returns 1. Empty: nothing to re-check (the local owner has no key).
  std::function<std::optional<std::string>()> recheck_credential;
  std::chrono::milliseconds credential_recheck_interval{1000};
};

// Serves one session over the given descriptors until end of input (or SIGTERM with
// handle_signals), waits for requests in flight to finish, and returns the process exit
// code: 0 after a clean end, 1 if reading or writing failed or the credential was withdrawn
// (see StdioOptions::recheck_credential).
//
// When output_fd is stdout, the protocol writes to a private duplicate of it and, until
// RunStdio returns, descriptor 1 points at stderr: anything else printed to stdout
// (printf, std::cout, a logger left on stdout) lands in stderr instead of corrupting
// the protocol stream.
int RunStdio(const mcp::ServerDefinition& server, std::any principal, StdioOptions options = {});

}  // namespace transports
