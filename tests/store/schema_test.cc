// The migrated schema is the canonical schema (SPEC §7): every table, column,
// index and foreign key of reference/schema.sql exists exactly; later migrations
// only add what is listed here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/database.h"
#include "store/migrations.h"

namespace rm::store {
namespace {

// Columns that migrations after 001 add to canonical tables ("table.column"), and why.
const std::set<std::string> kAddedColumns = {
    "api_keys.vendor",  // 003: an agent key's vendor (SPEC §2)
    "memories.trashed_by_memory_id",  // 006: which delete trashed a memory (restore brings back only that)
    "users.merge_similar",  // 009: write_memory's merge_similar default for the user (issue 18)
    "llm_keys.model",       // 010: the model a provider key is used with (SPEC §1 llm-key set --model)
    "llm_keys.base_url",    // 010: an OpenAI-compatible server's address (--base-url)
    "llm_keys.embedding_model",  // 013: the embeddings model; NULL: semantic search off (issue 17)
};

// Indexes that later migrations add on canonical tables, and why.
const std::set<std::string> kAddedIndexes = {
    "idx_memories_org_created",   // 005: the org pool, newest first
    "idx_memories_team_created",  // 005: the team pool, newest first
};

using Rows = std::vector<std::vector<std::string>>;

// `rows` without those whose first column names something in `added`.
Rows WithoutAdded(Rows rows, const std::set<std::string>& added) {
  std::erase_if(rows, [&](const std::vector<std::string>& r) { return added.count(r[0]) > 0; });
  return rows;
}

// Every row of `sql` (one text parameter), each column as text ("NULL" for NULL).
Rows Query(Connection& c, const std::string& sql, const std::string& param = "") {
  Statement& s = c.Prepare(sql);
  if (sql.find('?') != std::string::npos) s.Bind(1, param);
  Rows rows;
  while (true) {
    Result<bool> row = s.Step();
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    if (!row.ok() || !*row) break;
    std::vector<std::string> cols;
    for (int i = 0; i < s.ColumnCount(); ++i) cols.push_back(s.IsNull(i) ? "NULL" : s.Text(i));
    rows.push_back(std::move(cols));
  }
  return rows;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh in-memory database holding exactly the canonical SQL (migration 1).
std::unique_ptr<Connection> CanonicalDatabase() {
  auto conn = SqliteConnection::Open(":memory:", SqliteConnection::Mode::kReadWrite, 1000);
  EXPECT_TRUE(conn.ok());
  EXPECT_TRUE((*conn)->ExecScript(std::string(AllMigrations()[0].sql)).ok());
  return std::move(*conn);
}

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    canonical_ = CanonicalDatabase();
    auto db = Database::Open(":memory:");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    // A plain connection on the migrated file, so pragmas can be run freely.
    auto migrated = SqliteConnection::Open(db_->path(), SqliteConnection::Mode::kReadOnly, 1000);
    ASSERT_TRUE(migrated.ok());
    migrated_ = std::move(*migrated);
  }
  std::vector<std::string> CanonicalTables() {
    std::vector<std::string> names;
    for (auto& row : Query(*canonical_,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
      names.push_back(row[0]);
    }
    return names;
  }

  std::unique_ptr<Connection> canonical_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Connection> migrated_;
};

TEST_F(SchemaTest, CanonicalSchemaHasTheExpectedTables) {
  std::vector<std::string> tables = CanonicalTables();
  for (const char* t : {"users", "api_keys", "orgs", "teams", "org_invites", "memories",
                        "memory_versions", "usage_events", "monthly_usage", "waitlist",
                        "early_access_requests", "tag_cluster_cache", "llm_keys",
                        "slack_workspaces", "slack_conversation_state"}) {
    EXPECT_NE(std::find(tables.begin(), tables.end(), t), tables.end()) << t;
  }
}

TEST_F(SchemaTest, EveryCanonicalColumnExistsExactly) {
  for (const std::string& table : CanonicalTables()) {
    Rows want = Query(*canonical_, "SELECT cid, name, type, \"notnull\", dflt_value, pk "
                                   "FROM pragma_table_info(?) ORDER BY cid", table);
    Rows got = Query(*migrated_, "SELECT cid, name, type, \"notnull\", dflt_value, pk "
                                 "FROM pragma_table_info(?) ORDER BY cid", table);
    Rows got_canonical_part;
    for (auto& row : got) {
      if (!kAddedColumns.count(table + "." + row[1])) got_canonical_part.push_back(row);
    }
    EXPECT_EQ(got_canonical_part, want) << "columns of " << table;
  }
}

TEST_F(SchemaTest, AddedColumnsAreExactlyTheListedOnes) {
  std::set<std::string> added;
  for (const std::string& table : CanonicalTables()) {
    std::set<std::string> canonical_cols;
    for (auto& r : Query(*canonical_, "SELECT name FROM pragma_table_info(?)", table))
      canonical_cols.insert(r[0]);
    for (auto& r : Query(*migrated_, "SELECT name FROM pragma_table_info(?)", table))
      if (!canonical_cols.count(r[0])) added.insert(table + "." + r[0]);
  }
  EXPECT_EQ(added, kAddedColumns);
}

TEST_F(SchemaTest, EveryCanonicalIndexExistsExactly) {
  for (const std::string& table : CanonicalTables()) {
    const std::string list =
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name";
    Rows want = Query(*canonical_, list, table);
    Rows got = WithoutAdded(Query(*migrated_, list, table), kAddedIndexes);
    EXPECT_EQ(got, want) << "indexes of " << table;
    for (auto& index : want) {
      const std::string info =
          "SELECT seqno, cid, name, \"desc\", coll, key FROM pragma_index_xinfo(?) ORDER BY seqno";
      EXPECT_EQ(Query(*migrated_, info, index[0]), Query(*canonical_, info, index[0]))
          << "index " << index[0] << " on " << table;
    }
  }
  // Index definitions, including partial-index WHERE clauses, are the same text.
  const std::string sql = "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'index' "
                          "AND tbl_name = ? ORDER BY name";
  std::set<std::string> added_found;
  for (const std::string& table : CanonicalTables()) {
    Rows got = Query(*migrated_, sql, table);
    for (auto& r : got) {
      if (kAddedIndexes.count(r[0])) added_found.insert(r[0]);
    }
    EXPECT_EQ(WithoutAdded(got, kAddedIndexes), Query(*canonical_, sql, table)) << table;
  }
  EXPECT_EQ(added_found, kAddedIndexes) << "kAddedIndexes lists an index no migration creates";
}

TEST_F(SchemaTest, EveryCanonicalForeignKeyExistsExactly) {
  for (const std::string& table : CanonicalTables()) {
    const std::string fk = "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, "
                           "match FROM pragma_foreign_key_list(?) ORDER BY id, seq";
    EXPECT_EQ(Query(*migrated_, fk, table), Query(*canonical_, fk, table)) << table;
  }
}

TEST_F(SchemaTest, TableDefinitionsIncludingChecksAreUnchanged) {
  // CHECK constraints and STRICT are only visible in the CREATE text. Tables that
  // a migration altered (ADD COLUMN rewrites the text) are compared by the pragmas above.
  std::set<std::string> altered;
  for (const std::string& c : kAddedColumns) altered.insert(c.substr(0, c.find('.')));
  const std::string sql = "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?";
  const std::string strict = "SELECT strict FROM pragma_table_list(?) WHERE schema = 'main'";
  for (const std::string& table : CanonicalTables()) {
    EXPECT_EQ(Query(*migrated_, strict, table), Query(*canonical_, strict, table)) << table;
    if (altered.count(table)) continue;
    EXPECT_EQ(Query(*migrated_, sql, table), Query(*canonical_, sql, table)) << table;
  }
}

TEST(SchemaFiles, EmbeddedMigrationOneIsTheRepoCopy) {
  std::filesystem::path repo = RM_SOURCE_DIR;
  EXPECT_EQ(std::string(AllMigrations()[0].sql), ReadFile(repo / "store/schema/001_canonical.sql"));
  EXPECT_EQ(AllMigrations()[0].name, "canonical");
}

TEST(SchemaFiles, RepoCopyEqualsTheSharedReferenceWhenPresent) {
  std::filesystem::path repo = RM_SOURCE_DIR;
  std::filesystem::path reference = repo / "../shared/reference/schema.sql";
  if (!std::filesystem::exists(reference)) {
    GTEST_SKIP() << "no shared reference at " << reference;
  }
  EXPECT_EQ(ReadFile(repo / "store/schema/001_canonical.sql"), ReadFile(reference));
}

}  // namespace
}  // namespace rm::store
