// PostgreSQL migrations: migration 1 creates every canonical table, a second run
// applies nothing, and processes migrating at once migrate once (advisory lock).
// That migrations 2-12 match SQLite's is pg_schema_parity_test.cc's business.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::store::postgres {
namespace {

// The canonical tables: from the shared reference's CREATE TABLE lines when it is
// there (as tests/store/schema_test.cc finds it), else the list as of its writing.
std::set<std::string> CanonicalTables() {
  std::filesystem::path reference =
      std::filesystem::path(RM_SOURCE_DIR) / "../shared/reference/schema.sql";
  std::ifstream in(reference);
  if (!in) {
    return {"users", "api_keys", "orgs", "teams", "org_invites", "memories", "memory_versions",
            "usage_events", "monthly_usage", "waitlist", "early_access_requests",
            "tag_cluster_cache", "llm_keys", "slack_workspaces", "slack_conversation_state"};
  }
  std::set<std::string> tables;
  const std::regex create(R"(^\s*CREATE TABLE\s+(?:IF NOT EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*))");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, create)) tables.insert(m[1]);
  }
  return tables;
}

std::set<std::string> TablesIn(PgConnection& conn) {
  Result<PgRows> rows = conn.Query(
      "SELECT table_name FROM information_schema.tables"
      " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::set<std::string> tables;
  if (!rows.ok()) return tables;
  for (int i = 0; i < rows->RowCount(); ++i) tables.insert(rows->Text(i, 0));
  return tables;
}

std::set<std::string> WithMigrationsTable(std::set<std::string> tables) {
  tables.insert("schema_migrations");
  return tables;
}

// Every migration this build applies to a new database: {"1_canonical", "2_memories_fts", ...}.
std::vector<std::string> AllApplied() {
  std::vector<std::string> names;
  for (const PgMigration& m : AllPgMigrations()) {
    names.push_back(std::to_string(m.version) + "_" + std::string(m.name));
  }
  return names;
}

// `tables` holds every canonical table and schema_migrations (later migrations add more).
void ExpectCanonical(const std::set<std::string>& tables) {
  for (const std::string& t : WithMigrationsTable(CanonicalTables())) {
    EXPECT_EQ(tables.count(t), 1u) << t;
  }
}

class PgMigrationsTest : public rm::testing::ThrowawayPostgres {
 protected:
  PgConnection Connect() {
    auto conn = PgConnection::Open(conninfo_);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return std::move(*conn);
  }
};

TEST_F(PgMigrationsTest, CreatesEveryCanonicalTable) {
  PgConnection conn = Connect();
  Result<std::vector<std::string>> applied = ApplyPgMigrations(conn);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, AllApplied());
  std::set<std::string> canonical = CanonicalTables();
  EXPECT_EQ(canonical.size(), 15u);
  ExpectCanonical(TablesIn(conn));

  Result<PgRows> recorded = conn.Query(
      "SELECT version, name, applied_at IS NOT NULL FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->RowCount(), static_cast<int>(AllPgMigrations().size()));
  EXPECT_EQ(recorded->Text(0, 0), "1");
  EXPECT_EQ(recorded->Text(0, 1), "canonical");
  EXPECT_EQ(recorded->Text(0, 2), "t");
}

TEST_F(PgMigrationsTest, TranslatedTypesAndChecksHold) {
  PgConnection conn = Connect();
  ASSERT_TRUE(ApplyPgMigrations(conn).ok());
  Result<PgRows> types = conn.Query(
      "SELECT column_name, data_type FROM information_schema.columns"
      " WHERE table_name = 'memories' AND column_name = ANY($1::text[]) ORDER BY column_name",
      {"{allowed_vendors,created_at,tags}"});
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  ASSERT_EQ(types->RowCount(), 3);
  EXPECT_EQ(types->Text(0, 1), "jsonb");
  EXPECT_EQ(types->Text(1, 1), "timestamp with time zone");
  EXPECT_EQ(types->Text(2, 1), "jsonb");

  const std::string now = "2026-01-02T03:04:05.678Z";
  ASSERT_TRUE(conn.Query("INSERT INTO users(id, email, created_at, updated_at)"
                         " VALUES ($1, $2, $3::timestamptz, $3::timestamptz)",
                         {"u1", "u1@example.com", now})
                  .ok());
  // tags must be a JSON array (the canonical CHECK), and JSON at all.
  Result<PgRows> object = conn.Query(
      "INSERT INTO memories(id, user_id, title, content, tags, created_at, updated_at)"
      " VALUES ('m1', 'u1', 't', 'c', $1::jsonb, now(), now())",
      {R"({"a":1})"});
  EXPECT_EQ(object.status().code(), Status::Code::kInvalidArgument) << object.status().ToString();
  Result<PgRows> not_json = conn.Query(
      "INSERT INTO memories(id, user_id, title, content, tags, created_at, updated_at)"
      " VALUES ('m1', 'u1', 't', 'c', $1::jsonb, now(), now())",
      {"[nope"});
  EXPECT_FALSE(not_json.ok());
  // users.org_id references orgs (added by ALTER TABLE in the migration).
  Result<PgRows> orphan = conn.Query("UPDATE users SET org_id = $1 WHERE id = 'u1'", {"no-org"});
  EXPECT_EQ(orphan.status().code(), Status::Code::kInvalidArgument) << orphan.status().ToString();
}

// Migration 13 (semantic search): a key's embeddings model, and a memory's vector as
// float32 bytes that must hold `dims` values and go with its memory.
TEST_F(PgMigrationsTest, MemoryEmbeddingsHoldVectorsOfTheirMemories) {
  PgConnection conn = Connect();
  ASSERT_TRUE(ApplyPgMigrations(conn).ok());
  ASSERT_TRUE(conn.Query("INSERT INTO users(id, email, created_at, updated_at) VALUES ('u1', 'u1@example.com', now(), now())")
                  .ok());
  ASSERT_TRUE(conn.Query("INSERT INTO llm_keys(id, user_id, provider, key_encrypted, key_nonce, key_last4, created_at,"
                         " updated_at, model, embedding_model) VALUES ('k1', 'u1', 'openai', '\\x00', '\\x00', 'abcd',"
                         " now(), now(), 'gpt', 'text-embedding-3-small')")
                  .ok());
  ASSERT_TRUE(conn.Query("INSERT INTO memories(id, user_id, title, content, created_at, updated_at)"
                         " VALUES ('m1', 'u1', 't', 'c', now(), now())")
                  .ok());
  const std::string insert =
      "INSERT INTO memory_embeddings(memory_id, model, content_hash, memory_updated_at, dims, vector, updated_at)"
      " VALUES ('m1', 'text-embedding-3-small', 'h', now(), $1::integer, decode($2, 'hex'), now())";
  // Two float32 values are 8 bytes: 3 dimensions over 8 bytes is refused.
  EXPECT_FALSE(conn.Query(insert, {"3", "0000803f00000040"}).ok());
  ASSERT_TRUE(conn.Query(insert, {"2", "0000803f00000040"}).ok());
  Result<PgRows> stored = conn.Query("SELECT octet_length(vector), dims FROM memory_embeddings WHERE memory_id = 'm1'");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->Text(0, 0), "8");
  // Deleting the memory deletes its vector.
  ASSERT_TRUE(conn.Query("DELETE FROM memories WHERE id = 'm1'").ok());
  Result<PgRows> left = conn.Query("SELECT count(*) FROM memory_embeddings");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->Text(0, 0), "0");
}

TEST_F(PgMigrationsTest, SecondRunAppliesNothing) {
  PgConnection conn = Connect();
  ASSERT_TRUE(ApplyPgMigrations(conn).ok());
  Result<std::vector<std::string>> again = ApplyPgMigrations(conn);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->empty());
  PgConnection other = Connect();  // a new process sees the same
  Result<std::vector<std::string>> third = ApplyPgMigrations(other);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->empty());
}

TEST_F(PgMigrationsTest, ConcurrentMigratorsMigrateOnce) {
  // Each thread is one "process": its own connection, so its own advisory-lock session.
  constexpr int kMigrators = 4;
  std::vector<Result<std::vector<std::string>>> results(
      kMigrators, Status::Internal("did not run"));
  std::vector<std::set<std::string>> seen(kMigrators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      Result<PgConnection> conn = PgConnection::Open(conninfo_);
      if (!conn.ok()) {
        results[i] = conn.status();
        return;
      }
      results[i] = ApplyPgMigrations(*conn);
      seen[i] = TablesIn(*conn);
    });
  }
  for (std::thread& t : threads) t.join();
  int applied_by = 0;
  for (int i = 0; i < kMigrators; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    if (!results[i]->empty()) {
      ++applied_by;
      EXPECT_EQ(*results[i], AllApplied());
    }
    SCOPED_TRACE("migrator " + std::to_string(i));
    ExpectCanonical(seen[i]);
    EXPECT_EQ(seen[i], seen[0]);
  }
  EXPECT_EQ(applied_by, 1);
  PgConnection conn = Connect();
  Result<PgRows> count = conn.Query("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->Text(0, 0), std::to_string(AllPgMigrations().size()));
}

TEST_F(PgMigrationsTest, RefusesANewerDatabaseAndReleasesTheLock) {
  PgConnection conn = Connect();
  ASSERT_TRUE(ApplyPgMigrations(conn).ok());
  ASSERT_TRUE(conn.Query("INSERT INTO schema_migrations(version, name) VALUES ($1::integer, $2)",
                         {"999", "from_the_future"})
                  .ok());
  Result<std::vector<std::string>> refused = ApplyPgMigrations(conn);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  // The failed run let go of the lock: another session can take it at once.
  PgConnection other = Connect();
  Result<PgRows> got = other.Query("SELECT pg_try_advisory_lock($1::bigint)",
                                   {std::to_string(0x726d5f6d69677231)});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->Text(0, 0), "t");
}

}  // namespace
}  // namespace rm::store::postgres
