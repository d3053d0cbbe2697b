// AccessLog: one line per HTTP exchange on stderr (spdlog), as text or as one JSON object
// per line for log collectors. Keys are named by their id, sessions by their first 8
// characters: a log never holds a usable secret.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace transports::http {

// `target` with every query value replaced by "…" ("/signin?link=…") and an invite's token
// dropped ("/invite/…"): what the access log writes, so that no one-time link, code, state or
// invite reaches a log file.
std::string RedactedTarget(std::string_view target);

struct AccessRecord {
  std::string_view remote;  // peer address
  std::string_view method;
  std::string_view target;
  int status = 0;
  std::size_t body_bytes = 0;  // response body (for a stream: every event)
  std::chrono::steady_clock::duration latency{};
  std::string_view credential_id;  // empty before authentication
  std::string_view session_id;     // the request's Mcp-Session-Id, if any
  bool streamed = false;           // answered as text/event-stream
};

class AccessLog {
 public:
  AccessLog(bool enabled, bool json);
  bool enabled() const { return logger_ != nullptr; }
  void Write(const AccessRecord& record) const;

 private:
  std::shared_ptr<spdlog::logger> logger_;  // null when disabled
  bool json_;
};

}  // namespace transports::http
