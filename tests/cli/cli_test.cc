// The reflect-memory admin CLI, run as a user runs it: exit codes, what is
// printed, what is stored, and that failures change nothing.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/migrations.h"
#include "tests/cli/cli_runner.h"
#include "tests/store/temp_dir.h"
#include "tests/store/text_shapes.h"
#include "util/crypto.h"

namespace rm::testing {
namespace {

using store::Connection;
using store::SqliteConnection;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliTest : public ::testing::Test {
 protected:
  // Runs the binary with `args` plus --db <this test's database>.
  CliResult Run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db_);
    return RunCli(args, {dir_.path().string(), ""});
  }
  // Runs a command that must succeed and returns the last line of its output.
  std::string MustRun(const std::vector<std::string>& args) {
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
    return r.LastLine();
  }

  // Every row of every table, as text: equal dumps mean nothing changed.
  std::string Dump() {
    auto conn = SqliteConnection::Open(db_, SqliteConnection::Mode::kReadOnly, 1000);
    if (!conn.ok()) return "cannot open: " + conn.status().ToString();
    std::vector<std::string> tables;
    store::Statement& list = (*conn)->Prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    while (*list.Step()) tables.push_back(list.Text(0));
    std::string dump;
    for (const std::string& table : tables) {
      store::Statement& rows = (*conn)->Prepare("SELECT * FROM \"" + table + "\"");
      std::vector<std::string> lines;
      while (*rows.Step()) {
        std::string line;
        for (int i = 0; i < rows.ColumnCount(); ++i) line += (rows.IsNull(i) ? "NULL" : rows.Text(i)) + "|";
        lines.push_back(line);
      }
      std::sort(lines.begin(), lines.end());
      dump += "== " + table + "\n";
      for (const std::string& l : lines) dump += l + "\n";
    }
    return dump;
  }

  // Asserts the command fails with `exit_code`, says each of `phrases` on
  // stderr, prints nothing on stdout, and leaves the database as it was.
  void ExpectFailureChangingNothing(const std::vector<std::string>& args, int exit_code,
                                    const std::vector<std::string>& phrases) {
    std::string before = Dump();
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, exit_code) << "stderr: " << r.err;
    for (const std::string& p : phrases) EXPECT_TRUE(Contains(r.err, p)) << "missing '" << p << "' in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(Dump(), before);
  }

  std::string Scalar(const std::string& sql) {
    auto conn = SqliteConnection::Open(db_, SqliteConnection::Mode::kReadOnly, 1000);
    EXPECT_TRUE(conn.ok());
    store::Statement& s = (*conn)->Prepare(sql);
    Result<bool> row = s.Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return row.ok() && *row ? s.Text(0) : "";
  }

  TempDir dir_;
  std::string db_ = dir_.File("memory.db");
};

// ------------------------------------------------------------------ help and usage

TEST_F(CliTest, VersionAndHelp) {
  CliResult v = RunCli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.LastLine(), RM_VERSION);
  CliResult h = RunCli({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* cmd : {"user", "key", "org", "team", "usage", "migrate", "check"}) {
    EXPECT_TRUE(Contains(h.out, cmd)) << cmd;
  }
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  const std::vector<std::vector<std::string>> commands = {
      {"user"}, {"user", "add"}, {"user", "list"}, {"user", "set"}, {"key"}, {"key", "create"}, {"key", "list"},
      {"key", "revoke"}, {"org"}, {"org", "create"}, {"org", "add-member"}, {"team"},
      {"team", "create"}, {"usage"}, {"migrate"}, {"check"}, {"serve"}, {"export"}, {"import"},
      {"llm-key"}, {"llm-key", "set"}, {"llm-key", "list"}, {"llm-key", "remove"}, {"reindex"}, {"copy"}};
  for (std::vector<std::string> cmd : commands) {
    std::string name = "reflect-memory";
    for (const std::string& part : cmd) name += " " + part;
    cmd.push_back("--help");
    CliResult r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_TRUE(Contains(r.out, "Usage: " + name)) << name << ":\n" << r.out;
    EXPECT_TRUE(Contains(r.out, "--db")) << name << " help should mention --db";
  }
  EXPECT_FALSE(std::filesystem::exists(db_));  // help opens no database
}

TEST_F(CliTest, MissingOrUnknownCommandIsAUsageError) {
  for (std::vector<std::string> args : {std::vector<std::string>{}, {"user"}, {"frobnicate"},
                                        {"user", "add"}, {"key", "create"}}) {
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(Contains(r.err, "--help")) << r.err;
  }
  // A mistyped command is named as unknown, not reported as a missing one.
  CliResult top = Run({"frobnicate"});
  EXPECT_TRUE(Contains(top.err, "unknown command 'frobnicate'")) << top.err;
  EXPECT_TRUE(Contains(top.err, "reflect-memory --help")) << top.err;
  EXPECT_FALSE(Contains(top.err, "subcommand is required")) << top.err;

  CliResult nested = Run({"user", "frob", "--json"});
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_TRUE(Contains(nested.err, "unknown command 'user frob'")) << nested.err;
  EXPECT_TRUE(Contains(nested.err, "reflect-memory user --help")) << nested.err;

  CliResult missing = Run({"user"});  // nothing mistyped: no unknown command to name
  EXPECT_FALSE(Contains(missing.err, "unknown command")) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(db_));
}

// ------------------------------------------------------------------ users

TEST_F(CliTest, UserAddPrintsIdAndUserListShowsIt) {
  CliResult r = Run({"user", "add", "Ada@Example.com", "--plan", "pro", "--role", "admin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsUuidV4(r.LastLine())) << r.out;
  EXPECT_EQ(Scalar("SELECT id || ' ' || email || ' ' || plan || ' ' || role FROM users"),
            r.LastLine() + " ada@example.com pro admin");

  CliResult list = Run({"user", "list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_TRUE(Contains(list.out, "EMAIL"));
  EXPECT_TRUE(Contains(list.out, "ada@example.com"));
  EXPECT_TRUE(Contains(list.out, r.LastLine()));
}

TEST_F(CliTest, JsonOutputIsTheObject) {
  CliResult r = Run({"user", "add", "a@example.com", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "\"email\":\"a@example.com\"")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\"plan\":\"free\"")) << r.out;
  CliResult list = Run({"--json", "user", "list"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out.front(), '[');
  EXPECT_TRUE(Contains(list.out, "\"org_id\":null")) << list.out;
}

TEST_F(CliTest, InvalidEmailIsAUsageErrorAndCreatesNothing) {
  CliResult r = Run({"user", "add", "not-an-email"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "invalid email address 'not-an-email'")) << r.err;
  EXPECT_TRUE(Contains(r.err, "name@example.com")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(db_));  // checked before the database is touched

  MustRun({"user", "add", "a@example.com"});
  ExpectFailureChangingNothing({"user", "add", "two@@example.com"}, 2, {"more than one '@'"});
}

TEST_F(CliTest, UnknownPlanOrRoleIsAUsageError) {
  MustRun({"user", "add", "a@example.com"});
  ExpectFailureChangingNothing({"user", "add", "b@example.com", "--plan", "gold"}, 2,
                               {"gold", "free,builder,pro,team,admin"});
  ExpectFailureChangingNothing({"user", "add", "b@example.com", "--role", "root"}, 2,
                               {"root", "user,admin"});
}

TEST_F(CliTest, DuplicateUserFailsAndChangesNothing) {
  MustRun({"user", "add", "a@example.com"});
  ExpectFailureChangingNothing({"user", "add", "A@EXAMPLE.com"}, 1,
                               {"a@example.com already exists", "reflect-memory user list"});
}

TEST_F(CliTest, UserSetMergeSimilarTurnsTheDefaultOnAndOff) {
  MustRun({"user", "add", "a@example.com"});
  EXPECT_EQ(Scalar("SELECT merge_similar FROM users"), "0");
  EXPECT_TRUE(Contains(MustRun({"user", "set", "A@example.com", "--merge-similar", "on"}), "merge_similar on"));
  EXPECT_EQ(Scalar("SELECT merge_similar FROM users"), "1");
  CliResult off = Run({"user", "set", "a@example.com", "--merge-similar", "off", "--json"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_TRUE(Contains(off.out, "\"merge_similar\":false")) << off.out;
  EXPECT_EQ(Scalar("SELECT merge_similar FROM users"), "0");

  ExpectFailureChangingNothing({"user", "set", "a@example.com", "--merge-similar", "maybe"}, 2, {"maybe", "on,off"});
  ExpectFailureChangingNothing({"user", "set", "a@example.com"}, 2, {"nothing to set", "--merge-similar on|off"});
  ExpectFailureChangingNothing({"user", "set", "nobody@example.com", "--merge-similar", "on"}, 1,
                               {"no user with email nobody@example.com", "reflect-memory user list"});
}

// ------------------------------------------------------------------ llm-key (issue 17)

constexpr const char* kMasterKey = "RM_LLM_KEY_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kProviderKey = "sk-test-Very-Secret-Key-9f3a";

TEST_F(CliTest, LlmKeySetStoresTheKeySealedAndListShowsOnlyItsLastFour) {
  MustRun({"user", "add", "a@example.com"});
  const std::vector<std::string> set = {"llm-key", "set", "--user", "a@example.com", "--provider", "openai",
                                        "--model", "text-embedding-3-small", "--db", db_};
  CliResult stored = RunCli(set, {dir_.path().string(), "", {kMasterKey}, std::string(kProviderKey) + "\n"});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_TRUE(Contains(stored.out, "…9f3a")) << stored.out;
  const std::string id = stored.LastLine();
  EXPECT_EQ(Scalar("SELECT key_last4 || '|' || model || '|' || length(key_nonce) FROM llm_keys"),
            "9f3a|text-embedding-3-small|12");

  CliResult list = Run({"llm-key", "list"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_TRUE(Contains(list.out, id) && Contains(list.out, "…9f3a")) << list.out;
  CliResult json = Run({"llm-key", "list", "--json"});
  EXPECT_TRUE(Contains(json.out, "\"key_last4\":\"9f3a\"")) << json.out;

  // The key is nowhere in clear: not in any output, not in the database or its WAL, not in an export.
  MustRun({"export", "--user", "a@example.com", "--out", dir_.File("export.jsonl")});
  std::string everything = stored.out + stored.err + list.out + list.out + json.out + Dump();
  for (const char* file : {"memory.db", "memory.db-wal", "export.jsonl"}) {
    std::ifstream in(dir_.File(file), std::ios::binary);
    everything += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  EXPECT_FALSE(Contains(everything, "Very-Secret")) << "the key was found in clear";

  // Setting it again replaces it (same id); remove takes it away.
  CliResult again = RunCli(set, {dir_.path().string(), "", {kMasterKey}, "sk-second-key-0000"});
  EXPECT_EQ(again.LastLine(), id);
  EXPECT_EQ(Scalar("SELECT count(*) || key_last4 FROM llm_keys"), "10000");
  EXPECT_TRUE(Contains(MustRun({"llm-key", "remove", id}), id));
  EXPECT_EQ(Scalar("SELECT count(*) FROM llm_keys"), "0");
  ExpectFailureChangingNothing({"llm-key", "remove", id}, 1, {"no LLM key with id " + id, "llm-key list"});
}

TEST_F(CliTest, LlmKeySetRefusesWhatItCannotStoreSafelyAndChangesNothing) {
  MustRun({"user", "add", "a@example.com"});
  auto set_with = [&](std::vector<std::string> extra, std::vector<std::string> env, std::string input) {
    std::vector<std::string> args = {"llm-key", "set", "--provider", "openai", "--model", "m", "--db", db_};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string before = Dump();
    CliResult r = RunCli(args, {dir_.path().string(), "", env, input});
    EXPECT_EQ(Dump(), before);
    EXPECT_FALSE(Contains(r.out + r.err, "Very-Secret"));
    return r;
  };
  const std::vector<std::string> user = {"--user", "a@example.com"};
  CliResult no_master = set_with(user, {"RM_LLM_KEY_ENCRYPTION_KEY="}, kProviderKey);
  EXPECT_EQ(no_master.exit_code, 1);
  EXPECT_TRUE(Contains(no_master.err, "RM_LLM_KEY_ENCRYPTION_KEY is not set")) << no_master.err;
  EXPECT_TRUE(Contains(no_master.err, "openssl rand -hex 32")) << no_master.err;
  CliResult bad_master = set_with(user, {"RM_LLM_KEY_ENCRYPTION_KEY=short"}, kProviderKey);
  EXPECT_NE(bad_master.exit_code, 0);
  EXPECT_TRUE(Contains(bad_master.err, "64 hex characters or as base64")) << bad_master.err;
  CliResult no_key = set_with(user, {kMasterKey}, "");
  EXPECT_NE(no_key.exit_code, 0);
  EXPECT_TRUE(Contains(no_key.err, "no key on stdin")) << no_key.err;
  CliResult two_lines = set_with(user, {kMasterKey}, "sk-one\nsk-two\n");
  EXPECT_TRUE(Contains(two_lines.err, "several lines")) << two_lines.err;
  CliResult both = set_with({"--user", "a@example.com", "--org", "o"}, {kMasterKey}, kProviderKey);
  EXPECT_NE(both.exit_code, 0);
  CliResult neither = set_with({}, {kMasterKey}, kProviderKey);
  EXPECT_TRUE(Contains(neither.err, "exactly one of --user EMAIL and --org ORG_ID")) << neither.err;
  CliResult unknown = set_with({"--user", "nobody@example.com"}, {kMasterKey}, kProviderKey);
  EXPECT_TRUE(Contains(unknown.err, "no user with email nobody@example.com")) << unknown.err;
  CliResult bad_url = set_with({"--user", "a@example.com", "--base-url", "ftp://x"}, {kMasterKey}, kProviderKey);
  EXPECT_TRUE(Contains(bad_url.err, "--base-url")) << bad_url.err;
}

TEST_F(CliTest, UnwritableDatabasePathFailsSayingWhatToDo) {
  std::string file = dir_.File("a-file");
  { std::ofstream(file) << "not a folder"; }
  CliResult r = RunCli({"user", "add", "a@example.com", "--db", file + "/memory.db"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "cannot create the folder " + file)) << r.err;
  EXPECT_TRUE(Contains(r.err, "--db PATH")) << r.err;

  CliResult not_db = RunCli({"user", "list", "--db", file});
  EXPECT_EQ(not_db.exit_code, 1);
  EXPECT_TRUE(Contains(not_db.err, "not a database")) << not_db.err;
}

// ------------------------------------------------------------------ database location

TEST_F(CliTest, DatabaseComesFromFlagThenEnvironmentThenHome) {
  std::string home = dir_.File("home");
  std::string env_db = dir_.File("env/memory.db");
  // No --db, no $REFLECT_DB: ~/.reflect-memory/memory.db, folder created.
  CliResult by_home = RunCli({"user", "add", "home@example.com"}, {home, ""});
  ASSERT_EQ(by_home.exit_code, 0) << by_home.err;
  EXPECT_TRUE(std::filesystem::exists(home + "/.reflect-memory/memory.db"));
  // $REFLECT_DB wins over the home default.
  CliResult by_env = RunCli({"user", "add", "env@example.com"}, {home, env_db});
  ASSERT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_TRUE(std::filesystem::exists(env_db));
  // --db wins over $REFLECT_DB.
  CliResult by_flag = RunCli({"user", "list", "--db", env_db}, {home, db_});
  EXPECT_TRUE(Contains(by_flag.out, "env@example.com"));
  EXPECT_FALSE(Contains(by_flag.out, "home@example.com"));
  EXPECT_FALSE(std::filesystem::exists(db_));
}

// ------------------------------------------------------------------ keys

TEST_F(CliTest, KeyCreatePrintsTheKeyWhoseHashIsStored) {
  MustRun({"user", "add", "a@example.com"});
  CliResult r = Run({"key", "create", "--user", "a@example.com", "--vendor", "cursor", "--label", "laptop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string key = r.LastLine();
  ASSERT_TRUE(IsApiKey(key)) << key;
  EXPECT_EQ(Scalar("SELECT key_hash FROM api_keys"), Sha256Hex(key));
  EXPECT_EQ(Scalar("SELECT key_prefix FROM api_keys"), key.substr(0, 16));
  EXPECT_EQ(Scalar("SELECT vendor || ' ' || label FROM api_keys"), "cursor laptop");
  EXPECT_FALSE(Contains(Dump(), key.substr(8)));  // the secret itself is nowhere in the file

  CliResult list = Run({"key", "list", "--user", "a@example.com"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_TRUE(Contains(list.out, key.substr(0, 16)));
  EXPECT_TRUE(Contains(list.out, "cursor"));
  EXPECT_FALSE(Contains(list.out, key));
}

TEST_F(CliTest, KeyCreateJsonCarriesTheKeyOnce) {
  MustRun({"user", "add", "a@example.com"});
  CliResult r = Run({"key", "create", "--user", "a@example.com", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t at = r.out.find("\"key\":\"");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::string key = r.out.substr(at + 7, 56);
  ASSERT_TRUE(IsApiKey(key)) << r.out;
  EXPECT_EQ(Scalar("SELECT key_hash FROM api_keys"), Sha256Hex(key));
  EXPECT_TRUE(Contains(r.out, "\"vendor\":null"));
}

TEST_F(CliTest, RevokedKeyIsMarkedAndRevokingAgainIsHarmless) {
  MustRun({"user", "add", "a@example.com"});
  MustRun({"key", "create", "--user", "a@example.com"});
  std::string id = Scalar("SELECT id FROM api_keys");
  CliResult r = Run({"key", "revoke", id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "revoked key " + id));
  EXPECT_EQ(Scalar("SELECT revoked_at IS NOT NULL FROM api_keys"), "1");
  std::string revoked_at = Scalar("SELECT revoked_at FROM api_keys");
  CliResult again = Run({"key", "revoke", id});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_TRUE(Contains(again.out, "already revoked"));
  EXPECT_EQ(Scalar("SELECT revoked_at FROM api_keys"), revoked_at);
}

TEST_F(CliTest, KeyFailuresExplainAndChangeNothing) {
  MustRun({"user", "add", "a@example.com"});
  ExpectFailureChangingNothing({"key", "create", "--user", "nobody@example.com"}, 1,
                               {"no user with email nobody@example.com", "reflect-memory user add"});
  ExpectFailureChangingNothing({"key", "create", "--user", "a@example.com", "--vendor", "Cursor"}, 2,
                               {"invalid vendor name 'Cursor'", "lower-case"});
  ExpectFailureChangingNothing({"key", "revoke", "no-such-key"}, 1,
                               {"no API key with id no-such-key", "key list --user"});
  ExpectFailureChangingNothing({"key", "list", "--user", "nobody@example.com"}, 1,
                               {"no user with email", "user list"});
}

TEST_F(CliTest, KeyQuotaFollowsThePlan) {
  MustRun({"user", "add", "free@example.com"});
  MustRun({"key", "create", "--user", "free@example.com"});
  MustRun({"key", "create", "--user", "free@example.com"});
  ExpectFailureChangingNothing({"key", "create", "--user", "free@example.com"}, 1,
                               {"plan 'free' allows 2 active API keys", "key revoke"});
  // Revoking one makes room again.
  MustRun({"key", "revoke", Scalar("SELECT id FROM api_keys ORDER BY created_at LIMIT 1")});
  MustRun({"key", "create", "--user", "free@example.com"});

  MustRun({"user", "add", "builder@example.com", "--plan", "builder"});
  for (int i = 0; i < 5; ++i) MustRun({"key", "create", "--user", "builder@example.com"});
  ExpectFailureChangingNothing({"key", "create", "--user", "builder@example.com"}, 1,
                               {"plan 'builder' allows 5 active API keys"});
}

// ------------------------------------------------------------------ orgs and teams

TEST_F(CliTest, OrgTeamAndMembership) {
  MustRun({"user", "add", "boss@acme.com", "--plan", "team"});
  MustRun({"user", "add", "dev@acme.com", "--plan", "team"});
  std::string org = MustRun({"org", "create", "Acme", "--owner", "boss@acme.com"});
  ASSERT_TRUE(IsUuidV4(org)) << org;
  EXPECT_EQ(Scalar("SELECT org_role FROM users WHERE email = 'boss@acme.com'"), "owner");
  std::string team = MustRun({"team", "create", org, "Eng"});
  ASSERT_TRUE(IsUuidV4(team)) << team;

  MustRun({"org", "add-member", org, "dev@acme.com", "--role", "admin", "--team", team});
  EXPECT_EQ(Scalar("SELECT org_id || ' ' || org_role || ' ' || team_id FROM users "
                   "WHERE email = 'dev@acme.com'"),
            org + " admin " + team);

  ExpectFailureChangingNothing({"team", "create", org, "Eng"}, 1, {"already has a team named 'Eng'"});
  ExpectFailureChangingNothing({"team", "create", "no-such-org", "Ops"}, 1,
                               {"no org with id no-such-org", "org create"});
  ExpectFailureChangingNothing({"org", "add-member", org, "ghost@acme.com"}, 1,
                               {"no user with email ghost@acme.com", "user add"});
  ExpectFailureChangingNothing({"org", "add-member", org, "dev@acme.com", "--role", "king"}, 2,
                               {"king", "owner,admin,member"});
  ExpectFailureChangingNothing({"org", "create", "Second", "--owner", "boss@acme.com"}, 1,
                               {"already belongs to org"});
}

TEST_F(CliTest, TeamMustBelongToTheOrg) {
  MustRun({"user", "add", "a@one.com"});
  MustRun({"user", "add", "b@two.com"});
  MustRun({"user", "add", "c@one.com"});
  std::string one = MustRun({"org", "create", "One", "--owner", "a@one.com"});
  std::string two = MustRun({"org", "create", "Two", "--owner", "b@two.com"});
  std::string team_of_two = MustRun({"team", "create", two, "Sales"});
  ExpectFailureChangingNothing({"org", "add-member", one, "c@one.com", "--team", team_of_two}, 2,
                               {"belongs to another org"});
}

// ------------------------------------------------------------------ usage, migrate, check

TEST_F(CliTest, UsageShowsEveryUserWithZerosForAMonth) {
  MustRun({"user", "add", "a@example.com"});
  MustRun({"user", "add", "b@example.com"});
  CliResult all = Run({"usage", "--month", "2026-01"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(Contains(all.out, "a@example.com  2026-01  0"));
  EXPECT_TRUE(Contains(all.out, "b@example.com"));
  CliResult one = Run({"usage", "--user", "b@example.com", "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(Contains(one.out, "\"email\":\"b@example.com\""));
  EXPECT_FALSE(Contains(one.out, "a@example.com"));
  EXPECT_TRUE(Contains(one.out, "\"total_ops\":0"));
  ExpectFailureChangingNothing({"usage", "--month", "2026-13"}, 2, {"invalid month '2026-13'", "YYYY-MM"});
  ExpectFailureChangingNothing({"usage", "--user", "ghost@example.com"}, 1, {"no user with email"});
}

TEST_F(CliTest, MigrateAppliesOnceThenReportsUpToDate) {
  CliResult first = Run({"migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(Contains(first.out, "applied migration 1_canonical"));
  std::string version = std::to_string(store::LatestSchemaVersion());
  EXPECT_TRUE(Contains(first.out, "schema version " + version)) << first.out;
  CliResult second = Run({"migrate"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_TRUE(Contains(second.out, "already up to date"));
  EXPECT_FALSE(Contains(second.out, "applied migration"));
}

TEST_F(CliTest, CheckPassesOnAHealthyDatabaseAndFailsOnADanglingReference) {
  MustRun({"user", "add", "a@example.com"});
  CliResult ok = Run({"check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(Contains(ok.out, "ok:"));
  {  // Break a reference behind the CLI's back (foreign keys off on this connection).
    auto conn = SqliteConnection::Open(db_, SqliteConnection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->ExecScript("PRAGMA foreign_keys = OFF; "
                                    "INSERT INTO api_keys(id, user_id, key_hash, key_prefix, created_at) "
                                    "VALUES ('k', 'ghost', 'h', 'p', 't')").ok());
  }
  CliResult bad = Run({"check"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Contains(bad.out, "1 row(s) of api_keys name a missing users row in user_id (e.g. ghost)")) << bad.out;
  EXPECT_TRUE(Contains(bad.err, "1 problem")) << bad.err;
  CliResult json = Run({"check", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_TRUE(Contains(json.out, "\"ok\":false"));
}

TEST_F(CliTest, NewerDatabaseIsRefusedWithUpgradeAdvice) {
  MustRun({"migrate"});
  {
    auto conn = SqliteConnection::Open(db_, SqliteConnection::Mode::kReadWrite, 1000);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").ok());
  }
  ExpectFailureChangingNothing({"user", "list"}, 1,
                               {"newer reflect-memory (schema 999", "upgrade reflect-memory"});
}

// ------------------------------------------------------------------ file permissions (issue 20, item 8)

// The permission bits of `path`, or -1 if it does not exist.
int ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// Runs the binary under umask 022 (the usual one, which made the store readable by everyone).
CliResult RunUnderUmask022(const std::vector<std::string>& args, const CliEnvironment& env) {
  const mode_t old_umask = ::umask(022);
  CliResult r = RunCli(args, env);
  ::umask(old_umask);
  return r;
}

TEST(CliPermissions, TheDefaultStoreIsCreatedForItsOwnerOnlyUnderUmask022) {
  TempDir home;
  CliResult r = RunUnderUmask022({"user", "add", "a@example.com"}, {home.path().string(), ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ModeOf(home.path() / ".reflect-memory"), 0700);
  EXPECT_EQ(ModeOf(home.path() / ".reflect-memory" / "memory.db"), 0600);
}

// An export holds every memory, as the database does: its file is the owner's only too
// (the review of issue 20 found the same hole here as in item 8).
TEST(CliPermissions, AnExportFileIsTheOwnersOnlyUnderUmask022) {
  TempDir home;
  const std::string db = (home.path() / "memory.db").string();
  ASSERT_EQ(RunCli({"user", "add", "a@example.com", "--db", db}, {home.path().string(), ""}).exit_code, 0);
  const std::filesystem::path out = home.path() / "export.jsonl";
  CliResult r = RunUnderUmask022({"export", "--user", "a@example.com", "--out", out.string(), "--db", db},
                                 {home.path().string(), ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ModeOf(out), 0600);
  // Over an existing, looser file too.
  ::chmod(out.c_str(), 0644);
  r = RunUnderUmask022({"export", "--user", "a@example.com", "--out", out.string(), "--db", db},
                       {home.path().string(), ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ModeOf(out), 0600);
}

// A link planted at the export's temporary name (FILE.partial) must not make the export
// write through it: the victim file stays as it was, and the export lands in FILE.
TEST(CliPermissions, AnExportDoesNotWriteThroughALinkPlantedAtItsTemporaryName) {
  TempDir home;
  const std::string db = (home.path() / "memory.db").string();
  ASSERT_EQ(RunCli({"user", "add", "a@example.com", "--db", db}, {home.path().string(), ""}).exit_code, 0);
  const std::filesystem::path victim = home.path() / "victim.txt";
  { std::ofstream(victim) << "untouched"; }
  const std::filesystem::path out = home.path() / "export.jsonl";
  std::filesystem::create_symlink(victim, out.string() + ".partial");
  CliResult r = RunUnderUmask022({"export", "--user", "a@example.com", "--out", out.string(), "--db", db},
                                 {home.path().string(), ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(victim);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "untouched");
  EXPECT_EQ(ModeOf(out), 0600);
  EXPECT_FALSE(std::filesystem::is_symlink(out)) << "the export must be a file of its own";
}

TEST(CliPermissions, AnExistingLooseDefaultStoreIsTightenedWithAWarning) {
  TempDir home;
  const std::filesystem::path folder = home.path() / ".reflect-memory";
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "memory.db").close();  // an empty file is an empty SQLite database
  ::chmod(folder.c_str(), 0755);
  ::chmod((folder / "memory.db").c_str(), 0644);
  CliResult r = RunUnderUmask022({"user", "list"}, {home.path().string(), ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ModeOf(folder), 0700);
  EXPECT_EQ(ModeOf(folder / "memory.db"), 0600);
  EXPECT_TRUE(Contains(r.err, "warn")) << r.err;
  EXPECT_TRUE(Contains(r.err, folder.string())) << r.err;
  EXPECT_FALSE(Contains(r.out, "warn")) << "logs go to stderr: " << r.out;
}

TEST_F(CliTest, CheckReportsADatabaseOtherAccountsCanReadAndAnOpenFolder) {
  MustRun({"migrate"});
  ::chmod(db_.c_str(), 0644);
  ::chmod(dir_.path().c_str(), 0755);
  CliResult loose = Run({"check"});
  EXPECT_EQ(loose.exit_code, 1) << loose.out << loose.err;
  EXPECT_TRUE(Contains(loose.out, "problem: " + db_ + " is readable by other accounts")) << loose.out;
  EXPECT_TRUE(Contains(loose.out, "chmod 600")) << loose.out;
  EXPECT_TRUE(Contains(loose.out, "warning: the folder " + dir_.path().string())) << loose.out;
  EXPECT_TRUE(Contains(loose.out, "chmod 700")) << loose.out;
  CliResult json = Run({"check", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_TRUE(Contains(json.out, "\"warnings\":[")) << json.out;

  // Once the file is the owner's only, the folder alone is a warning, not a failure.
  ::chmod(db_.c_str(), 0600);
  CliResult tight = Run({"check"});
  EXPECT_EQ(tight.exit_code, 0) << tight.out << tight.err;
  EXPECT_TRUE(Contains(tight.out, "warning: the folder")) << tight.out;
  ::chmod(dir_.path().c_str(), 0700);
  CliResult clean = Run({"check"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_FALSE(Contains(clean.out, "warning")) << clean.out;
}

}  // namespace
}  // namespace rm::testing
