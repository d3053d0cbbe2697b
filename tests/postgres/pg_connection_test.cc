// PgConnection against a real PostgreSQL: errors keep their meaning as rm::Status
// codes, and values travel as parameters, never as SQL text.
#include <gtest/gtest.h>

#include <string>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_status.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::store::postgres {
namespace {

class PgConnectionTest : public rm::testing::ThrowawayPostgres {
 protected:
  void SetUp() override {
    rm::testing::ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto conn = PgConnection::Open(conninfo_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_.emplace(std::move(*conn));
  }
  PgConnection& conn() { return *conn_; }

  std::optional<PgConnection> conn_;
};

TEST_F(PgConnectionTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(conn().Exec("CREATE TABLE people (email TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(conn().Query("INSERT INTO people VALUES ($1)", {"a@example.com"}).ok());
  Result<PgRows> again = conn().Query("INSERT INTO people VALUES ($1)", {"a@example.com"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists) << again.status().ToString();
  EXPECT_NE(again.status().message().find("23505"), std::string::npos);
}

TEST_F(PgConnectionTest, OtherIntegrityViolationsAreInvalidArgument) {
  ASSERT_TRUE(conn().Exec("CREATE TABLE t (n BIGINT NOT NULL CHECK (n > 0))").ok());
  Result<PgRows> zero = conn().Query("INSERT INTO t VALUES ($1::bigint)", {"0"});
  EXPECT_EQ(zero.status().code(), Status::Code::kInvalidArgument) << zero.status().ToString();
  Result<PgRows> null = conn().Query("INSERT INTO t VALUES ($1::bigint)", {std::nullopt});
  EXPECT_EQ(null.status().code(), Status::Code::kInvalidArgument) << null.status().ToString();
}

TEST_F(PgConnectionTest, BadSqlCarriesTheServersMessage) {
  Status exec = conn().Exec("SELEC 1");
  ASSERT_FALSE(exec.ok());
  EXPECT_EQ(exec.code(), Status::Code::kInternal);
  EXPECT_NE(exec.message().find("syntax error"), std::string::npos) << exec.message();
  Result<PgRows> query = conn().Query("SELECT * FROM no_such_table WHERE x = $1", {"1"});
  ASSERT_FALSE(query.ok());
  EXPECT_NE(query.status().message().find("no_such_table"), std::string::npos)
      << query.status().message();
  // The connection is still usable after an error.
  EXPECT_TRUE(conn().Query("SELECT 1").ok());
}

TEST_F(PgConnectionTest, ParametersArePassedAsValuesNotSql) {
  ASSERT_TRUE(conn().Exec("CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT)").ok());
  const std::string hostile = "O'Brien \"quoted\" '); DROP TABLE users; -- \\ $1 ünïcode";
  ASSERT_TRUE(conn().Query("INSERT INTO users VALUES ($1::bigint, $2)", {"1", hostile}).ok());
  ASSERT_TRUE(conn().Query("INSERT INTO users VALUES ($1::bigint, $2)", {"2", std::nullopt}).ok());
  Result<PgRows> rows = conn().Query("SELECT name FROM users ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->RowCount(), 2);
  ASSERT_EQ(rows->ColumnCount(), 1);
  EXPECT_EQ(rows->Text(0, 0), hostile);
  EXPECT_FALSE(rows->IsNull(0, 0));
  EXPECT_TRUE(rows->IsNull(1, 0));
  // And the value matches as a value in a WHERE clause too.
  Result<PgRows> found = conn().Query("SELECT id FROM users WHERE name = $1", {hostile});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->RowCount(), 1);
  EXPECT_EQ(found->Text(0, 0), "1");
}

TEST_F(PgConnectionTest, MovedConnectionKeepsWorking) {
  PgConnection moved = std::move(*conn_);
  EXPECT_TRUE(moved.Query("SELECT 1").ok());
  EXPECT_FALSE(conn_->Exec("SELECT 1").ok());  // the moved-from one refuses, not crashes
}

TEST(PgConnectionOpenTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  Result<PgConnection> conn = PgConnection::Open("host=127.0.0.1 port=1 user=rm dbname=x connect_timeout=2");
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(conn.status().ToString().rfind("unavailable: ", 0), 0u) << conn.status().ToString();
}

TEST(PgErrorStatusTest, MapsSqlStates) {
  EXPECT_EQ(PgErrorStatus("40001", "m", false).code(), Status::Code::kConflict);
  EXPECT_EQ(PgErrorStatus("40P01", "m", false).code(), Status::Code::kConflict);
  EXPECT_NE(PgErrorStatus("40001", "m", false).message().find("retry"), std::string::npos);
  EXPECT_EQ(PgErrorStatus("08006", "m", false).code(), Status::Code::kUnavailable);
  EXPECT_EQ(PgErrorStatus("57P01", "m", false).code(), Status::Code::kUnavailable);
  EXPECT_EQ(PgErrorStatus("", "m", true).code(), Status::Code::kUnavailable);
  EXPECT_EQ(PgErrorStatus("", "m", true).ToString(), "unavailable: m");
  EXPECT_EQ(PgErrorStatus("23505", "m", false).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(PgErrorStatus("23503", "m", false).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(PgErrorStatus("42601", "m", false).code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace rm::store::postgres
