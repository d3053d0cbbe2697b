// PgDatabase when the server ends its sessions or refuses new ones (a restart, a failover,
// an administrator): calls are retried on connections made anew when they cannot have
// committed, fail fast as `unavailable` while the server refuses, and work again after —
// without opening a new PgDatabase (what a running `serve` has).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_database.h"
#include "store/statement.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::store::postgres {
namespace {

class PgDatabaseTest : public rm::testing::ThrowawayPostgres {
 protected:
  void SetUp() override {
    rm::testing::ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = PgDatabase::Open(conninfo_, {.connections = 2});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Write([](Connection& conn) { return conn.ExecScript("CREATE TABLE notes (n BIGINT PRIMARY KEY)"); }).ok());
    // From another database: PostgreSQL will not close the database a session is in to others.
    auto admin = PgConnection::Open(rm::testing::ThrowawayPostgresServer::Get().Conninfo("postgres"));
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    admin_ = std::make_unique<PgConnection>(std::move(*admin));
  }

  void TearDown() override {
    if (admin_) (void)admin_->Exec("ALTER DATABASE \"" + database_ + "\" ALLOW_CONNECTIONS true");
  }

  // Ends every session of the pool, as a server restart does; how many were ended.
  int EndThePoolsSessions() {
    auto ended = admin_->Query(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = $1",
        {database_});
    EXPECT_TRUE(ended.ok()) << ended.status().ToString();
    return ended.ok() ? std::stoi(ended->Text(0, 0)) : 0;
  }

  Status Insert(std::int64_t n) {
    return db_->Write([n](Connection& conn) { return conn.Prepare("INSERT INTO notes (n) VALUES (?)").Bind(1, n).Run(); });
  }

  Result<std::int64_t> Count() {
    std::int64_t count = -1;
    Status read = db_->Read([&](Connection& conn) {
      Statement& s = conn.Prepare("SELECT count(*) FROM notes");
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      count = s.Int64(0);
      return Status::Ok();
    });
    if (!read.ok()) return read;
    return count;
  }

  std::unique_ptr<PgDatabase> db_;
  std::unique_ptr<PgConnection> admin_;
};

TEST_F(PgDatabaseTest, SessionsTheServerEndedAreMadeAgainAndTheCallRetried) {
  ASSERT_TRUE(Insert(1).ok());  // prepares the statements on a session about to end
  ASSERT_TRUE(Count().ok());
  EXPECT_EQ(EndThePoolsSessions(), 2);
  // The first statement on each pooled connection finds it dead before anything could
  // commit: the call runs again on a new session, and the caller never knows.
  Status written = Insert(2);
  EXPECT_TRUE(written.ok()) << written.ToString();
  Result<std::int64_t> count = Count();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 2);
  // The statements were prepared again on the new sessions.
  EXPECT_TRUE(Insert(3).ok());
  EXPECT_EQ(*Count(), 3);
}

TEST_F(PgDatabaseTest, WhileTheServerRefusesSessionsCallsFailFastAsUnavailableThenRecover) {
  Status closed = admin_->Exec("ALTER DATABASE \"" + database_ + "\" ALLOW_CONNECTIONS false");
  ASSERT_TRUE(closed.ok()) << closed.ToString();
  EndThePoolsSessions();
  const auto started = std::chrono::steady_clock::now();
  Status refused = Insert(1);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(refused.code(), Status::Code::kUnavailable) << refused.ToString();
  EXPECT_LT(took, std::chrono::seconds(2)) << "an unreachable database must not make callers wait";
  Result<std::int64_t> read = Count();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), Status::Code::kUnavailable);

  ASSERT_TRUE(admin_->Exec("ALTER DATABASE \"" + database_ + "\" ALLOW_CONNECTIONS true").ok());
  Status back = Insert(2);
  EXPECT_TRUE(back.ok()) << back.ToString();
  Result<std::int64_t> count = Count();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 1) << "the refused write must not have been stored";
}

// A read whose caller gives up (an MCP request the client cancelled) is stopped in the
// middle of its statement, not run to its end; the pool is whole afterwards.
TEST_F(PgDatabaseTest, ACancelledReadStopsItsRunningStatementAndThePoolStillServes) {
  ASSERT_TRUE(Insert(1).ok());
  std::atomic<bool> gave_up{false};
  std::thread client([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    gave_up = true;
  });
  const auto started = std::chrono::steady_clock::now();
  bool statement_ended = false;
  Status read = db_->Read(
      [&](Connection& conn) {
        Status slept = conn.Prepare("SELECT pg_sleep(10)").Run();
        statement_ended = true;
        return slept;
      },
      [&] { return gave_up.load(); });
  const auto took = std::chrono::steady_clock::now() - started;
  client.join();
  EXPECT_TRUE(statement_ended);
  EXPECT_EQ(read.code(), Status::Code::kCancelled) << read.ToString();
  EXPECT_LT(took, std::chrono::seconds(2)) << "the 10 s statement must be stopped, not waited for";
  EXPECT_GE(took, std::chrono::milliseconds(200));

  // Every connection of the pool answers again, the cancelled one included.
  for (int i = 0; i < 4; ++i) {
    Result<std::int64_t> count = Count();
    ASSERT_TRUE(count.ok()) << count.status().ToString();
    EXPECT_EQ(*count, 1);
  }
  // A read nobody cancels runs to its end under the same watch.
  Status whole = db_->Read([](Connection& conn) { return conn.Prepare("SELECT pg_sleep(0.05)").Run(); },
                           [] { return false; });
  EXPECT_TRUE(whole.ok()) << whole.ToString();
}

}  // namespace
}  // namespace rm::store::postgres
