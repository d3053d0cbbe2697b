#include "store/postgres/pg_database.h"

#include <chrono>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "store/postgres/pg_migrations.h"

namespace rm::store::postgres {

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(const std::string& conninfo, PgDatabaseOptions options) {
  std::unique_ptr<PgDatabase> db(new PgDatabase());
  for (int i = 0; i < std::max(options.connections, 1); ++i) {
    Result<std::unique_ptr<PgStoreConnection>> conn = PgStoreConnection::Open(conninfo);
    if (!conn.ok()) return conn.status();
    db->pool_.push_back(std::move(*conn));
  }
  Result<std::vector<std::string>> applied = ApplyPgMigrations(db->pool_.front()->pg());
  if (!applied.ok()) return applied.status();
  db->migrations_applied_ = std::move(*applied);
  for (auto& conn : db->pool_) db->idle_.push_back(conn.get());
  PgDatabase* self = db.get();
  db->write_behind_ = std::make_unique<WriteBehind>(
      [self](const std::vector<TransactionFn>& fns) { return self->WriteEach(fns); }, std::chrono::milliseconds(2),
      10000);
  return db;
}

PgDatabase::~PgDatabase() { write_behind_.reset(); }

std::vector<Status> PgDatabase::WriteEach(const std::vector<TransactionFn>& fns) {
  std::vector<Status> statuses(fns.size());
  Status status = RunWithRetries(
      [&](Connection& conn) {
        for (std::size_t i = 0; i < fns.size(); ++i) statuses[i] = RunInSavepoint(conn, fns[i], "write");
        return Status::Ok();
      },
      "BEGIN", "write");
  if (!status.ok()) {  // the commit failed: none of them is stored
    for (Status& s : statuses) s = status;
  }
  return statuses;
}

void PgDatabase::FlushWritesLater() { write_behind_->Flush(); }

int PgDatabase::schema_version() const {
  const auto migrations = AllPgMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

Result<PgStoreConnection*> PgDatabase::Acquire() {
  PgStoreConnection* conn = nullptr;
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty(); });
    conn = idle_.back();
    idle_.pop_back();
  }
  if (conn->broken()) {
    // The server restarted or went away since this connection's last use. Connecting
    // again is cheap when it is back, and fails at once (connection refused) while it is
    // down: the caller gets Unavailable quickly instead of waiting for a dead socket.
    Status reconnected = conn->Reconnect();
    if (!reconnected.ok()) {
      Release(conn);
      return reconnected;
    }
    spdlog::info("postgres: reconnected a pooled connection");
  }
  return conn;
}

void PgDatabase::Release(PgStoreConnection* conn) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(conn);
  }
  available_.notify_one();
}

Status PgDatabase::RunTransaction(const TransactionFn& fn, const char* begin, const char* kind, Attempt* attempt,
                                  const std::function<bool()>* should_stop) {
  Attempt local;
  Attempt& a = attempt != nullptr ? *attempt : local;
  a = Attempt{};
  Result<PgStoreConnection*> acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  PgStoreConnection* conn = *acquired;
  conn->ClearRace();
  std::optional<PgReadCanceller::Ticket> watched;
  if (should_stop != nullptr) watched = canceller_.Watch(conn->pg(), *should_stop);
  Status status = conn->Exec(begin);
  if (status.ok()) {
    status = RunCallerFunction(fn, *conn, kind);
    // A failed function, or a statement that failed inside it, leaves nothing behind.
    if (status.ok()) {
      a.commit_sent = true;
      status = conn->Exec("COMMIT");
    }
    if (!status.ok() && !conn->broken() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
  }
  if (watched && canceller_.Unwatch(*watched)) {
    if (!status.ok()) status = Status::Cancelled("the read was cancelled while it ran");
    // The cancel request may still reach this session after the read ended; a new
    // session cannot receive it. Should connecting fail, the next Acquire tries again.
    if (!conn->Reconnect().ok()) spdlog::warn("postgres: reconnecting after a cancelled read failed");
  }
  a.lost_a_race = conn->lost_a_race();
  a.connection_lost = conn->broken();
  if (!a.connection_lost) conn->ResetStatements();  // a lost one forgets them when it reconnects
  Release(conn);
  return status;
}

Status PgDatabase::RunWithRetries(const TransactionFn& fn, const char* begin, const char* kind,
                                  const std::function<bool()>* should_stop) {
  // Two kinds of failure are retried, because the transaction is known not to have
  // committed and running it again is safe:
  //  - it lost a race to another (two calls with one request_id, two writers of one
  //    month's usage row): rolled back whole, run again it sees what the winner
  //    committed. Bounded, with a growing pause, so a real duplicate (a taken email)
  //    still fails after a few tries;
  //  - the connection was lost before COMMIT was sent (the server restarted, or ended
  //    the session): run again on a connection made anew. If every connection of the
  //    pool died together, each is tried once; when the server is down, connecting
  //    fails at once and the caller gets Unavailable.
  // A connection lost after COMMIT was sent is not retried: whether it committed is
  // unknown. The caller is told so, and a write repeated with the same request_id is
  // then applied at most once (the idempotency record decides).
  constexpr int kRaceAttempts = 5;
  const int connection_attempts = static_cast<int>(pool_.size()) + 1;
  int races = 0;
  int lost_connections = 0;
  for (;;) {
    Attempt attempt;
    Status status = RunTransaction(fn, begin, kind, &attempt, should_stop);
    if (status.ok()) return status;
    if (attempt.connection_lost) {
      if (attempt.commit_sent) {
        return Status::Unavailable("the connection to PostgreSQL was lost while committing, so whether this " +
                                   std::string(kind) +
                                   " was stored is unknown; repeat it with the same request_id to be sure "
                                   "it is applied once (" + status.message() + ")");
      }
      if (++lost_connections < connection_attempts) continue;
      return status;
    }
    if (attempt.lost_a_race && ++races < kRaceAttempts) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << races));
      continue;
    }
    return status;
  }
}

Status PgDatabase::Write(const TransactionFn& fn) { return RunWithRetries(fn, "BEGIN", "write"); }

Status PgDatabase::Read(const TransactionFn& fn) {
  // REPEATABLE READ: every statement of the function sees the same snapshot, as a
  // SQLite read transaction does. A read never commits anything, so a lost connection
  // is always retried on a new one.
  return RunWithRetries(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read");
}

Status PgDatabase::Read(const TransactionFn& fn, const std::function<bool()>& should_stop) {
  if (should_stop && should_stop()) return Status::Cancelled("the read was cancelled before it started");
  if (!should_stop) return Read(fn);
  return RunWithRetries(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read", &should_stop);
}

void PgDatabase::WriteLater(TransactionFn fn) { write_behind_->Add(std::move(fn)); }

}  // namespace rm::store::postgres
