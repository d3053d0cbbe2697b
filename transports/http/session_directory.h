// SessionDirectory: where an HTTP server keeps its handshake-era (Mcp-Session-Id) sessions
// beyond its own memory, so that a session one server process created (initialize) works
// on every process sharing the store (issue 14). The transport knows no store: the
// application implements this (app/session_directory.h, a database table).
//
// Keys are SHA-256 (hex) of the Mcp-Session-Id, and a session is bound to the SHA-256 of
// the credential id that created it: nothing kept is usable without the client's key.
// Every method is called outside the registry's lock and may block on the database;
// failures are the implementation's to log (a Find that fails finds nothing).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "mcp/session.h"

namespace transports::http {

class SessionDirectory {
 public:
  struct Entry {
    std::string credential_hash;  // SHA-256 (hex) of Credential::id
    std::string user_id;          // never empty (the credential id when the key named no user)
    mcp::SessionState state;      // what initialize negotiated
  };

  virtual ~SessionDirectory() = default;

  // Records a session that just initialized; false when it could not (the database is
  // unreachable): the session must not be handed out then, because the other processes
  // would not find it, and nor would this one after its next re-check.
  [[nodiscard]] virtual bool Save(const std::string& id_hash, const Entry& entry) = 0;
  // The session, unless it was removed or has been idle longer than the idle timeout.
  virtual std::optional<Entry> Find(const std::string& id_hash) = 0;
  // Marks the session used now: true; false when it is gone (removed, or idle too long);
  // nullopt when the directory cannot tell (the database is unreachable).
  virtual std::optional<bool> Touch(const std::string& id_hash) = 0;
  // Forgets the session, for every process.
  virtual void Remove(const std::string& id_hash) = 0;
  // Forgets every session idle longer than the idle timeout; how many.
  virtual std::size_t RemoveIdle() = 0;
};

}  // namespace transports::http
