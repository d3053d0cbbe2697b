// SessionRegistry: the live MCP sessions of an HTTP server, by Mcp-Session-Id.
//
// An id is 128 random bits from the CSPRNG. A session belongs to the credential that
// created it: presented with any other key it does not exist (404), so a leaked id is
// useless without its key. Sessions unused for `idle_timeout` are closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "mcp/session.h"

namespace transports::http {

class SessionRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  SessionRegistry(std::size_t max_sessions, Clock::duration idle_timeout);
  ~SessionRegistry();  // CancelAll()

  struct Created {
    std::string id;
    std::shared_ptr<mcp::Session> session;
  };
  // Registers the session `make` builds for `credential_id`; nothing when the registry is full
  // (after closing idle sessions).
  std::optional<Created> Create(const std::string& credential_id,
                                const std::function<std::shared_ptr<mcp::Session>()>& make,
                                Clock::time_point now = Clock::now());

  // The session `id` if it exists, has not expired and belongs to `credential_id`; marks it used.
  std::shared_ptr<mcp::Session> Find(const std::string& id, const std::string& credential_id,
                                     Clock::time_point now = Clock::now());

  // Closes session `id` (cancelling its requests) if it belongs to `credential_id`.
  bool Remove(const std::string& id, const std::string& credential_id);

  // Cancels the requests in flight of every session (a server giving up on draining).
  void CancelAll();

  // Closes sessions idle for longer than the timeout; returns how many.
  std::size_t CloseIdle(Clock::time_point now = Clock::now());

  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<mcp::Session> session;
    std::string credential_id;
    Clock::time_point last_used;
  };
  bool Expired(const Entry& entry, Clock::time_point now) const;
  std::size_t CloseIdleLocked(Clock::time_point now);

  const std::size_t max_sessions_;
  const Clock::duration idle_timeout_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;
};

}  // namespace transports::http
