// PostgreSQL migrations 1-12 mean what SQLite's mean (issue 14): the same numbers and
// names; the same tables, columns, indexes and non-FTS triggers as a migrated SQLite
// database; full text search as a weighted tsvector in place of FTS5; and the rules
// the translated CHECKs, triggers and backfills carry hold on PostgreSQL too.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/migrations.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_migrations.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::store::postgres {
namespace {

// Columns only PostgreSQL has, and why.
const std::map<std::string, std::string> kPgOnlyColumns = {
    {"memories.search_vector", "tsvector"},  // 002: full-text search in place of FTS5's table
    {"memories.rowid", "bigint"},            // 001: SQLite's implicit rowid, made explicit
};
// Indexes only PostgreSQL has.
const std::set<std::string> kPgOnlyIndexes = {
    "idx_memories_search_vector",  // 002: the GIN index of search_vector
};

using Rows = std::vector<std::vector<std::string>>;

// Every row of `sql` on SQLite (at most one text parameter, "?"), each column as text.
Rows SqliteRows(rm::store::Connection& c, const std::string& sql, const std::string& param = "") {
  Statement& s = c.Prepare(sql);
  if (sql.find('?') != std::string::npos) s.Bind(1, param);
  Rows rows;
  while (true) {
    Result<bool> row = s.Step();
    EXPECT_TRUE(row.ok()) << sql << ": " << row.status().ToString();
    if (!row.ok() || !*row) break;
    std::vector<std::string> cols;
    for (int i = 0; i < s.ColumnCount(); ++i) cols.push_back(s.IsNull(i) ? "NULL" : s.Text(i));
    rows.push_back(std::move(cols));
  }
  return rows;
}

Rows PgRowsOf(PgConnection& conn, const std::string& sql, const std::vector<PgParam>& params = {}) {
  Result<PgRows> rows = conn.Query(sql, params);
  EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
  Rows out;
  if (!rows.ok()) return out;
  for (int r = 0; r < rows->RowCount(); ++r) {
    std::vector<std::string> cols;
    for (int c = 0; c < rows->ColumnCount(); ++c) {
      cols.push_back(rows->IsNull(r, c) ? "NULL" : rows->Text(r, c));
    }
    out.push_back(std::move(cols));
  }
  return out;
}

std::unique_ptr<rm::store::Connection> MigratedSqlite() {
  auto conn = rm::store::SqliteConnection::Open(":memory:", rm::store::SqliteConnection::Mode::kReadWrite, 1000);
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return nullptr;
  Result<std::vector<std::string>> applied = ApplyMigrations(**conn);
  EXPECT_TRUE(applied.ok()) << applied.status().ToString();
  return std::move(*conn);
}

// SQLite's migrations as ApplyMigrations names them: "1_canonical", "2_memories_fts", ...
std::vector<std::string> SqliteMigrationNames() {
  std::vector<std::string> names;
  for (const Migration& m : AllMigrations()) {
    names.push_back(std::to_string(m.version) + "_" + std::string(m.name));
  }
  return names;
}

// The SQLite tables PostgreSQL must have too: not SQLite's own (sqlite_*), not FTS5
// virtual tables nor their shadow tables (<name>_data, _idx, ...); views are not tables.
std::vector<std::string> SqlitePortableTables(rm::store::Connection& sqlite) {
  Rows all = SqliteRows(sqlite,
                        "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'table'"
                        " AND name NOT LIKE 'sqlite_%' ORDER BY name");
  std::vector<std::string> virtual_tables;
  for (const auto& r : all) {
    if (r[1].starts_with("CREATE VIRTUAL TABLE")) virtual_tables.push_back(r[0]);
  }
  std::vector<std::string> tables;
  for (const auto& r : all) {
    bool fts = false;
    for (const std::string& v : virtual_tables) {
      if (r[0] == v || r[0].starts_with(v + "_")) fts = true;
    }
    if (!fts) tables.push_back(r[0]);
  }
  return tables;
}

// Does a PostgreSQL column type translate SQLite's declared type (docs/SCHEMA.md, PostgreSQL)?
bool TypeTranslates(const std::string& sqlite_type, const std::string& pg_type) {
  static const std::map<std::string, std::set<std::string>> kTranslations = {
      {"TEXT", {"text", "timestamp with time zone", "jsonb", "json"}},
      {"INTEGER", {"bigint", "integer"}},
      {"BLOB", {"bytea"}},
  };
  auto it = kTranslations.find(sqlite_type);
  return it != kTranslations.end() && it->second.count(pg_type) > 0;
}

class PgSchemaParityTest : public rm::testing::ThrowawayPostgres {
 protected:
  PgConnection Connect() {
    auto conn = PgConnection::Open(conninfo_);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return std::move(*conn);
  }
  // Connects and applies every migration.
  PgConnection Migrated() {
    PgConnection conn = Connect();
    Result<std::vector<std::string>> applied = ApplyPgMigrations(conn);
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    return conn;
  }
  void Run(PgConnection& conn, const std::string& sql, const std::vector<PgParam>& params = {}) {
    Result<PgRows> r = conn.Query(sql, params);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  }
  void AddUser(PgConnection& conn, const std::string& id) {
    Run(conn, "INSERT INTO users(id, email, created_at, updated_at) VALUES ($1, $1 || '@example.com', now(), now())",
        {id});
  }
  void AddMemory(PgConnection& conn, const std::string& id, const std::string& title,
                 const std::string& content, const std::string& tags = "[]") {
    Run(conn,
        "INSERT INTO memories(id, user_id, title, content, tags, created_at, updated_at)"
        " VALUES ($1, 'u1', $2, $3, $4::jsonb, now(), now())",
        {id, title, content, tags});
  }
};

TEST_F(PgSchemaParityTest, SameNumbersAndNamesAsSqlite) {
  std::vector<std::string> sqlite = SqliteMigrationNames();
  ASSERT_GE(sqlite.size(), 12u);
  std::vector<std::string> pg;
  for (const PgMigration& m : AllPgMigrations()) {
    pg.push_back(std::to_string(m.version) + "_" + std::string(m.name));
  }
  EXPECT_EQ(pg, sqlite) << "store/postgres/schema/ must hold a port of every store/schema/ migration";

  PgConnection conn = Connect();
  Result<std::vector<std::string>> applied = ApplyPgMigrations(conn);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, sqlite);
  Rows recorded = PgRowsOf(conn, "SELECT version::text || '_' || name FROM schema_migrations ORDER BY version");
  std::vector<std::string> recorded_names;
  for (const auto& r : recorded) recorded_names.push_back(r[0]);
  EXPECT_EQ(recorded_names, sqlite);

  // Migrating again, on this connection or a new one, is a no-op.
  Result<std::vector<std::string>> again = ApplyPgMigrations(conn);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->empty());
  PgConnection other = Connect();
  Result<std::vector<std::string>> third = ApplyPgMigrations(other);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->empty());
  EXPECT_EQ(PgRowsOf(conn, "SELECT count(*) FROM schema_migrations")[0][0], std::to_string(sqlite.size()));
}

TEST_F(PgSchemaParityTest, EveryTableAndColumnOfSqliteExists) {
  std::unique_ptr<rm::store::Connection> sqlite = MigratedSqlite();
  ASSERT_NE(sqlite, nullptr);
  PgConnection pg = Migrated();

  std::vector<std::string> tables = SqlitePortableTables(*sqlite);
  ASSERT_GE(tables.size(), 28u);  // 15 canonical, schema_migrations, 12 added by 004-011
  std::set<std::string> pg_tables;
  for (const auto& r : PgRowsOf(pg, "SELECT table_name FROM information_schema.tables"
                                    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
    pg_tables.insert(r[0]);
  }
  EXPECT_EQ(pg_tables, std::set<std::string>(tables.begin(), tables.end()));

  std::set<std::string> pg_only_seen;
  for (const std::string& table : tables) {
    SCOPED_TRACE("table " + table);
    // name, declared type, notnull, pk
    Rows sqlite_cols = SqliteRows(*sqlite,
                                  "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
                                  table);
    Rows pg_cols = PgRowsOf(pg,
                            "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                            " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                            {table});
    std::vector<std::string> sqlite_names, pg_names;
    for (const auto& c : sqlite_cols) sqlite_names.push_back(c[0]);
    std::map<std::string, std::vector<std::string>> pg_by_name;
    for (const auto& c : pg_cols) {
      auto only = kPgOnlyColumns.find(table + "." + c[0]);
      if (only != kPgOnlyColumns.end()) {
        EXPECT_EQ(c[1], only->second) << c[0];
        pg_only_seen.insert(only->first);
        continue;
      }
      pg_names.push_back(c[0]);
      pg_by_name[c[0]] = c;
    }
    EXPECT_EQ(pg_names, sqlite_names);  // same names, same order

    for (const auto& c : sqlite_cols) {
      auto it = pg_by_name.find(c[0]);
      if (it == pg_by_name.end()) continue;  // reported above
      const std::string& pg_type = it->second[1];
      EXPECT_TRUE(TypeTranslates(c[1], pg_type)) << c[0] << ": SQLite " << c[1] << ", PostgreSQL " << pg_type;
      // A timestamp kept as ISO text on SQLite is TIMESTAMPTZ on PostgreSQL.
      if (c[1] == "TEXT" && c[0].ends_with("_at")) {
        EXPECT_EQ(pg_type, "timestamp with time zone") << c[0];
      }
      // NOT NULL on both, or on neither (a SQLite primary key column counts as NOT NULL:
      // PostgreSQL's always is).
      const bool sqlite_not_null = c[2] == "1" || c[3] != "0";
      EXPECT_EQ(it->second[2], sqlite_not_null ? "NO" : "YES") << c[0];
    }
  }
  EXPECT_EQ(pg_only_seen.size(), kPgOnlyColumns.size());
}

TEST_F(PgSchemaParityTest, SameIndexesAndTriggersAsSqliteBesidesFts) {
  std::unique_ptr<rm::store::Connection> sqlite = MigratedSqlite();
  ASSERT_NE(sqlite, nullptr);
  PgConnection pg = Migrated();

  // Named indexes (not the automatic ones of keys and UNIQUE, whose sql is NULL).
  std::set<std::string> sqlite_indexes;
  for (const auto& r : SqliteRows(*sqlite, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")) {
    sqlite_indexes.insert(r[0]);
  }
  std::set<std::string> pg_indexes;
  for (const auto& r : PgRowsOf(pg, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                                    " AND indexname LIKE 'idx\\_%'")) {
    if (kPgOnlyIndexes.count(r[0]) == 0) pg_indexes.insert(r[0]);
  }
  EXPECT_EQ(pg_indexes, sqlite_indexes);

  // Triggers, except those that only keep the FTS5 index (PostgreSQL's search_vector is a
  // generated column and needs none).
  std::set<std::string> sqlite_triggers;
  for (const auto& r : SqliteRows(*sqlite, "SELECT name FROM sqlite_schema WHERE type = 'trigger'"
                                           " AND sql NOT LIKE '%memories_fts%'")) {
    sqlite_triggers.insert(r[0]);
  }
  EXPECT_EQ(sqlite_triggers.size(), 3u);
  std::set<std::string> pg_triggers;
  for (const auto& r : PgRowsOf(pg, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")) {
    pg_triggers.insert(r[0]);
  }
  EXPECT_EQ(pg_triggers, sqlite_triggers);
}

TEST_F(PgSchemaParityTest, SearchVectorStemsAndRanksTitleAboveTagsAboveContent) {
  PgConnection conn = Migrated();
  AddUser(conn, "u1");
  AddMemory(conn, "in-title", "Support group notes", "the weather today");
  AddMemory(conn, "in-tags", "Monday", "a walk", R"(["supporting", "groups"])");
  AddMemory(conn, "in-content", "Weekly notes", "We met the support group on Monday");
  AddMemory(conn, "elsewhere", "Shopping", "milk and bread");
  const std::string search =
      "SELECT id FROM memories, websearch_to_tsquery('english', $1) q"
      " WHERE search_vector @@ q ORDER BY ts_rank(search_vector, q) DESC, id";
  Rows found = PgRowsOf(conn, search, {"supported groups"});
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0][0], "in-title");
  EXPECT_EQ(found[1][0], "in-tags");
  EXPECT_EQ(found[2][0], "in-content");

  // The vector follows every update (a generated column: no trigger to forget).
  Run(conn, "UPDATE memories SET content = 'coffee with the supporting group' WHERE id = 'elsewhere'");
  Run(conn, "UPDATE memories SET title = 'Notes' WHERE id = 'in-title'");
  found = PgRowsOf(conn, search, {"supported groups"});
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0][0], "in-tags");  // the title hit is gone with its title
  EXPECT_EQ((std::set<std::string>{found[1][0], found[2][0]}), (std::set<std::string>{"elsewhere", "in-content"}));
  // A word that is in no memory finds nothing.
  EXPECT_TRUE(PgRowsOf(conn, search, {"zebra"}).empty());

  // The GIN index can serve the match.
  Run(conn, "SET enable_seqscan = off");
  Rows plan = PgRowsOf(conn, "EXPLAIN SELECT id FROM memories WHERE search_vector @@ websearch_to_tsquery('english', 'group')");
  std::string text;
  for (const auto& r : plan) text += r[0] + "\n";
  EXPECT_NE(text.find("idx_memories_search_vector"), std::string::npos) << text;
}

TEST_F(PgSchemaParityTest, TranslatedChecksHold) {
  PgConnection conn = Migrated();
  AddUser(conn, "u1");
  auto vendor_key = [&](const std::string& id, const std::string& vendor) {
    return conn.Query("INSERT INTO api_keys(id, user_id, key_hash, key_prefix, created_at, vendor)"
                      " VALUES ($1, 'u1', $1, 'rm_live_', now(), $2)",
                      {id, vendor}).status();
  };
  EXPECT_TRUE(vendor_key("k1", "cursor").ok());
  EXPECT_TRUE(vendor_key("k2", "claude-code_2").ok());
  EXPECT_TRUE(vendor_key("k3", std::string(32, 'a')).ok());
  for (const std::string& bad :
       std::vector<std::string>{"Cursor", "1cursor", "cur sor", "cursor\n", "", std::string(33, 'a')}) {
    EXPECT_EQ(vendor_key("bad", bad).code(), Status::Code::kInvalidArgument) << "'" << bad << "'";
  }
  // trashed_by_memory_id only on a trashed memory (007).
  AddMemory(conn, "m1", "t", "c");
  EXPECT_FALSE(conn.Query("UPDATE memories SET trashed_by_memory_id = 'm1' WHERE id = 'm1'").ok());
  EXPECT_TRUE(conn.Query("UPDATE memories SET deleted_at = now(), trashed_by_memory_id = 'm1' WHERE id = 'm1'").ok());
  // A replayed result keeps its exact text (JSON, not JSONB), and must be JSON (004).
  const std::string result = R"({"z": 1, "a": [2, 3]})";
  Run(conn, "INSERT INTO idempotency_keys VALUES ('u1', 'r1', 'h', $1::json, now())", {result});
  EXPECT_EQ(PgRowsOf(conn, "SELECT result_json::text FROM idempotency_keys")[0][0], result);
  EXPECT_FALSE(conn.Query("INSERT INTO idempotency_keys VALUES ('u1', 'r2', 'h', $1, now())", {"{nope"}).ok());
  // Passwords are Argon2id hashes (011).
  EXPECT_TRUE(conn.Query("INSERT INTO user_passwords VALUES ('u1', '$argon2id$v=19$m=65536,t=3,p=4$x', now())").ok());
  Run(conn, "DELETE FROM user_passwords");
  EXPECT_FALSE(conn.Query("INSERT INTO user_passwords VALUES ('u1', '$2b$12$bcrypt', now())").ok());
  EXPECT_FALSE(conn.Query("INSERT INTO users(id, email, created_at, updated_at, merge_similar)"
                          " VALUES ('u2', 'u2@example.com', now(), now(), 2)").ok());
}

TEST_F(PgSchemaParityTest, TopicClusterTriggersCountLikeSqlites) {
  PgConnection conn = Migrated();
  AddUser(conn, "u1");
  Run(conn, "INSERT INTO orgs(id, name, owner_id, created_at, updated_at) VALUES ('o1', 'O', 'u1', now(), now())");
  auto counters = [&] {
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (const auto& r : PgRowsOf(conn, "SELECT pool, added, hidden FROM tag_cluster_pool_changes")) {
      out[r[0]] = {r[1], r[2]};
    }
    return out;
  };
  using Counts = std::map<std::string, std::pair<std::string, std::string>>;
  AddMemory(conn, "m1", "t", "c", R"(["a"])");
  Run(conn, "INSERT INTO memories(id, user_id, title, content, created_at, updated_at, shared_with_org_id)"
            " VALUES ('m2', 'u1', 't', 'c', now(), now(), 'o1')");
  EXPECT_EQ(counters(), (Counts{{"u:u1", {"2", "0"}}, {"o:o1", {"1", "0"}}}));
  // A change that cannot hide a tag counts nothing; tags, trash or sharing count as hiding.
  Run(conn, "UPDATE memories SET title = 'x', tags = '[\"a\"]' WHERE id = 'm1'");
  EXPECT_EQ(counters(), (Counts{{"u:u1", {"2", "0"}}, {"o:o1", {"1", "0"}}}));
  Run(conn, "UPDATE memories SET tags = '[\"b\"]' WHERE id = 'm1'");
  Run(conn, "UPDATE memories SET shared_with_org_id = NULL WHERE id = 'm2'");  // was in o1
  EXPECT_EQ(counters(), (Counts{{"u:u1", {"2", "2"}}, {"o:o1", {"1", "1"}}}));
  Run(conn, "DELETE FROM memories WHERE id = 'm1'");
  EXPECT_EQ(counters(), (Counts{{"u:u1", {"2", "3"}}, {"o:o1", {"1", "1"}}}));
}

TEST_F(PgSchemaParityTest, MigratingADatabaseWithMemoriesBackfillsLikeSqlite) {
  // A database at version 1 with memories in it, then the rest of the migrations.
  PgConnection conn = Connect();
  ASSERT_TRUE(conn.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())").ok());
  ASSERT_TRUE(conn.Exec(std::string(AllPgMigrations()[0].sql)).ok());
  Run(conn, "INSERT INTO schema_migrations(version, name) VALUES (1, 'canonical')");
  AddUser(conn, "u1");
  // p trashed with its reply r1; q live, its reply r2 trashed on its own; l live.
  Run(conn, "INSERT INTO memories(id, user_id, title, content, created_at, updated_at, deleted_at, parent_memory_id) VALUES"
            " ('p', 'u1', 'Parent', 'c', now(), now(), now(), NULL),"
            " ('r1', 'u1', 'Reply', 'c', now(), now(), now(), 'p'),"
            " ('q', 'u1', 'Other', 'c', now(), now(), NULL, NULL),"
            " ('r2', 'u1', 'Reply', 'c', now(), now(), now(), 'q'),"
            " ('l', 'u1', 'Support groups', 'c', now(), now(), NULL, NULL)");
  Result<std::vector<std::string>> applied = ApplyPgMigrations(conn);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  std::vector<std::string> rest = SqliteMigrationNames();
  rest.erase(rest.begin());
  EXPECT_EQ(*applied, rest);
  EXPECT_EQ(PgRowsOf(conn, "SELECT id, coalesce(trashed_by_memory_id, '-') FROM memories ORDER BY id"),
            (Rows{{"l", "-"}, {"p", "p"}, {"q", "-"}, {"r1", "p"}, {"r2", "r2"}}));
  // Memories written before migration 2 are searchable.
  EXPECT_EQ(PgRowsOf(conn, "SELECT id FROM memories WHERE search_vector @@ websearch_to_tsquery('english', 'supported group')"),
            (Rows{{"l"}}));
}

}  // namespace
}  // namespace rm::store::postgres
