// Database::Read with a stop check: a read whose caller gave up (an MCP request
// the client cancelled) ends early — before it starts, or while SQLite steps a
// statement — and the connection serves the next read as usual.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "store/database.h"
#include "tests/store/temp_dir.h"

namespace rm::store {
namespace {

using std::chrono::steady_clock;

// Counts to `n` with a recursive CTE: about ten virtual-machine steps per number,
// so n = 2e9 would run for minutes unless interrupted.
Result<std::int64_t> CountTo(Connection& conn, std::int64_t n) {
  Statement& s = conn.Prepare(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?1) SELECT count(*) FROM c");
  s.Bind(1, n);
  return s.FirstRow<std::int64_t>([](const Statement& row) { return row.Int64(0); }, "no count");
}

class ReadInterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions options;
    options.reader_connections = 1;  // every read reuses the connection an earlier read stopped on
    auto db = Database::Open(dir_.File("memory.db"), options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(ReadInterruptTest, ReadOfACallerWhoAlreadyGaveUpDoesNotStart) {
  bool ran = false;
  Status status = db_->Read([&](Connection&) {
    ran = true;
    return Status::Ok();
  }, [] { return true; });
  EXPECT_EQ(status.code(), Status::Code::kCancelled) << status.ToString();
  EXPECT_FALSE(ran);
}

TEST_F(ReadInterruptTest, StatementIsAbandonedPromptlyOnceTheCallerGivesUp) {
  std::atomic<bool> gave_up{false};
  Status seen_by_function;
  const auto started = steady_clock::now();
  Status status = db_->Read([&](Connection& conn) {
    gave_up = true;  // already set when the statement starts stepping
    seen_by_function = CountTo(conn, 2'000'000'000).status();
    return seen_by_function;
  }, [&] { return gave_up.load(); });
  const auto elapsed = steady_clock::now() - started;

  EXPECT_EQ(seen_by_function.code(), Status::Code::kCancelled) << seen_by_function.ToString();
  EXPECT_EQ(status.code(), Status::Code::kCancelled) << status.ToString();
  EXPECT_LT(elapsed, std::chrono::seconds(2));  // counting to 2e9 takes minutes
}

TEST_F(ReadInterruptTest, ErrorAFunctionMadeOfTheInterruptionStillSaysCancelled) {
  std::atomic<bool> gave_up{false};
  Status status = db_->Read([&](Connection& conn) {
    gave_up = true;
    Result<std::int64_t> n = CountTo(conn, 2'000'000'000);
    return n.ok() ? Status::Ok() : Status::NotFound("nothing to count");
  }, [&] { return gave_up.load(); });
  EXPECT_EQ(status.code(), Status::Code::kCancelled) << status.ToString();
}

TEST_F(ReadInterruptTest, ConnectionReadsNormallyAfterAnInterruptedRead) {
  std::atomic<bool> gave_up{false};
  db_->Read([&](Connection& conn) {
    gave_up = true;
    return CountTo(conn, 2'000'000'000).status();
  }, [&] { return gave_up.load(); });

  // gave_up is still true: the stop check must have left with the read it belonged to.
  std::int64_t counted = 0;
  Status status = db_->Read([&](Connection& conn) {
    Result<std::int64_t> n = CountTo(conn, 200'000);
    if (n.ok()) counted = *n;
    return n.status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(counted, 200'000);
}

TEST_F(ReadInterruptTest, ReadWhoseCallerStaysRunsToTheEnd) {
  int asked = 0;
  std::int64_t counted = 0;
  Status status = db_->Read([&](Connection& conn) {
    Result<std::int64_t> n = CountTo(conn, 200'000);
    if (n.ok()) counted = *n;
    return n.status();
  }, [&] {
    ++asked;
    return false;
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(counted, 200'000);
  EXPECT_GT(asked, 10);  // SQLite kept asking while the statement ran
}

}  // namespace
}  // namespace rm::store
