// The CLI on a PostgreSQL database (issue 14): a postgresql:// URL in --db or
// $REFLECT_DB, as a new user would give it. Runs the real binary against a database of
// the throwaway PostgreSQL (tests/postgres/throwaway_postgres.h).
#include <gtest/gtest.h>

#include <fstream>
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
  CliResult Run(std::vector<std::string> args, std::vector<std::string> env = {}, std::string stdin_text = {}) {
    args.push_back("--db");
    args.push_back(url_);
    return RunCli(args, {home_.path().string(), "", std::move(env), std::move(stdin_text)});
  }
  std::string Scalar(const std::string& sql) {
    auto conn = store::postgres::PgConnection::Open(conninfo_);
    if (!conn.ok()) return "(" + conn.status().ToString() + ")";
    auto rows = conn->Query(sql);
    return rows.ok() ? rows->Text(0, 0) : "(" + rows.status().ToString() + ")";
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

// The commands the tests above do not run, each on PostgreSQL, checked by what it stored.
TEST_F(PostgresCliTest, EveryOtherCommandRunsOnPostgres) {
  const std::string master = "RM_LLM_KEY_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  ASSERT_EQ(Run({"user", "add", "ada@example.com", "--plan", "team"}).exit_code, 0);
  ASSERT_EQ(Run({"user", "add", "bob@example.com", "--plan", "pro"}).exit_code, 0);

  CliResult set = Run({"user", "set", "ada@example.com", "--merge-similar", "on"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  CliResult password = Run({"user", "set-password", "ada@example.com"}, {}, "correct horse battery staple\n");
  EXPECT_EQ(password.exit_code, 0) << password.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM user_passwords"), "1");
  CliResult link = Run({"signin-link", "--user", "ada@example.com", "--public-url", "https://memory.example.com"});
  EXPECT_EQ(link.exit_code, 0) << link.err;
  EXPECT_TRUE(Contains(link.out, "https://memory.example.com/")) << link.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM signin_links"), "1");

  CliResult org = Run({"org", "create", "Acme", "--owner", "ada@example.com"});
  ASSERT_EQ(org.exit_code, 0) << org.err;
  const std::string org_id = org.LastLine();
  CliResult team = Run({"team", "create", org_id, "Platform"});
  EXPECT_EQ(team.exit_code, 0) << team.err;
  CliResult member = Run({"org", "add-member", org_id, "bob@example.com"});
  EXPECT_EQ(member.exit_code, 0) << member.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE org_id IS NOT NULL"), "2");
  CliResult invite = Run({"org", "invite", org_id, "cy@example.com", "--public-url", "https://memory.example.com"});
  EXPECT_EQ(invite.exit_code, 0) << invite.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM org_invites"), "1");
  CliResult grants = Run({"grant", "list", "--user", "ada@example.com"});
  EXPECT_EQ(grants.exit_code, 0) << grants.err;

  CliResult llm = Run({"llm-key", "set", "--user", "ada@example.com", "--provider", "openai", "--model",
                       "text-embedding-3-small"},
                      {master}, "sk-test-Very-Secret-9f3a\n");
  ASSERT_EQ(llm.exit_code, 0) << llm.err;
  const std::string llm_id = llm.LastLine();
  EXPECT_EQ(Scalar("SELECT key_last4 FROM llm_keys"), "9f3a");
  CliResult listed = Run({"llm-key", "list"});
  EXPECT_TRUE(Contains(listed.out, llm_id)) << listed.out;
  CliResult reindex = Run({"reindex"}, {master});
  EXPECT_EQ(reindex.exit_code, 0) << reindex.err;
  EXPECT_EQ(Run({"llm-key", "remove", llm_id}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM llm_keys"), "0");

  const std::string file = home_.File("memories.jsonl");
  {
    std::ofstream out(file);
    out << R"({"title":"First","content":"Imported into PostgreSQL.","tags":["import"]})" << "\n"
        << R"({"title":"Second","content":"Also imported."})" << "\n";
  }
  CliResult imported = Run({"import", file, "--user", "bob@example.com"});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM memories"), "2");

  CliResult config = Run({"config", "show"});
  EXPECT_EQ(config.exit_code, 0) << config.err;
  EXPECT_FALSE(Contains(config.out + config.err, "hunter2-secret")) << "the password was printed";

  // serve over stdio, as an IDE launches it, on the same database.
  CliResult key = Run({"key", "create", "--user", "bob@example.com", "--vendor", "cursor"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  const std::string request =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},)"
      R"("clientInfo":{"name":"t","version":"1"}}})" "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"read_memories","arguments":{}}})" "\n";
  CliResult served = Run({"serve", "--stdio"}, {"REFLECT_API_KEY=" + key.LastLine()}, request);
  EXPECT_TRUE(Contains(served.out, "Imported into PostgreSQL.")) << served.out << served.err;
}

TEST_F(PostgresCliTest, AnUnreachableServerIsAClearError) {
  CliResult r = RunCli({"user", "list", "--db", "postgresql://rm@127.0.0.1:1/nothing?connect_timeout=2"},
                       {home_.path().string(), ""});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "unavailable")) << r.err;
}

}  // namespace
}  // namespace rm::testing
