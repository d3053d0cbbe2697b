// Migrations: applied once, in order, recorded; reopening keeps data; a newer
// database is refused; FTS stays in step with memories.
#include "store/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/connection.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/database.h"
#include "tests/store/temp_dir.h"

namespace rm::store {
namespace {

std::vector<std::string> Column(Connection& c, const std::string& sql) {
  std::vector<std::string> out;
  Statement& s = c.Prepare(sql);
  while (true) {
    Result<bool> row = s.Step();
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    if (!row.ok() || !*row) break;
    out.push_back(s.IsNull(0) ? "NULL" : s.Text(0));
  }
  return out;
}

std::vector<std::string> ReadColumn(Database& db, const std::string& sql) {
  std::vector<std::string> out;
  EXPECT_TRUE(db.Read([&](Connection& c) {
                  out = Column(c, sql);
                  return Status::Ok();
                }).ok());
  return out;
}

std::unique_ptr<Connection> RawConnection(const std::string& path) {
  auto c = SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite, 1000);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

const char* kInsertUser =
    "INSERT INTO users(id, email, created_at, updated_at) VALUES ('u1', 'a@example.com', 't', 't')";
const char* kInsertMemory =
    "INSERT INTO memories(id, user_id, title, content, created_at, updated_at) "
    "VALUES ('m1', 'u1', 'Paris trip', 'croissants and museums', 't', 't')";

TEST(Migrations, AreNumberedOneToNWithUniqueNames) {
  auto all = AllMigrations();
  ASSERT_GE(all.size(), 3u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].version, static_cast<int>(i) + 1);
  EXPECT_EQ(all[0].name, "canonical");
  EXPECT_EQ(all[1].name, "memories_fts");
  EXPECT_EQ(all[2].name, "api_keys_vendor");
  EXPECT_EQ(LatestSchemaVersion(), static_cast<int>(all.size()));
}

TEST(Migrations, NewDatabaseRecordsEveryMigration) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->schema_version(), LatestSchemaVersion());
  EXPECT_EQ((*db)->migrations_applied().size(), AllMigrations().size());
  std::vector<std::string> recorded =
      ReadColumn(**db, "SELECT version || '_' || name FROM schema_migrations ORDER BY version");
  EXPECT_EQ(recorded, (*db)->migrations_applied());
  EXPECT_EQ(ReadColumn(**db, "SELECT COUNT(*) FROM schema_migrations WHERE applied_at LIKE '20%Z'"),
            std::vector<std::string>{std::to_string(AllMigrations().size())});
}

TEST(Migrations, SecondRunChangesNothingAndDataSurvivesReopen) {
  rm::testing::TempDir dir;
  std::string path = dir.File("memory.db");
  std::vector<std::string> schema_before;
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Write([](Connection& c) {
                       RM_RETURN_IF_ERROR(c.Exec(kInsertUser));
                       return c.Exec(kInsertMemory);
                     }).ok());
    schema_before = ReadColumn(**db, "SELECT type || name || coalesce(sql, '') FROM sqlite_schema "
                                     "ORDER BY name");
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->migrations_applied().empty());
  EXPECT_EQ((*db)->schema_version(), LatestSchemaVersion());
  EXPECT_EQ(ReadColumn(**db, "SELECT type || name || coalesce(sql, '') FROM sqlite_schema "
                             "ORDER BY name"),
            schema_before);
  EXPECT_EQ(ReadColumn(**db, "SELECT COUNT(*) FROM schema_migrations"),
            std::vector<std::string>{std::to_string(AllMigrations().size())});
  EXPECT_EQ(ReadColumn(**db, "SELECT email FROM users"), std::vector<std::string>{"a@example.com"});
  EXPECT_EQ(ReadColumn(**db, "SELECT title FROM memories"), std::vector<std::string>{"Paris trip"});
}

TEST(Migrations, NewerDatabaseIsRefusedAndLeftAlone) {
  rm::testing::TempDir dir;
  std::string path = dir.File("memory.db");
  { ASSERT_TRUE(Database::Open(path).ok()); }
  int future = LatestSchemaVersion() + 7;
  {
    auto raw = RawConnection(path);
    auto& s = raw->Prepare("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 'x')");
    ASSERT_TRUE(s.Bind(1, future).Run().ok());
  }
  auto db = Database::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kFailedPrecondition);
  std::string expected = "written by a newer reflect-memory (schema " + std::to_string(future) +
                         ", this build knows " + std::to_string(LatestSchemaVersion()) +
                         "): upgrade reflect-memory";
  EXPECT_NE(db.status().message().find(expected), std::string::npos) << db.status().message();
  auto raw = RawConnection(path);
  EXPECT_EQ(Column(*raw, "SELECT MAX(version) FROM schema_migrations"),
            std::vector<std::string>{std::to_string(future)});
}

TEST(Migrations, OldDatabaseIsUpgradedAndItsMemoriesBecomeSearchable) {
  rm::testing::TempDir dir;
  std::string path = dir.File("memory.db");
  {  // A database at version 1 only, with a memory, as an older build left it.
    auto raw = RawConnection(path);
    ASSERT_TRUE(raw->ExecScript("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY "
                                "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT")
                    .ok());
    ASSERT_TRUE(raw->ExecScript(std::string(AllMigrations()[0].sql)).ok());
    ASSERT_TRUE(raw->Exec("INSERT INTO schema_migrations VALUES (1, 'canonical', 'x')").ok());
    ASSERT_TRUE(raw->Exec(kInsertUser).ok());
    ASSERT_TRUE(raw->Exec(kInsertMemory).ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->migrations_applied().front(), "2_memories_fts");
  EXPECT_EQ(ReadColumn(**db, "SELECT m.id FROM memories_fts f JOIN memories m ON m.rowid = f.rowid "
                             "WHERE memories_fts MATCH 'museums'"),
            std::vector<std::string>{"m1"});
}

// Migration 7 records which delete trashed a memory. Rows trashed before it keep
// what restore did until then: a trashed reply of a trashed parent comes back with
// the parent; any other trashed row was deleted on its own.
TEST(Migrations, TrashRecordOfOlderDatabasesKeepsWhatRestoreDidBefore) {
  rm::testing::TempDir dir;
  std::string path = dir.File("memory.db");
  {  // A database at version 6, as the build before migration 7 left it.
    auto raw = RawConnection(path);
    ASSERT_TRUE(raw->ExecScript("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY "
                                "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT")
                    .ok());
    for (const Migration& m : AllMigrations()) {
      if (m.version > 6) break;
      ASSERT_TRUE(raw->ExecScript(std::string(m.sql)).ok()) << m.name;
      ASSERT_TRUE(raw->Prepare("INSERT INTO schema_migrations VALUES (?, ?, 'x')").Bind(1, m.version).Bind(2, m.name).Run().ok());
    }
    ASSERT_TRUE(raw->Exec(kInsertUser).ok());
    ASSERT_TRUE(raw->ExecScript(
        "INSERT INTO memories(id, user_id, title, content, created_at, updated_at, deleted_at, parent_memory_id) VALUES "
        "('p', 'u1', 't', 'c', 't', 't', 'd1', NULL),"    // trashed parent
        "('pr', 'u1', 't', 'c', 't', 't', 'd1', 'p'),"    // its reply, trashed with it
        "('q', 'u1', 't', 'c', 't', 't', NULL, NULL),"    // live parent
        "('qr', 'u1', 't', 'c', 't', 't', 'd2', 'q'),"    // a reply trashed on its own
        "('qs', 'u1', 't', 'c', 't', 't', NULL, 'q')").ok());  // a live reply
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(ReadColumn(**db, "SELECT id || ':' || coalesce(trashed_by_memory_id, 'NULL') FROM memories ORDER BY id"),
            (std::vector<std::string>{"p:p", "pr:p", "q:NULL", "qr:qr", "qs:NULL"}));
  // A live memory cannot carry a trash record.
  EXPECT_FALSE((*db)->Write([](Connection& c) {
                      return c.Exec("UPDATE memories SET trashed_by_memory_id = 'q' WHERE id = 'q'");
                    }).ok());
}

TEST(Migrations, FullTextIndexFollowsInsertUpdateAndDelete) {
  auto opened = Database::Open(":memory:");
  ASSERT_TRUE(opened.ok());
  Database& db = **opened;
  const std::string search = "SELECT m.id FROM memories_fts f JOIN memories m ON m.rowid = f.rowid "
                             "WHERE memories_fts MATCH ";
  ASSERT_TRUE(db.Write([](Connection& c) {
                  RM_RETURN_IF_ERROR(c.Exec(kInsertUser));
                  return c.Exec(kInsertMemory);
                }).ok());
  EXPECT_EQ(ReadColumn(db, search + "'croissants'"), std::vector<std::string>{"m1"});

  ASSERT_TRUE(db.Write([](Connection& c) {
                  return c.Exec("UPDATE memories SET content = 'bagels', tags = '[\"food\"]' "
                                "WHERE id = 'm1'");
                }).ok());
  EXPECT_TRUE(ReadColumn(db, search + "'croissants'").empty());
  EXPECT_EQ(ReadColumn(db, search + "'bagels'"), std::vector<std::string>{"m1"});
  EXPECT_EQ(ReadColumn(db, search + "'food'"), std::vector<std::string>{"m1"});

  // An update of other columns (soft delete) leaves the index as it was.
  ASSERT_TRUE(db.Write([](Connection& c) {
                  return c.Exec("UPDATE memories SET deleted_at = 't2' WHERE id = 'm1'");
                }).ok());
  EXPECT_EQ(ReadColumn(db, search + "'bagels'"), std::vector<std::string>{"m1"});

  ASSERT_TRUE(db.Write([](Connection& c) { return c.Exec("DELETE FROM memories"); }).ok());
  EXPECT_TRUE(ReadColumn(db, search + "'bagels'").empty());
  // The index agrees with its content table.
  EXPECT_TRUE(db.Write([](Connection& c) {
                  return c.Exec("INSERT INTO memories_fts(memories_fts, rank) "
                                "VALUES ('integrity-check', 1)");
                }).ok());
}

TEST(Migrations, AgentKeyVendorColumnRejectsInvalidNames) {
  auto opened = Database::Open(":memory:");
  ASSERT_TRUE(opened.ok());
  Database& db = **opened;
  ASSERT_TRUE(db.Write([](Connection& c) { return c.Exec(kInsertUser); }).ok());
  auto insert_key = [&](const std::string& id, const std::string& vendor) {
    return db.Write([&](Connection& c) {
      return c.Prepare("INSERT INTO api_keys(id, user_id, key_hash, key_prefix, created_at, vendor) "
                       "VALUES (?, 'u1', ?, 'rm_live_x', 't', ?)")
          .Bind(1, id).Bind(2, "hash-" + id).Bind(3, vendor).Run();
    });
  };
  EXPECT_TRUE(insert_key("k1", "cursor").ok());
  EXPECT_TRUE(insert_key("k2", "n8n").ok());
  EXPECT_TRUE(insert_key("k3", "my_tool-2").ok());
  for (const char* bad : {"Cursor", "1abc", "", "has space", "abcdefghijklmnopqrstuvwxyz0123456"}) {
    EXPECT_EQ(insert_key(std::string("bad-") + bad, bad).code(), Status::Code::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace rm::store
