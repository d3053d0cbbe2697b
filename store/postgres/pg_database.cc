#include "store/postgres/pg_database.h"

#include <chrono>
#include <thread>

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
  Status status = RunTransaction(
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

PgStoreConnection* PgDatabase::Acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  PgStoreConnection* conn = idle_.back();
  idle_.pop_back();
  return conn;
}

void PgDatabase::Release(PgStoreConnection* conn) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(conn);
  }
  available_.notify_one();
}

Status PgDatabase::RunTransaction(const TransactionFn& fn, const char* begin, const char* kind, bool* lost_a_race) {
  PgStoreConnection* conn = Acquire();
  conn->ClearRace();
  Status status = conn->Exec(begin);
  if (status.ok()) {
    status = RunCallerFunction(fn, *conn, kind);
    // A failed function, or a statement that failed inside it, leaves nothing behind.
    if (status.ok()) status = conn->Exec("COMMIT");
    if (!status.ok() && conn->InTransaction()) (void)conn->Exec("ROLLBACK");
  }
  if (lost_a_race != nullptr) *lost_a_race = conn->lost_a_race();
  conn->ResetStatements();
  Release(conn);
  return status;
}

Status PgDatabase::Write(const TransactionFn& fn) {
  // A transaction that lost a race to another (two calls with one request_id, two
  // writers of one month's usage row) is rolled back whole and run again: it then sees
  // what the winner committed. Bounded, with a growing pause, so a real duplicate (a
  // taken email) still fails after a few tries.
  constexpr int kAttempts = 5;
  Status status;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    bool lost_a_race = false;
    status = RunTransaction(fn, "BEGIN", "write", &lost_a_race);
    if (status.ok() || !lost_a_race || attempt == kAttempts) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 << attempt));
  }
  return status;
}

Status PgDatabase::Read(const TransactionFn& fn) {
  // REPEATABLE READ: every statement of the function sees the same snapshot, as a
  // SQLite read transaction does.
  return RunTransaction(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read");
}

Status PgDatabase::Read(const TransactionFn& fn, const std::function<bool()>& should_stop) {
  if (should_stop && should_stop()) return Status::Cancelled("the read was cancelled before it started");
  return Read(fn);
}

void PgDatabase::WriteLater(TransactionFn fn) { write_behind_->Add(std::move(fn)); }

}  // namespace rm::store::postgres
