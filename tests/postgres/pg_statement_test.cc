// PgStatement and PgStoreConnection: the repositories' SQLite-style statements run on
// PostgreSQL and read back as they do from SQLite.
#include <gtest/gtest.h>

#include <string>

#include "store/postgres/pg_statement.h"
#include "store/postgres/pg_store_connection.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::store::postgres {
namespace {

TEST(NumberParameters, QuestionMarksBecomeNumberedParametersOutsideQuotesAndComments) {
  EXPECT_EQ(NumberParameters("SELECT a FROM t WHERE b = ? AND c = ?"), "SELECT a FROM t WHERE b = $1 AND c = $2");
  EXPECT_EQ(NumberParameters("UPDATE t SET a = ?2 WHERE id = ?1"), "UPDATE t SET a = $2 WHERE id = $1");
  // After ?N, numbering goes on from N (SQLite's rule).
  EXPECT_EQ(NumberParameters("VALUES (?3, ?)"), "VALUES ($3, $4)");
  EXPECT_EQ(NumberParameters("SELECT '?' || ? FROM \"odd?name\" -- is it?\nWHERE x = ?"),
            "SELECT '?' || $1 FROM \"odd?name\" -- is it?\nWHERE x = $2");
  EXPECT_EQ(NumberParameters("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
}

TEST(StoreTimestamp, PostgresUtcTimestampsReadInTheStoresForm) {
  EXPECT_EQ(StoreTimestamp("2026-12-04 21:00:00.123+00"), "2026-12-04T21:00:00.123Z");
  EXPECT_EQ(StoreTimestamp("2026-12-04 21:00:00.12+00"), "2026-12-04T21:00:00.120Z");
  EXPECT_EQ(StoreTimestamp("2026-12-04 21:00:00+00"), "2026-12-04T21:00:00.000Z");
  EXPECT_EQ(StoreTimestamp("2026-12-04 21:00:00.123456+00"), "2026-12-04T21:00:00.123Z");
  EXPECT_EQ(StoreTimestamp("not a time"), "not a time");
}

class PgStatementTest : public rm::testing::ThrowawayPostgres {
 protected:
  void SetUp() override {
    rm::testing::ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto conn = PgStoreConnection::Open(conninfo_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, "
                                  "flag BOOLEAN, at TIMESTAMPTZ, bytes BYTEA)")
                    .ok());
  }
  std::unique_ptr<PgStoreConnection> conn_;
};

TEST_F(PgStatementTest, ValuesBoundLikeSqlitesReadBackTheSame) {
  const std::string bytes("\x00\x01\xfe\xff zero", 9);
  Statement& insert = conn_->Prepare("INSERT INTO t(id, n, x, flag, at, bytes) VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, "a").Bind(2, std::int64_t{-9007199254740993}).Bind(3, 0.1).Bind(4, 1);
  insert.Bind(5, "2026-12-04T21:00:00.120Z").BindBlob(6, bytes);
  ASSERT_TRUE(insert.Run().ok());
  EXPECT_EQ(conn_->Changes(), 1);

  Statement& select = conn_->Prepare("SELECT id, n, x, flag, at, bytes, NULL FROM t WHERE id = ?");
  select.Bind(1, "a");
  Result<bool> row = select.Step();
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ASSERT_TRUE(*row);
  EXPECT_EQ(select.Text(0), "a");
  EXPECT_EQ(select.Int64(1), -9007199254740993);
  EXPECT_DOUBLE_EQ(select.Double(2), 0.1);
  EXPECT_EQ(select.Int64(3), 1);
  EXPECT_EQ(select.Text(4), "2026-12-04T21:00:00.120Z");
  EXPECT_EQ(select.Blob(5), bytes);
  EXPECT_TRUE(select.IsNull(6));
  EXPECT_EQ(select.OptionalText(6), std::nullopt);
  EXPECT_EQ(select.ColumnName(1), "n");
  Result<bool> done = select.Step();
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
}

TEST_F(PgStatementTest, CachedStatementRunsAgainWithNewBindingsAndCountsChanges) {
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(conn_->Prepare("INSERT INTO t(id, n) VALUES (?, ?)").Bind(1, id).Bind(2, 7).Run().ok());
  }
  ASSERT_TRUE(conn_->Prepare("UPDATE t SET n = n + 1 WHERE n = ?").Bind(1, 7).Run().ok());
  EXPECT_EQ(conn_->Changes(), 3);
  auto ids = conn_->Prepare("SELECT id FROM t WHERE n = ? ORDER BY id").Bind(1, 8).CollectRows<std::string>(
      [](const Statement& s) { return s.Text(0); });
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(PgStatementTest, FailedStatementReportsOnceAndChangesNothing) {
  ASSERT_TRUE(conn_->Prepare("INSERT INTO t(id) VALUES (?)").Bind(1, "a").Run().ok());
  Status dup = conn_->Prepare("INSERT INTO t(id) VALUES (?)").Bind(1, "a").Run();
  EXPECT_EQ(dup.code(), Status::Code::kAlreadyExists) << dup.ToString();
  auto count = conn_->Prepare("SELECT COUNT(*) FROM t").FirstRow<std::int64_t>(
      [](const Statement& s) { return s.Int64(0); }, "no rows");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
}

}  // namespace
}  // namespace rm::store::postgres
