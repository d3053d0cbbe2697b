// StoreSessionDirectory: the HTTP transport's SessionDirectory (transports/http/
// session_directory.h) over the store's mcp_sessions table (store/mcp_sessions.h,
// migration 14), so that several `serve --http` processes on one PostgreSQL database
// share their handshake-era sessions. A failure of the database is logged and reads as
// "not saved" (Save: the initialize is refused with 503), "no such session" (Find) or
// "cannot tell" (Touch): the request then fails or goes on as the transport decides,
// never with another credential's session.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "store/store.h"
#include "transports/http/session_directory.h"

namespace rm::app {

class StoreSessionDirectory final : public transports::http::SessionDirectory {
 public:
  // `idle_timeout`: the HTTP server's (HttpOptions::session_idle_timeout).
  StoreSessionDirectory(store::Store& db, std::chrono::seconds idle_timeout);

  bool Save(const std::string& id_hash, const Entry& entry) override;
  std::optional<Entry> Find(const std::string& id_hash) override;
  std::optional<bool> Touch(const std::string& id_hash) override;
  void Remove(const std::string& id_hash) override;
  std::size_t RemoveIdle() override;

 private:
  // Sessions last used at or before this are idle (a UTC timestamp).
  std::string IdleCutoff() const;

  store::Store& db_;
  const std::chrono::seconds idle_timeout_;
};

}  // namespace rm::app
