// `reflect-memory export` and `import`, run as a user runs them: a round trip
// into a fresh database gives back the same memories (also those shared with an
// org or a team, when the user is in that org and team there); a bad line fails
// the import naming its line and changes nothing; a long file reports progress.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/database.h"
#include "tests/cli/cli_runner.h"
#include "tests/store/temp_dir.h"
#include "tools/memory_service.h"
#include "util/clock.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The lines of an export, sorted: two exports of the same memories compare equal.
std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

class CliTransferTest : public ::testing::Test {
 protected:
  CliResult Run(const std::string& db, std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db);
    return RunCli(args, {dir_.path().string(), ""});
  }
  std::string MustRun(const std::string& db, const std::vector<std::string>& args) {
    CliResult r = Run(db, args);
    EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
    return r.LastLine();
  }
  // The user's memories as `export` prints them on stdout.
  std::string Export(const std::string& db, const std::string& email) {
    CliResult r = Run(db, {"export", "--user", email});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // Imports file_ into `db` expecting failure: exit 1, `phrase` on stderr, nothing on
  // stdout, and `memories` rows in the database afterwards (what was there before).
  CliResult ExpectImportFails(const std::string& db, const std::string& email, const std::string& phrase,
                              std::int64_t memories) {
    CliResult r = Run(db, {"import", "--user", email, file_});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(Contains(r.err, phrase)) << r.err.substr(0, 2000);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(Scalar(db, "SELECT count(*) FROM memories"), memories);
    return r;
  }

  // Runs `write` with a MemoryService over `db` as the owner `user_id` (an owner
  // key: no vendor filter, origin "api"), then closes the database so the CLI
  // finds it as a user would.
  static void WithService(const std::string& db, const std::function<void(tools::MemoryService&)>& write) {
    auto opened = store::Database::Open(db);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    tools::MemoryService service(**opened);
    write(service);
  }
  static std::string IdOf(const tools::MemoryService::Reply& reply) {
    EXPECT_TRUE(reply.ok()) << reply.status().ToString();
    return reply.ok() ? std::string(reply->at("memory").at("id").as_string()) : "";
  }

  std::int64_t Scalar(const std::string& db, const std::string& sql) {
    auto conn = store::SqliteConnection::Open(db, store::SqliteConnection::Mode::kReadOnly, 1000);
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return -1;
    store::Statement& s = (*conn)->Prepare(sql);
    Result<bool> row = s.Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return row.ok() && *row ? s.Int64(0) : -1;
  }

  TempDir dir_;
  std::string source_ = dir_.File("source.db");
  std::string target_ = dir_.File("target.db");
  std::string file_ = dir_.File("alice.jsonl");
};

TEST_F(CliTransferTest, ExportThenImportIntoAFreshDatabaseRoundTrips) {
  const std::string alice = MustRun(source_, {"user", "add", "alice@example.com", "--plan", "pro"});
  std::string versioned, reply, trashed;
  WithService(source_, [&](tools::MemoryService& service) {
    const tools::Caller owner{alice, std::nullopt, "api"};
    const tools::Caller claude{alice, "claude", "claude"};
    tools::NewMemory m;
    m.title = "Café ☕ \"notes\"";
    m.content = "line 1\nline 2\ttabbed";
    m.tags = {"food", "日本"};
    m.memory_type = "episodic";
    m.allowed_vendors = {"claude", "cursor"};
    versioned = IdOf(service.WriteMemory(claude, std::nullopt, m, std::nullopt));
    tools::MemoryEdit edit;
    edit.title = "Café notes v2";
    ASSERT_TRUE(service.UpdateMemory(claude, std::nullopt, versioned, edit).ok());
    edit = {};
    edit.tags = std::vector<std::string>{"food"};
    ASSERT_TRUE(service.UpdateMemory(claude, std::nullopt, versioned, edit).ok());
    tools::NewMemory r;
    r.title = "reply";
    r.content = "to the notes";
    reply = IdOf(service.WriteChildMemory(owner, std::nullopt, versioned, r));
    tools::NewMemory gone;
    gone.title = "old";
    gone.content = "in the trash";
    trashed = IdOf(service.WriteMemory(owner, std::nullopt, gone, std::nullopt));
    ASSERT_TRUE(service.DeleteMemory(owner, std::nullopt, trashed, false).ok());
    tools::NewMemory owners_only;
    owners_only.title = "private";
    owners_only.content = "no agent";
    owners_only.allowed_vendors = {};
    IdOf(service.WriteMemory(owner, std::nullopt, owners_only, std::nullopt));
  });

  CliResult exported = Run(source_, {"export", "--user", "alice@example.com", "--out", file_});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(Contains(exported.err, "exported 4 memories of alice@example.com")) << exported.err;
  const std::string file = ReadFile(file_);
  EXPECT_EQ(SortedLines(file).size(), 4u);
  EXPECT_LT(file.find("\"id\":\"" + versioned), file.find("\"id\":\"" + reply)) << "parents before replies";
  EXPECT_EQ(SortedLines(Export(source_, "alice@example.com")), SortedLines(file)) << "stdout and --out agree";

  MustRun(target_, {"user", "add", "alice@example.com", "--plan", "pro"});
  CliResult imported = Run(target_, {"import", "--user", "alice@example.com", file_});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_TRUE(Contains(imported.out, "imported 4 memories (2 versions) for alice@example.com")) << imported.out;

  // Field for field the same memories, versions included (author_id aside: the importer).
  EXPECT_EQ(SortedLines(Export(target_, "alice@example.com")), SortedLines(file));
  EXPECT_EQ(Scalar(target_, "SELECT count(*) FROM memories WHERE deleted_at IS NOT NULL AND id = '" + trashed + "'"), 1);
  EXPECT_EQ(Scalar(target_, "SELECT count(*) FROM memory_versions WHERE memory_id = '" + versioned + "'"), 2);
  // Importing is not a tool call: nothing metered.
  EXPECT_EQ(Scalar(target_, "SELECT count(*) FROM usage_events"), 0);

  // The same file again: its ids exist now, so the import fails and adds nothing.
  ExpectImportFails(target_, "alice@example.com", "line 1: id: a memory", 4);
}

TEST_F(CliTransferTest, ABadLineFailsTheImportNamingItsLineAndChangesNothing) {
  MustRun(target_, {"user", "add", "alice@example.com", "--plan", "pro"});
  MustRun(target_, {"user", "add", "bob@example.com"});
  // Alice already has one memory; it must survive every failed import unchanged.
  {
    std::ofstream(file_) << R"({"id":"kept","title":"kept","content":"c","tags":["x"]})" "\n";
  }
  MustRun(target_, {"import", "--user", "alice@example.com", file_});
  const std::string before = Export(target_, "alice@example.com");
  ASSERT_EQ(SortedLines(before).size(), 1u);

  const std::string good = R"({"title":"fine","content":"c","versions":[{"version_number":1,"title":"v1","content":"c","created_at":"2026-01-01T00:00:00Z"}]})";
  const std::vector<std::pair<std::string, std::string>> bad_lines = {
      {"{\"title\": \"cut off", "not JSON"},
      {R"({"title":"t","content":"c","memory_type":"opinion"})", "memory_type"},
      {R"({"title":"t","content":"c","allowed_vendors":["Claude"]})", "allowed_vendors[0]"},
      {R"({"title":"t","content":"c","tags":[")" + std::string(65, 'g') + R"("]})", "tags[0]"},
      {R"({"id":"kept","title":"t","content":"c"})", "already exists"},
      {R"({"title":"t","content":"c","parent_memory_id":"nowhere"})", "parent_memory_id"},
      {R"({"title":"t","content":"c","shared_with_team_id":"some-team"})", "shared_with_team_id"},
  };
  for (const auto& [bad, what] : bad_lines) {
    SCOPED_TRACE(bad);
    // Lines 1-3 are fine (a blank line counts), line 4 is bad, line 5 is fine again.
    {
      std::ofstream(file_) << good << "\n\n" << good << "\n" << bad << "\n" << good << "\n";
    }
    CliResult r = ExpectImportFails(target_, "alice@example.com", "line 4: ", 1);
    EXPECT_TRUE(Contains(r.err, what)) << r.err;
    EXPECT_TRUE(Contains(r.err, "nothing was imported")) << r.err;
    EXPECT_EQ(Export(target_, "alice@example.com"), before);
    EXPECT_EQ(Scalar(target_, "SELECT count(*) FROM memory_versions"), 0);
  }

  // A file or a user that does not exist: a clear error, nothing written.
  CliResult no_file = Run(target_, {"import", "--user", "alice@example.com", dir_.File("missing.jsonl")});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_TRUE(Contains(no_file.err, "missing.jsonl")) << no_file.err;
  CliResult no_user = Run(target_, {"import", "--user", "ghost@example.com", file_});
  EXPECT_NE(no_user.exit_code, 0);
  EXPECT_TRUE(Contains(no_user.err, "ghost@example.com")) << no_user.err;
  // Bob's plan (free, 200 memories) is the limit of what he may import.
  {
    std::ofstream out(file_);
    for (int i = 0; i < 201; ++i) out << R"({"title":"m)" << i << R"(","content":"c"})" << "\n";
  }
  ExpectImportFails(target_, "bob@example.com", "stores at most 200", 1);
}

TEST_F(CliTransferTest, ALongImportReportsProgressOnStderr) {
  MustRun(target_, {"user", "add", "root@example.com", "--plan", "admin"});
  constexpr int kLines = 25000;
  {
    std::ofstream out(file_);
    for (int i = 0; i < kLines; ++i) out << R"({"title":"memory )" << i << R"(","content":"bulk","tags":["bulk"]})" << "\n";
  }
  CliResult r = Run(target_, {"import", "--user", "root@example.com", file_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "read 10000 lines")) << r.err;
  EXPECT_TRUE(Contains(r.err, "read 20000 lines")) << r.err;
  EXPECT_FALSE(Contains(r.err, "read 30000 lines")) << r.err;
  EXPECT_FALSE(Contains(r.out, "read 10000")) << "progress belongs on stderr";
  EXPECT_TRUE(Contains(r.out, "imported 25000 memories (0 versions) for root@example.com")) << r.out;
  EXPECT_EQ(Scalar(target_, "SELECT count(*) FROM memories"), kLines);

  // And a bad last line of a long file still rolls back all of it, saying which line.
  {
    std::ofstream(file_, std::ios::app) << "not json\n";
  }
  ExpectImportFails(target_, "root@example.com", "line 25001: not JSON", kLines);
}

// Sets up `db` so that `email` belongs to an org and team with the given ids, as
// if it were the database they were exported from (ids are kept by import).
void RecreateOrgAndTeam(const std::string& db, const std::string& user_id, const std::string& org_id,
                        const std::string& team_id) {
  auto conn = store::SqliteConnection::Open(db, store::SqliteConnection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const std::string now = NowUtc();
  store::Connection& c = **conn;
  ASSERT_TRUE(c.Prepare("INSERT INTO orgs (id, name, owner_id, plan, created_at, updated_at) VALUES (?, 'Acme', ?, 'team', ?, ?)")
                  .Bind(1, org_id).Bind(2, user_id).Bind(3, now).Bind(4, now).Run().ok());
  ASSERT_TRUE(c.Prepare("INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES (?, ?, 'Eng', ?, ?)")
                  .Bind(1, team_id).Bind(2, org_id).Bind(3, now).Bind(4, now).Run().ok());
  ASSERT_TRUE(c.Prepare("UPDATE users SET org_id = ?, org_role = 'owner', team_id = ? WHERE id = ?")
                  .Bind(1, org_id).Bind(2, team_id).Bind(3, user_id).Run().ok());
}

TEST_F(CliTransferTest, MemoriesSharedWithAnOrgAndATeamRoundTripIntoTheSameOrgAndTeam) {
  const std::string alice = MustRun(source_, {"user", "add", "alice@example.com", "--plan", "team"});
  const std::string org = MustRun(source_, {"org", "create", "Acme", "--owner", "alice@example.com"});
  const std::string team = MustRun(source_, {"team", "create", org, "Eng"});
  MustRun(source_, {"org", "add-member", org, "alice@example.com", "--role", "owner", "--team", team});
  std::string org_memory, team_memory, org_reply;
  WithService(source_, [&](tools::MemoryService& service) {
    const tools::Caller owner{alice, std::nullopt, "api"};
    tools::NewMemory m;
    m.title = "Org handbook";
    m.content = "for everyone at Acme";
    org_memory = IdOf(service.WriteMemory(owner, std::nullopt, m, tools::PoolKind::kOrg));
    m.title = "Team rota";
    m.content = "for Eng";
    team_memory = IdOf(service.WriteMemory(owner, std::nullopt, m, tools::PoolKind::kTeam));
    m.title = "Handbook errata";
    m.content = "page 3";
    org_reply = IdOf(service.WriteChildMemory(owner, std::nullopt, org_memory, m));
    m.title = "Personal";
    m.content = "mine";
    IdOf(service.WriteMemory(owner, std::nullopt, m, std::nullopt));
  });
  MustRun(source_, {"export", "--user", "alice@example.com", "--out", file_});
  const std::string file = ReadFile(file_);
  ASSERT_TRUE(Contains(file, "\"shared_with_org_id\":\"" + org + "\"")) << file;
  ASSERT_TRUE(Contains(file, "\"shared_with_team_id\":\"" + team + "\"")) << file;

  // Into a database where alice is in no org: refused at the first shared line.
  const std::string alice_there = MustRun(target_, {"user", "add", "alice@example.com", "--plan", "team"});
  ExpectImportFails(target_, "alice@example.com",
                    "line 1: shared_with_org_id: '" + org + "' is not the org of alice@example.com", 0);

  // Into a database where alice is in the same org and team (same ids): the same memories.
  RecreateOrgAndTeam(target_, alice_there, org, team);
  CliResult imported = Run(target_, {"import", "--user", "alice@example.com", file_});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(SortedLines(Export(target_, "alice@example.com")), SortedLines(file));

  // What sharing is for: another member of that org and team reads the pools.
  const std::string bob = MustRun(target_, {"user", "add", "bob@example.com", "--plan", "team"});
  MustRun(target_, {"org", "add-member", org, "bob@example.com", "--team", team});
  WithService(target_, [&](tools::MemoryService& service) {
    const tools::Caller as_bob{bob, std::nullopt, "api"};
    auto ids_in = [&](tools::PoolKind pool) {
      std::vector<std::string> ids;
      auto page = service.ReadPoolMemories(as_bob, std::nullopt, pool, 50, std::nullopt);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (page.ok()) {
        for (const auto& m : page->at("memories").as_array()) ids.emplace_back(m.at("id").as_string());
      }
      std::sort(ids.begin(), ids.end());
      return ids;
    };
    std::vector<std::string> org_pool = {org_memory, org_reply};
    std::sort(org_pool.begin(), org_pool.end());
    EXPECT_EQ(ids_in(tools::PoolKind::kOrg), org_pool);
    EXPECT_EQ(ids_in(tools::PoolKind::kTeam), std::vector<std::string>{team_memory});
  });
}

}  // namespace
}  // namespace rm::testing
