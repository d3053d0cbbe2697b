// The CLI on a PostgreSQL database (issue 14): a postgresql:// URL in --db or
// $REFLECT_DB, as a new user would give it. Runs the real binary against a database of
// the throwaway PostgreSQL (tests/postgres/throwaway_postgres.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "tests/cli/cli_runner.h"
#include "tests/postgres/throwaway_postgres.h"
#include "tests/store/temp_dir.h"

namespace rm::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class PostgresCliTest : public ThrowawayPostgres {
 protected:
  void SetUp() override {
    ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // With a password, which must never be printed (trust auth ignores it).
    url_ = ThrowawayPostgresServer::Get().Url(database_, "hunter2-secret");
  }
  CliResult Run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(url_);
    return RunCli(args, {home_.path().string(), ""});
  }
  std::int64_t Count(const std::string& table) {
    auto conn = store::postgres::PgConnection::Open(conninfo_);
    if (!conn.ok()) return -1;
    auto rows = conn->Query("SELECT COUNT(*) FROM " + table);
    return rows.ok() ? std::stoll(rows->Text(0, 0)) : -1;
  }

  TempDir home_;
};

TEST_F(PostgresCliTest, MigrateThenUsersAndKeysLiveInPostgres) {
  CliResult migrated = Run({"migrate"});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  EXPECT_TRUE(Contains(migrated.out, "applied migration 1_canonical")) << migrated.out;
  EXPECT_TRUE(Contains(migrated.out, "postgresql://rm:****@127.0.0.1:")) << migrated.out;
  EXPECT_FALSE(Contains(migrated.out + migrated.err, "hunter2")) << "the password was printed";
  CliResult again = Run({"migrate"});
  EXPECT_TRUE(Contains(again.out, "already up to date")) << again.out;

  ASSERT_EQ(Run({"user", "add", "Ada@Example.com", "--plan", "pro"}).exit_code, 0);
  CliResult dup = Run({"user", "add", "ada@example.com"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_TRUE(Contains(dup.err, "already exists")) << dup.err;
  EXPECT_EQ(Count("users"), 1);

  CliResult key = Run({"key", "create", "--user", "ada@example.com", "--vendor", "claude"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  EXPECT_TRUE(key.LastLine().starts_with("rm_live_")) << key.out;
  CliResult list = Run({"key", "list", "--user", "ada@example.com", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(Contains(list.out, "\"vendor\":\"claude\"")) << list.out;
  EXPECT_TRUE(Contains(list.out, "\"revoked_at\":null")) << list.out;
  EXPECT_EQ(Count("api_keys"), 1);
}

TEST_F(PostgresCliTest, CheckRunsOnPostgresWithoutPrintingThePassword) {
  ASSERT_EQ(Run({"user", "add", "ada@example.com"}).exit_code, 0);
  CliResult check = Run({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "database: postgresql://rm:****@")) << check.out;
  EXPECT_TRUE(Contains(check.out, "ok: ")) << check.out;
  EXPECT_FALSE(Contains(check.out + check.err, "hunter2"));
}

TEST_F(PostgresCliTest, UsageOrgsAndExportRunOnPostgres) {
  ASSERT_EQ(Run({"user", "add", "ada@example.com", "--plan", "team"}).exit_code, 0);
  CliResult org = Run({"org", "create", "Acme", "--owner", "ada@example.com"});
  ASSERT_EQ(org.exit_code, 0) << org.err;
  EXPECT_EQ(Count("orgs"), 1);
  CliResult usage = Run({"usage", "--json"});
  ASSERT_EQ(usage.exit_code, 0) << usage.err;
  EXPECT_TRUE(Contains(usage.out, "ada@example.com")) << usage.out;
  CliResult exported = Run({"export", "--user", "ada@example.com"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(Contains(exported.err, "exported 0 memories")) << exported.err;
}

TEST_F(PostgresCliTest, AnUnreachableServerIsAClearError) {
  CliResult r = RunCli({"user", "list", "--db", "postgresql://rm@127.0.0.1:1/nothing?connect_timeout=2"},
                       {home_.path().string(), ""});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "unavailable")) << r.err;
}

}  // namespace
}  // namespace rm::testing
