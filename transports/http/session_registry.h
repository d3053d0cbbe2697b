// SessionRegistry: the live MCP sessions of an HTTP server, by Mcp-Session-Id.
//
// An id is 128 random bits from the CSPRNG. A session belongs to the credential that
// created it: presented with any other key it does not exist (404), so a leaked id is
// useless without its key. Sessions unused for `idle_timeout` are closed.
//
// No credential can take the table from others: a key holds at most `per_key` sessions and
// a user (all of its keys together) at most `per_user`. One at its cap that initializes again
// loses its least recently used idle session (whose id then gets 404, so that client
// initializes again), or is refused if every one of them is busy with a request; either way
// only that key's or user's sessions are affected. `total` bounds the whole table.
//
// Several processes: with a SessionDirectory, a session that initialized is saved there;
// an id this process does not hold is looked up there and, if found for the same
// credential, restored here already initialized (Find's `restore`). A held session is
// re-checked there at most once per `recheck` (a second), which also marks it used for the
// other processes: one deleted (DELETE) or evicted on another process gets 404 here within
// that time. Closing for idleness here forgets only this process's copy; the directory
// judges idleness by the last use on any process.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "mcp/session.h"
#include "transports/http/session_directory.h"

namespace transports::http {

class SessionRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    std::size_t total = 10000;
    std::size_t per_key = 64;    // 0: no cap
    std::size_t per_user = 256;  // 0: no cap
  };

  SessionRegistry(Limits limits, Clock::duration idle_timeout, std::shared_ptr<SessionDirectory> directory = nullptr,
                  Clock::duration recheck = std::chrono::seconds(1));
  ~SessionRegistry();  // CancelAll()

  struct Created {
    std::string id;
    std::shared_ptr<mcp::Session> session;
    std::size_t evicted = 0;  // sessions of the same key or user closed to make room
  };
  enum class Refused {
    kFull,         // the table is full of sessions in use (other callers')
    kKeyAtCap,     // the key has `per_key` sessions, each running a request
    kUserAtCap,    // the user has `per_user` sessions, each running a request
  };
  // Registers the session `make` builds for `credential_id`, a key of `user_id` (empty: the
  // key is its own user), making room as the class comment says.
  std::variant<Created, Refused> Create(const std::string& credential_id, const std::string& user_id,
                                        const std::function<std::shared_ptr<mcp::Session>()>& make,
                                        Clock::time_point now = Clock::now());

  // Builds a session already initialized as `state` says, for `Find` to restore.
  using Restore = std::function<std::shared_ptr<mcp::Session>(const mcp::SessionState& state)>;

  // The session `id` if it exists, has not expired and belongs to `credential_id`; marks it used.
  // With a directory and `restore`, one this process does not hold is looked up there.
  std::shared_ptr<mcp::Session> Find(const std::string& id, const std::string& credential_id,
                                     Clock::time_point now = Clock::now(), const Restore& restore = {});

  // Saves session `id` (just initialized) to the directory, if there is one; false when the
  // directory could not record it (the caller then removes the session and refuses it).
  [[nodiscard]] bool Persist(const std::string& id, const std::string& credential_id);

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
    std::string user_id;  // never empty: the credential id when the key named no user
    Clock::time_point last_used;
    Clock::time_point checked;  // last confirmed with the directory
  };
  using Sessions = std::unordered_map<std::string, Entry>;
  using Index = std::unordered_map<std::string, std::unordered_set<std::string>>;  // owner → session ids

  bool Expired(const Entry& entry, Clock::time_point now) const;
  std::size_t CloseIdleLocked(Clock::time_point now);
  // Closes the session and drops it from the table and both indexes; returns the next one.
  // `everywhere`: its id is queued in forget_ for the directory too (ForgetQueued).
  Sessions::iterator EraseLocked(Sessions::iterator it, bool everywhere = true);
  // Adds an entry to the table and both indexes.
  void InsertLocked(const std::string& id, Entry entry);
  // Removes from the directory the ids EraseLocked queued (outside the lock).
  void ForgetQueued();
  // The least recently used session among `ids` that runs no request (and is not `except`);
  // end() if none.
  Sessions::iterator LeastRecentlyUsedIdle(const std::unordered_set<std::string>& ids,
                                           const std::string& except);

  const Limits limits_;
  const Clock::duration idle_timeout_;
  const std::shared_ptr<SessionDirectory> directory_;
  const Clock::duration recheck_;
  mutable std::mutex mutex_;
  Sessions sessions_;
  Index by_key_;
  Index by_user_;
  std::vector<std::string> forget_;  // session ids to remove from the directory
};

}  // namespace transports::http
