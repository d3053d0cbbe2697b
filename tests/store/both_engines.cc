#include "tests/store/both_engines.h"

#include "store/database.h"
#include "store/postgres/pg_database.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::testing {

void BothEnginesTest::SetUp() {
  if (GetParam() == store::Engine::kSqlite) {
    auto db = store::Database::Open(":memory:");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    store_ = std::move(*db);
    return;
  }
  ThrowawayPostgresServer& server = ThrowawayPostgresServer::Get();
  if (!server.EnsureStarted()) {
    if (server.binaries_missing()) GTEST_SKIP() << server.error();
    FAIL() << "PostgreSQL did not start: " << server.error();
  }
  const std::string conninfo = server.NewDatabase();
  ASSERT_FALSE(conninfo.empty());
  auto db = store::postgres::PgDatabase::Open(conninfo, {.connections = 2});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  store_ = std::move(*db);
}

std::string EngineName(const ::testing::TestParamInfo<store::Engine>& info) {
  return info.param == store::Engine::kSqlite ? "SQLite" : "PostgreSQL";
}

}  // namespace rm::testing
