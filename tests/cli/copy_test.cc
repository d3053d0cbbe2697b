// `reflect-memory copy --to DB` and `check` on PostgreSQL (issue 14 "Moving"), run as a
// person runs them: a store filled through the real commands and the memory tools
// (users, an org and its team, keys, an invite, a password, a sign-in link, an LLM key,
// OAuth, memories with versions, replies, shares, the trash, an embedding, usage,
// idempotency records) goes SQLite -> PostgreSQL -> SQLite and comes back the same —
// every table row for row, every export byte for byte; a destination that holds data,
// and one that fails half way, are left as they were. The PostgreSQL cases run on the
// throwaway server (tests/postgres/throwaway_postgres.h) and skip without it.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "store/database.h"
#include "store/memory_vectors.h"
#include "store/migrations.h"
#include "store/oauth_clients.h"
#include "store/oauth_grants.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store_copy.h"
#include "store/users.h"
#include "tests/cli/cli_runner.h"
#include "tests/postgres/throwaway_postgres.h"
#include "tests/store/issue_test_grant.h"
#include "tests/store/temp_dir.h"
#include "tools/memory_service.h"

namespace rm::testing {
namespace {

using Counts = std::map<std::string, std::int64_t>;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr const char* kMasterKey =
    "RM_LLM_KEY_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::vector<std::string> kEmails = {"ada@example.com", "bea@example.com", "cy@example.com"};

// The SQLite side of every test: a temporary folder, the CLI, the filled store.
class StoreFiles {
 public:
  CliResult Cli(const std::string& db, std::vector<std::string> args, std::string stdin_text = "") {
    args.push_back("--db");
    args.push_back(db);
    return RunCli(args, {home_.path().string(), "", {kMasterKey}, std::move(stdin_text)});
  }
  std::string MustRun(const std::string& db, const std::vector<std::string>& args, std::string stdin_text = "") {
    CliResult r = Cli(db, args, std::move(stdin_text));
    EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
    return r.LastLine();
  }
  CliResult Copy(const std::string& from, const std::string& to) { return Cli(from, {"copy", "--to", to}); }

  // Every user's export, as `export` prints it.
  std::map<std::string, std::string> Exports(const std::string& db) {
    std::map<std::string, std::string> out;
    for (const std::string& email : kEmails) {
      CliResult r = Cli(db, {"export", "--user", email});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      out[email] = r.out;
    }
    return out;
  }

  static Counts SqliteCounts(const std::string& path) {
    Counts counts;
    auto conn = store::SqliteConnection::Open(path, store::SqliteConnection::Mode::kReadOnly, 1000);
    EXPECT_TRUE(conn.ok()) << path;
    if (!conn.ok()) return counts;
    for (const std::string& table : store::CopiedTables()) {
      store::Statement& s = (*conn)->Prepare("SELECT count(*) FROM " + table);
      Result<bool> row = s.Step();
      counts[table] = row.ok() && *row ? s.Int64(0) : -1;
      s.Reset();
    }
    return counts;
  }
  static std::int64_t SqliteScalar(const std::string& path, const std::string& sql) {
    auto conn = store::SqliteConnection::Open(path, store::SqliteConnection::Mode::kReadOnly, 1000);
    if (!conn.ok()) return -1;
    store::Statement& s = (*conn)->Prepare(sql);
    Result<bool> row = s.Step();
    return row.ok() && *row ? s.Int64(0) : -1;
  }
  static std::int64_t Total(const Counts& counts) {
    std::int64_t n = 0;
    for (const auto& [table, rows] : counts) n += rows;
    return n;
  }

  // Runs `write` with the memory tools over `store` (closed afterwards, usage flushed).
  static void WithService(store::Store& store, const std::function<void(tools::MemoryService&)>& write) {
    tools::MemoryService service(store);
    write(service);
  }
  static std::string IdOf(const tools::MemoryService::Reply& reply) {
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? std::string(reply->at("memory").at("id").as_string()) : "";
  }

  // A store with a bit of everything, written the way the product writes it.
  void Populate(const std::string& db) {
    const std::string ada = MustRun(db, {"user", "add", "ada@example.com", "--plan", "team"});
    const std::string bea = MustRun(db, {"user", "add", "bea@example.com"});
    const std::string cy = MustRun(db, {"user", "add", "cy@example.com", "--plan", "pro"});
    const std::string org = MustRun(db, {"org", "create", "Acme", "--owner", "ada@example.com"});
    const std::string team = MustRun(db, {"team", "create", org, "Eng"});
    MustRun(db, {"org", "add-member", org, "ada@example.com", "--role", "owner", "--team", team});
    MustRun(db, {"org", "add-member", org, "bea@example.com", "--team", team});
    MustRun(db, {"key", "create", "--user", "ada@example.com", "--vendor", "claude"});
    const std::string revoked = MustRun(db, {"key", "create", "--user", "bea@example.com", "--json"});
    MustRun(db, {"org", "invite", org, "dee@example.com", "--team", team});
    MustRun(db, {"user", "set-password", "ada@example.com"}, "correct horse battery\n");
    MustRun(db, {"signin-link", "--user", "bea@example.com"});
    MustRun(db, {"llm-key", "set", "--user", "cy@example.com", "--provider", "openai", "--model", "gpt-4o-mini",
                 "--embedding-model", "text-embedding-3-small"},
            "sk-test-secret-1234\n");

    auto opened = store::Database::Open(db);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store::Database& database = **opened;
    std::string first;
    WithService(database, [&](tools::MemoryService& service) {
      const tools::Caller owner{ada, std::nullopt, "api"};
      const tools::Caller claude{ada, "claude", "claude"};
      const tools::Caller bea_cursor{bea, "cursor", "cursor"};
      tools::NewMemory m;
      m.title = "Café ☕ \"notes\"";
      m.content = "line 1\nline 2\ttabbed";
      m.tags = {"food", "日本"};
      m.memory_type = "episodic";
      m.allowed_vendors = {"claude", "cursor"};
      first = IdOf(service.WriteMemory(claude, tools::RequestKey{"req-1", "fp-1"}, m, std::nullopt));
      tools::MemoryEdit edit;
      edit.title = "Café notes v2";
      ASSERT_TRUE(service.UpdateMemory(claude, std::nullopt, first, edit).ok());
      edit = {};
      edit.tags = std::vector<std::string>{"food", "kyoto"};
      ASSERT_TRUE(service.UpdateMemory(claude, std::nullopt, first, edit).ok());
      tools::NewMemory reply{"reply", "to the notes", {"thread"}};
      IdOf(service.WriteChildMemory(owner, std::nullopt, first, reply));
      tools::NewMemory org_wide{"org plan", "shared with Acme", {"plan"}};
      const std::string shared = IdOf(service.WriteMemory(owner, std::nullopt, org_wide, tools::PoolKind::kOrg));
      tools::NewMemory team_note{"team note", "for Eng", {"eng", "plan"}};
      const std::string later_shared = IdOf(service.WriteMemory(owner, std::nullopt, team_note, std::nullopt));
      ASSERT_TRUE(service.ShareMemory(owner, std::nullopt, later_shared, tools::PoolKind::kTeam).ok());
      tools::NewMemory gone{"old", "in the trash", {}};
      const std::string trashed = IdOf(service.WriteMemory(owner, std::nullopt, gone, std::nullopt));
      ASSERT_TRUE(service.DeleteMemory(owner, std::nullopt, trashed, false).ok());
      tools::NewMemory bea_note{"bea's", "from cursor", {"cursor"}};
      IdOf(service.WriteMemory(bea_cursor, tools::RequestKey{"req-2", "fp-2"}, bea_note, std::nullopt));
      for (int i = 0; i < 5; ++i) {
        tools::NewMemory cy_note{"cy " + std::to_string(i), "content " + std::to_string(i), {"n" + std::to_string(i % 2)}};
        IdOf(service.WriteMemory(tools::Caller{cy, std::nullopt, "api"}, std::nullopt, cy_note, std::nullopt));
      }
      ASSERT_TRUE(service.GetMemory(owner, std::nullopt, first).ok());     // metered reads
      ASSERT_TRUE(service.GetMemory(bea_cursor, std::nullopt, shared).ok());
      ASSERT_TRUE(service.Search(owner, std::nullopt, "notes").ok());      // a metered query
    });
    // What the web and OAuth pages store, and a semantic-search vector (a BLOB).
    Status status = database.Write([&](store::Connection& c) -> Status {
      Result<store::OAuthClient> client = store::RegisterOAuthClient(c, "Claude", {"https://claude.ai/cb"});
      if (!client.ok()) return client.status();
      Result<store::IssuedTokens> tokens = IssueTestGrant(
          c, {ada, client->client_id, "https://claude.ai/cb", "", "claude", {"mcp:read"}, "https://memory.example.com/mcp"});
      if (!tokens.ok()) return tokens.status();
      return store::UpsertVector(c, {first, "text-embedding-3-small", "hash", "2026-01-01T00:00:00.000Z",
                                     {0.25f, -1.5f, 3.0f}});
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
    (void)revoked;
  }

  TempDir home_;
  std::string source_ = home_.File("source.db");
  std::string back_ = home_.File("back.db");
};

class CopyTest : public ::testing::Test, public StoreFiles {};

// The same rows in two SQLite files, table by table (memories with their rowids).
void ExpectSameRows(const std::string& a, const std::string& b) {
  auto conn = store::SqliteConnection::Open(a, store::SqliteConnection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->ExecScript("ATTACH DATABASE '" + b + "' AS other").ok());
  for (const std::string& table : store::CopiedTables()) {
    const std::string cols = table == "memories" ? "rowid, *" : "*";
    for (const auto& [x, y] : {std::pair<std::string, std::string>{"main", "other"}, {"other", "main"}}) {
      store::Statement& s = (*conn)->Prepare("SELECT count(*) FROM (SELECT " + cols + " FROM " + x + "." + table +
                                             " EXCEPT SELECT " + cols + " FROM " + y + "." + table + ")");
      Result<bool> row = s.Step();
      ASSERT_TRUE(row.ok() && *row) << table;
      EXPECT_EQ(s.Int64(0), 0) << "rows of " << table << " in " << x << " that " << y << " lacks";
      s.Reset();
    }
  }
}

TEST_F(CopyTest, SqliteToSqliteKeepsEveryRowAndTheCopyIsHealthy) {
  Populate(source_);
  const Counts before = SqliteCounts(source_);
  EXPECT_GE(before.at("memories"), 11);
  EXPECT_GE(before.at("memory_versions"), 2);
  EXPECT_GE(before.at("usage_events"), 10);
  EXPECT_EQ(before.at("oauth_grants"), 1);
  EXPECT_EQ(before.at("memory_embeddings"), 1);
  EXPECT_EQ(before.at("idempotency_keys"), 2);

  CliResult copied = Copy(source_, back_);
  ASSERT_EQ(copied.exit_code, 0) << copied.out << copied.err;
  EXPECT_TRUE(Contains(copied.err, "  memories: " + std::to_string(before.at("memories")) + " rows (")) << copied.err;
  EXPECT_TRUE(Contains(copied.out, "copied " + std::to_string(Total(before)) + " rows")) << copied.out;
  EXPECT_TRUE(Contains(copied.out, "check on the destination: ok")) << copied.out;
  EXPECT_EQ(SqliteCounts(back_), before);
  ExpectSameRows(source_, back_);
  EXPECT_EQ(Exports(back_), Exports(source_));
  // Search works there: the full-text index was filled as memories went in.
  CliResult check = Cli(back_, {"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(CopyTest, ACopyOntoItselfOrIntoANonEmptyFileIsRefused) {
  Populate(source_);
  CliResult self = Copy(source_, source_);
  EXPECT_EQ(self.exit_code, 2);
  EXPECT_TRUE(Contains(self.err, "names the source itself")) << self.err;

  MustRun(back_, {"user", "add", "zed@example.com"});
  const Counts before = SqliteCounts(back_);
  CliResult refused = Copy(source_, back_);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "the destination already holds data: users (1)")) << refused.err;
  EXPECT_TRUE(refused.out.empty()) << refused.out;
  EXPECT_EQ(SqliteCounts(back_), before);
}

TEST_F(CopyTest, AFailureHalfWayLeavesTheFileDestinationEmpty) {
  Populate(source_);
  MustRun(back_, {"migrate"});
  {  // The destination refuses usage rows: memories, versions and users are in by then.
    auto conn = store::SqliteConnection::Open(back_, store::SqliteConnection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript("CREATE TRIGGER fail_usage BEFORE INSERT ON usage_events "
                                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END").ok());
  }
  CliResult failed = Copy(source_, back_);
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_TRUE(Contains(failed.err, "injected failure")) << failed.err;
  EXPECT_TRUE(Contains(failed.err, "  memories: ")) << "it failed after copying memories: " << failed.err;
  EXPECT_TRUE(Contains(failed.err, "rolled back")) << failed.err;
  EXPECT_EQ(Total(SqliteCounts(back_)), 0);

  // A source that check finds broken is not copied either, and a new file is not left behind.
  {
    auto conn = store::SqliteConnection::Open(source_, store::SqliteConnection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript("UPDATE monthly_usage SET writes = writes + 1").ok());
  }
  const std::string fresh = home_.File("fresdb");
  CliResult unsound = Copy(source_, fresh);
  EXPECT_EQ(unsound.exit_code, 1);
  EXPECT_TRUE(Contains(unsound.err, "check found problems in the copy")) << unsound.err;
  EXPECT_TRUE(Contains(unsound.err, "monthly_usage of user")) << unsound.err;
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

// ------------------------------------------------------------------ PostgreSQL

class PostgresCopyTest : public ThrowawayPostgres, public StoreFiles {
 protected:
  void SetUp() override {
    ThrowawayPostgres::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
  }
  Counts PgCounts() {
    Counts counts;
    auto conn = store::postgres::PgConnection::Open(conninfo_);
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return counts;
    for (const std::string& table : store::CopiedTables()) {
      auto rows = conn->Query("SELECT count(*) FROM " + table);
      counts[table] = rows.ok() ? std::stoll(rows->Text(0, 0)) : -1;
    }
    return counts;
  }
  void PgExec(const std::string& sql) {
    auto conn = store::postgres::PgConnection::Open(conninfo_);
    ASSERT_TRUE(conn.ok());
    auto done = conn->Query(sql);
    ASSERT_TRUE(done.ok()) << sql << ": " << done.status().ToString();
  }

};

TEST_F(PostgresCopyTest, SqliteToPostgresToSqliteGivesTheSameStore) {
  Populate(source_);
  const Counts source = SqliteCounts(source_);

  CliResult there = Copy(source_, url_);
  ASSERT_EQ(there.exit_code, 0) << there.out << there.err;
  EXPECT_TRUE(Contains(there.err, "  memory_versions: " + std::to_string(source.at("memory_versions")) + " rows"))
      << there.err;
  EXPECT_TRUE(Contains(there.out, "check on the destination: ok")) << there.out;
  EXPECT_EQ(PgCounts(), source);
  const auto exports = Exports(source_);
  EXPECT_EQ(Exports(url_), exports);
  CliResult check = Cli(url_, {"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_TRUE(Contains(check.out, "ok: schema, usage totals")) << check.out;

  CliResult back = Copy(url_, back_);
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_EQ(SqliteCounts(back_), source);
  EXPECT_EQ(Exports(back_), exports);
  ExpectSameRows(source_, back_);  // JSON, timestamps, blobs and rowids as they were
  CliResult back_check = Cli(back_, {"check"});
  EXPECT_EQ(back_check.exit_code, 0) << back_check.out << back_check.err;

  // New memories on PostgreSQL take rowids past the copied ones (the identity was moved on).
  auto pg = store::postgres::PgDatabase::Open(conninfo_);
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  auto cy = store::ReadValue<store::User>(**pg, [](store::Connection& c) { return store::FindUserByEmail(c, "cy@example.com"); });
  ASSERT_TRUE(cy.ok());
  const auto added = [&] {
    auto conn = store::postgres::PgConnection::Open(conninfo_);
    auto rows = conn->Query("SELECT added FROM tag_cluster_pool_changes WHERE pool = 'u:" + cy->id + "'");
    return rows.ok() && rows->RowCount() == 1 ? std::stoll(rows->Text(0, 0)) : -1;
  };
  const std::int64_t added_before = added();
  EXPECT_EQ(added_before, 5) << "cy's five memories, as counted on SQLite";
  tools::MemoryService service(**pg);
  auto written = service.WriteMemory(tools::Caller{cy->id, std::nullopt, "api"}, std::nullopt,
                                     tools::NewMemory{"after the move", "new", {}}, std::nullopt);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(added(), added_before + 1) << "the topic-cluster triggers count again after the copy";
}

TEST_F(PostgresCopyTest, PostgresIntoANonEmptyDestinationIsRefusedAndAFailureHalfWayKeepsNothing) {
  Populate(source_);
  MustRun(url_, {"user", "add", "zed@example.com"});
  const Counts holding = PgCounts();
  CliResult refused = Copy(source_, url_);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(Contains(refused.err, "the destination already holds data: users (1)")) << refused.err;
  EXPECT_EQ(PgCounts(), holding);

  // Empty again, but made to fail on the first version row: memories are in by then.
  PgExec("DELETE FROM users");
  PgExec("CREATE FUNCTION fail_versions() RETURNS trigger LANGUAGE plpgsql AS "
         "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$");
  PgExec("CREATE TRIGGER fail_versions BEFORE INSERT ON memory_versions FOR EACH ROW EXECUTE FUNCTION fail_versions()");
  CliResult failed = Copy(source_, url_);
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_TRUE(Contains(failed.err, "injected failure")) << failed.err;
  EXPECT_TRUE(Contains(failed.err, "  memories: ")) << failed.err;
  EXPECT_TRUE(Contains(failed.err, "rolled back")) << failed.err;
  EXPECT_FALSE(Contains(failed.err + failed.out, "copied ")) << failed.out;
  EXPECT_EQ(Total(PgCounts()), 0);

  // And the other way: PostgreSQL into a SQLite file that fails half way.
  PgExec("DROP TRIGGER fail_versions ON memory_versions");
  ASSERT_EQ(Copy(source_, url_).exit_code, 0);
  MustRun(back_, {"migrate"});
  {
    auto conn = store::SqliteConnection::Open(back_, store::SqliteConnection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript("CREATE TRIGGER fail_usage BEFORE INSERT ON usage_events "
                                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END").ok());
  }
  CliResult failed_back = Copy(url_, back_);
  EXPECT_EQ(failed_back.exit_code, 1);
  EXPECT_TRUE(Contains(failed_back.err, "injected failure")) << failed_back.err;
  EXPECT_EQ(Total(SqliteCounts(back_)), 0);
}

TEST_F(PostgresCopyTest, CheckOnPostgresPassesAHealthyStoreAndFindsWhatIsWrong) {
  Populate(source_);
  ASSERT_EQ(Copy(source_, url_).exit_code, 0);
  CliResult ok = Cli(url_, {"check"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(Contains(ok.out, "schema version: " + std::to_string(store::LatestSchemaVersion()))) << ok.out;
  EXPECT_TRUE(Contains(ok.out, "database: postgresql://")) << ok.out;

  // A month's total that its events do not add up to.
  PgExec("UPDATE monthly_usage SET writes = writes + 1 WHERE user_id = (SELECT id FROM users WHERE email = 'cy@example.com')");
  CliResult usage = Cli(url_, {"check"});
  EXPECT_EQ(usage.exit_code, 1);
  EXPECT_TRUE(Contains(usage.out, "problem: monthly_usage of user")) << usage.out;
  EXPECT_TRUE(Contains(usage.err, "1 problem")) << usage.err;
  CliResult json = Cli(url_, {"check", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_TRUE(Contains(json.out, "\"ok\":false")) << json.out;
  PgExec("UPDATE monthly_usage SET writes = writes - 1 WHERE user_id = (SELECT id FROM users WHERE email = 'cy@example.com')");

  // Two versions with one number, and an identity that would hand out a taken rowid.
  PgExec("UPDATE memory_versions SET version_number = 1");
  PgExec("SELECT setval(pg_get_serial_sequence('memories', 'rowid'), 1)");
  CliResult broken = Cli(url_, {"check"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_TRUE(Contains(broken.out, "versions numbered 1")) << broken.out;
  EXPECT_TRUE(Contains(broken.out, "memories.rowid's sequence is at 1")) << broken.out;
  EXPECT_TRUE(Contains(broken.err, "2 problem")) << broken.err;
}

}  // namespace
}  // namespace rm::testing
