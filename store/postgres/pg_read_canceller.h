// PgReadCanceller: stops the statement of a read whose caller gave up (an MCP request
// the client cancelled), so the read does not run to its end for no one.
//
// SQLite interrupts such a read from its progress handler, on the reading thread. libpq
// has no such hook: the reading thread is blocked waiting for the server's answer. So
// one watcher thread per database asks each watched read's `should_stop` every 10 ms
// (and sleeps while no read is watched) and, once it answers true, sends PostgreSQL a
// cancel request for that read's connection (PgConnection::RequestCancel): the running
// statement fails at once with query_canceled.
//
//   PgReadCanceller::Ticket t = canceller.Watch(conn, should_stop);
//   ... run the read on conn ...
//   if (canceller.Unwatch(t)) { /* cancelled: the session may still get the request */ }
//
// A cancel request reaches the server asynchronously: it may still arrive after the read
// ended. A connection whose read was cancelled must therefore not serve another
// statement of the same session (PgDatabase connects it anew).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "store/postgres/pg_connection.h"

namespace rm::store::postgres {

class PgReadCanceller {
 public:
  using Ticket = std::uint64_t;

  PgReadCanceller();
  ~PgReadCanceller();
  PgReadCanceller(const PgReadCanceller&) = delete;
  PgReadCanceller& operator=(const PgReadCanceller&) = delete;

  // Watches a read running on `conn` until Unwatch. `should_stop` must outlive it and be
  // safe to call from another thread (MCP's cancelled flag is an atomic).
  Ticket Watch(const PgConnection& conn, const std::function<bool()>& should_stop);
  // Stops watching; true if a cancel request was sent for the read. When it returns, no
  // request for it is being sent any more.
  bool Unwatch(Ticket ticket);

 private:
  struct WatchedRead {
    const PgConnection* conn;
    const std::function<bool()>* should_stop;
    bool cancelled = false;
  };
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Ticket, WatchedRead> reads_;
  Ticket next_ = 1;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace rm::store::postgres
