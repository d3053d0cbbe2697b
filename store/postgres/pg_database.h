// PgDatabase: the store on PostgreSQL — Store's transactions over a pool of
// connections, each Write() or Read() its own transaction.
//
// Unlike SQLite's Database there is no group commit: PostgreSQL has many writers
// at once and commits each transaction itself. Write() runs at READ COMMITTED (the
// repositories' uniqueness and counts rest on constraints and row locks, as on
// SQLite's single writer); a failed function rolls its transaction back whole, and one
// that lost a race to another transaction (a unique key, a serialization failure) is
// run again, up to 5 times.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/pg_read_canceller.h"
#include "store/postgres/pg_store_connection.h"
#include "store/store.h"
#include "store/write_behind.h"

namespace rm::store::postgres {

struct PgDatabaseOptions {
  int connections = 4;  // opened at Open(); a caller waits when all are in use
};

class PgDatabase final : public Store {
 public:
  // Connects (conninfo or postgresql:// URL), applies the PostgreSQL migrations
  // under their advisory lock (pg_migrations.h), and opens the pool.
  // Unavailable when the server cannot be reached.
  static Result<std::unique_ptr<PgDatabase>> Open(const std::string& conninfo, PgDatabaseOptions options = {});

  Engine engine() const override { return Engine::kPostgres; }
  Status Write(const TransactionFn& fn) override;
  Status Read(const TransactionFn& fn) override;
  // `should_stop` is asked before the read starts, and every 10 ms while it runs: a
  // statement running when it answers true is cancelled (pg_read_canceller.h).
  Status Read(const TransactionFn& fn, const std::function<bool()>& should_stop) override;
  // Queued and committed in batches by a background thread (store/write_behind.h), as on
  // SQLite: a read's metering costs it no round trips to PostgreSQL.
  void WriteLater(TransactionFn fn) override;
  void FlushWritesLater() override;
  // Several functions in one transaction, each in its own savepoint (one that fails is
  // rolled back alone); each one's status, in order.
  std::vector<Status> WriteEach(const std::vector<TransactionFn>& fns);

  ~PgDatabase() override;  // commits what WriteLater() queued

  // The migrations Open() applied, e.g. {"1_canonical", ...}; empty if none were due.
  const std::vector<std::string>& migrations_applied() const { return migrations_applied_; }
  // The schema version the database is at: this build's newest migration, once Open() succeeded.
  int schema_version() const;

 private:
  PgDatabase() = default;
  // How one try of a transaction ended, beyond its Status: what decides a retry.
  struct Attempt {
    bool lost_a_race = false;      // another transaction committed first (PgStoreConnection::lost_a_race)
    bool connection_lost = false;  // the server went away during the try
    bool commit_sent = false;      // COMMIT was sent: if the connection was lost, the outcome is unknown
  };
  // `should_stop` (may be null): a read the caller may give up, watched by canceller_.
  Status RunTransaction(const TransactionFn& fn, const char* begin, const char* kind, Attempt* attempt = nullptr,
                        const std::function<bool()>* should_stop = nullptr);
  // Runs `fn` in transactions until one that may be retried (see Write) no longer fails.
  Status RunWithRetries(const TransactionFn& fn, const char* begin, const char* kind,
                        const std::function<bool()>* should_stop = nullptr);
  // A connection of the pool, connected again first if the last use found it lost;
  // Unavailable (and nothing taken) while the server cannot be reached.
  Result<PgStoreConnection*> Acquire();
  void Release(PgStoreConnection* conn);

  std::vector<std::unique_ptr<PgStoreConnection>> pool_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PgStoreConnection*> idle_;
  std::vector<std::string> migrations_applied_;
  PgReadCanceller canceller_;
  std::unique_ptr<WriteBehind> write_behind_;  // destroyed first (the destructor): it writes through this
};

}  // namespace rm::store::postgres
