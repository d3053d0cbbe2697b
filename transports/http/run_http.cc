// RunHttp: the HTTP server as a process runs it, until SIGTERM or SIGINT.
#include <csignal>

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "transports/http/http_server.h"

namespace transports {

int RunHttp(const mcp::ServerDefinition& server, HttpOptions options) {
  // Block the signals before any thread starts, so every thread inherits the mask and
  // only the sigwait below ever sees them: no async-signal-safety concerns anywhere.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  HttpServer http(server, std::move(options));
  if (rm::Status started = http.Start(); !started.ok()) {
    spdlog::error("http: {}", started.message());
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return 1;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  spdlog::info("http: {} received; finishing requests in flight", received == SIGTERM ? "SIGTERM" : "SIGINT");
  http.Stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

}  // namespace transports
