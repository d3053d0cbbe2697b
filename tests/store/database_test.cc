// Database: transactions, group commit, the reader pool, re-entrancy guards.
#include "store/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/store/temp_dir.h"

namespace rm::store {
namespace {

// A scratch table the tests write to: created by a Write, like any other change.
void CreateScratchTable(Database& db) {
  ASSERT_TRUE(db.Write([](Connection& c) {
                  return c.Exec("CREATE TABLE scratch (id INTEGER PRIMARY KEY, v TEXT UNIQUE)");
                }).ok());
}

Status InsertScratch(Connection& c, const std::string& value) {
  return c.Prepare("INSERT INTO scratch(v) VALUES (?)").Bind(1, value).Run();
}

std::int64_t CountScratch(Database& db, const std::string& where = "1") {
  std::int64_t n = -1;
  Status s = db.Read([&](Connection& c) {
    Statement& q = c.Prepare("SELECT COUNT(*) FROM scratch WHERE " + where);
    Result<bool> row = q.Step();
    if (!row.ok()) return row.status();
    n = q.Int64(0);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return n;
}

std::unique_ptr<Database> OpenOrDie(const std::string& path, DatabaseOptions options = {}) {
  auto db = Database::Open(path, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(Database, OpensInMemoryStyleWithWalAndForeignKeys) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  std::string journal;
  std::int64_t fk = 0;
  ASSERT_TRUE(db->Read([&](Connection& c) {
                  Statement& j = c.Prepare("PRAGMA journal_mode");
                  if (!j.Step().ok()) return Status::Internal("journal_mode");
                  journal = j.Text(0);
                  Statement& f = c.Prepare("PRAGMA foreign_keys");
                  if (!f.Step().ok()) return Status::Internal("foreign_keys");
                  fk = f.Int64(0);
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(journal, "wal");
  EXPECT_EQ(fk, 1);
  EXPECT_GE(db->schema_version(), 3);
}

TEST(Database, InMemoryStyleDatabaseLeavesNoFileBehind) {
  std::string path;
  {
    auto db = OpenOrDie(":memory:");
    ASSERT_TRUE(db);
    path = db->path();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(Database, CreatesParentFolder) {
  rm::testing::TempDir dir;
  std::string path = dir.File("a/b/c/memory.db");
  auto db = OpenOrDie(path);
  ASSERT_TRUE(db);
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(Database, UnwritableFolderIsAnIoErrorNamingTheFolder) {
  rm::testing::TempDir dir;
  std::string file = dir.File("plain-file");
  { std::ofstream(file) << "x"; }
  auto db = Database::Open(file + "/sub/memory.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kIoError);
  EXPECT_NE(db.status().message().find("plain-file"), std::string::npos) << db.status().message();
}

TEST(Database, ForeignKeysAreEnforcedOnWrites) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  Status s = db->Write([](Connection& c) {
    return c.Prepare("INSERT INTO api_keys(id, user_id, key_hash, key_prefix, created_at) "
                     "VALUES ('k', 'no-such-user', 'h', 'p', 't')")
        .Run();
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
}

TEST(Database, WriteIsVisibleToLaterReads) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  ASSERT_TRUE(db->Write([](Connection& c) { return InsertScratch(c, "a"); }).ok());
  EXPECT_EQ(CountScratch(*db), 1);
}

TEST(Database, FailedWriteLeavesNothing) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  Status s = db->Write([](Connection& c) {
    RM_RETURN_IF_ERROR(InsertScratch(c, "first"));
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CountScratch(*db), 0);
}

TEST(Database, ThrowingWriteIsAnInternalErrorAndLeavesNothing) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  Status s = db->Write([](Connection& c) -> Status {
    (void)InsertScratch(c, "x");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_NE(s.message().find("boom"), std::string::npos);
  EXPECT_EQ(CountScratch(*db), 0);
}

TEST(Database, ManyThreadsWritingConcurrentlyAllCommit) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  constexpr int kThreads = 8, kPerThread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string v = std::to_string(t) + ":" + std::to_string(i);
        if (!db->Write([&](Connection& c) { return InsertScratch(c, v); }).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountScratch(*db), kThreads * kPerThread);
  Database::WriteStats stats = db->write_stats();
  EXPECT_EQ(stats.writes, 1u + kThreads * kPerThread);  // + the CREATE TABLE
  EXPECT_LE(stats.commits, stats.writes);
}

// Holds the writer thread inside one write until `release` is set, so that the
// writes queued meanwhile are committed together as the next batch.
class WriterGate {
 public:
  explicit WriterGate(Database& db) : db_(db) {
    holder_ = std::thread([this] {
      status_ = db_.Write([this](Connection&) {
        entered_ = true;
        while (!release_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return Status::Ok();
      });
    });
    while (!entered_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void WaitForQueued(std::size_t n) {
    while (db_.queued_writes() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Open() {
    release_ = true;
    holder_.join();
  }

 private:
  Database& db_;
  std::thread holder_;
  std::atomic<bool> entered_{false}, release_{false};
  Status status_;
};

TEST(Database, QueuedWritesShareOneCommitAndAFailureRollsBackOnlyItsOwnWork) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  WriterGate gate(*db);
  std::uint64_t commits_before = db->write_stats().commits;

  // Six writers queue up behind the gate; writer 3 inserts, then fails.
  constexpr int kWriters = 6;
  std::vector<Status> results(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      results[i] = db->Write([i](Connection& c) {
        RM_RETURN_IF_ERROR(InsertScratch(c, "w" + std::to_string(i)));
        if (i == 3) return Status::Conflict("writer 3 fails after inserting");
        return Status::Ok();
      });
    });
  }
  gate.WaitForQueued(kWriters);
  gate.Open();
  for (auto& th : threads) th.join();

  for (int i = 0; i < kWriters; ++i) {
    if (i == 3) {
      EXPECT_EQ(results[i].code(), Status::Code::kConflict);
    } else {
      EXPECT_TRUE(results[i].ok()) << i << ": " << results[i].ToString();
    }
  }
  EXPECT_EQ(CountScratch(*db), kWriters - 1);
  EXPECT_EQ(CountScratch(*db, "v = 'w3'"), 0);
  // The gate's own write was one commit, the six queued writes exactly one more.
  EXPECT_EQ(db->write_stats().commits - commits_before, 2u);
}

TEST(Database, ConstraintFailureInABatchDoesNotAffectTheOthers) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  ASSERT_TRUE(db->Write([](Connection& c) { return InsertScratch(c, "taken"); }).ok());
  WriterGate gate(*db);
  Status dup, fresh;
  std::thread a([&] { dup = db->Write([](Connection& c) { return InsertScratch(c, "taken"); }); });
  gate.WaitForQueued(1);
  std::thread b([&] { fresh = db->Write([](Connection& c) { return InsertScratch(c, "new"); }); });
  gate.WaitForQueued(2);
  gate.Open();
  a.join();
  b.join();
  EXPECT_EQ(dup.code(), Status::Code::kAlreadyExists) << dup.ToString();
  EXPECT_TRUE(fresh.ok()) << fresh.ToString();
  EXPECT_EQ(CountScratch(*db), 2);
}

TEST(Database, WhenTheCommitFailsNoWriteInTheBatchIsAcknowledged) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  // A deferred foreign key is checked only at COMMIT: a way to make COMMIT fail.
  ASSERT_TRUE(db->Write([](Connection& c) {
                  RM_RETURN_IF_ERROR(c.Exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
                  return c.Exec("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
                                "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)");
                }).ok());
  CreateScratchTable(*db);
  WriterGate gate(*db);
  Status innocent, dangling;
  std::thread a([&] { innocent = db->Write([](Connection& c) { return InsertScratch(c, "ok"); }); });
  gate.WaitForQueued(1);
  std::thread b([&] {
    dangling = db->Write([](Connection& c) { return c.Exec("INSERT INTO child VALUES (1, 42)"); });
  });
  gate.WaitForQueued(2);
  gate.Open();
  a.join();
  b.join();
  EXPECT_FALSE(innocent.ok());  // its work was in the transaction that did not commit
  EXPECT_FALSE(dangling.ok());
  EXPECT_NE(innocent.message().find("FOREIGN KEY"), std::string::npos) << innocent.ToString();
  EXPECT_EQ(CountScratch(*db), 0);
  // The writer recovers: the next write commits normally.
  EXPECT_TRUE(db->Write([](Connection& c) { return InsertScratch(c, "after"); }).ok());
  EXPECT_EQ(CountScratch(*db), 1);
}

TEST(Database, WriteInsideWriteIsRefusedNotDeadlocked) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  Status inner;
  Status outer = db->Write([&](Connection&) {
    inner = db->Write([](Connection&) { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_EQ(inner.code(), Status::Code::kInternal);
}

TEST(Database, ReadInsideReadIsRefused) {
  auto db = OpenOrDie(":memory:", DatabaseOptions{.reader_connections = 1});
  ASSERT_TRUE(db);
  Status inner;
  EXPECT_TRUE(db->Read([&](Connection&) {
                  inner = db->Read([](Connection&) { return Status::Ok(); });
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(inner.code(), Status::Code::kInternal);
}

TEST(Database, ReadSeesOneSnapshotWhileWritesCommit) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  ASSERT_TRUE(db->Write([](Connection& c) { return InsertScratch(c, "before"); }).ok());
  std::int64_t first = -1, second = -1;
  Status s = db->Read([&](Connection& c) {
    Statement& q = c.Prepare("SELECT COUNT(*) FROM scratch");
    if (!q.Step().ok()) return Status::Internal("count");
    first = q.Int64(0);
    // A write commits on another thread in the middle of this read.
    std::thread w([&] { (void)db->Write([](Connection& wc) { return InsertScratch(wc, "during"); }); });
    w.join();
    Statement& q2 = c.Prepare("SELECT COUNT(*) FROM scratch");
    if (!q2.Step().ok()) return Status::Internal("count");
    second = q2.Int64(0);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);  // same snapshot
  EXPECT_EQ(CountScratch(*db), 2);
}

TEST(Database, ReadConnectionsCannotWrite) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  Status s = db->Read([](Connection& c) { return InsertScratch(c, "sneaky"); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(CountScratch(*db), 0);
}

TEST(Statement, ReportsPrepareErrorOnStepAndCachesByText) {
  auto conn = SqliteConnection::Open(":memory:", SqliteConnection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(conn.ok());
  Statement& bad = (*conn)->Prepare("SELEC nonsense");
  Result<bool> r = bad.Step();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInternal);
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos) << r.status().message();

  Statement& a = (*conn)->Prepare("SELECT ?1 + 1");
  a.Bind(1, 41);
  ASSERT_TRUE(*a.Step());
  EXPECT_EQ(a.Int64(0), 42);
  Statement& b = (*conn)->Prepare("SELECT ?1 + 1");
  EXPECT_EQ(&a, &b);  // the same cached statement, reset for reuse
  ASSERT_TRUE(*b.Step());
  EXPECT_TRUE(b.IsNull(0));  // bindings were cleared: NULL + 1 is NULL
}

TEST(Statement, BindsAndReadsEveryType) {
  auto conn = SqliteConnection::Open(":memory:", SqliteConnection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(conn.ok());
  Statement& s = (*conn)->Prepare("SELECT ?, ?, ?, ?, ?, ?");
  std::optional<std::string> none, some = "opt";
  s.Bind(1, std::int64_t{1} << 40).Bind(2, 2.5).Bind(3, "text").Bind(4, std::nullopt);
  s.Bind(5, none).Bind(6, some);
  ASSERT_TRUE(*s.Step());
  EXPECT_EQ(s.Int64(0), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(s.Double(1), 2.5);
  EXPECT_EQ(s.Text(2), "text");
  EXPECT_TRUE(s.IsNull(3));
  EXPECT_EQ(s.OptionalText(4), std::nullopt);
  EXPECT_EQ(s.OptionalText(5), "opt");
}

TEST(Statement, BindOutOfRangeIsReportedOnStep) {
  auto conn = SqliteConnection::Open(":memory:", SqliteConnection::Mode::kReadWrite, 1000);
  ASSERT_TRUE(conn.ok());
  Statement& s = (*conn)->Prepare("SELECT ?");
  s.Bind(2, 1);
  Result<bool> r = s.Step();
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("parameter 2"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace rm::store

namespace rm::store {
namespace {

// Checkpoints happen off the write path, but they do happen: the WAL is copied back
// into the database file and restarts instead of growing without end.
TEST(Database, TheWalIsCheckpointedInTheBackground) {
  DatabaseOptions options;
  options.checkpoint_wal_pages = 20;
  auto db = OpenOrDie(":memory:", options);
  ASSERT_TRUE(db);
  CreateScratchTable(*db);
  // 1,000 commits of 2 KB rows (six or seven WAL frames each, with the UNIQUE index), in
  // bursts of 50. A WAL that never restarted would end at 26 MB; restarted after each
  // checkpoint, it never holds much more than two bursts (5 MB).
  const std::string filler(2000, 'x');
  std::uint64_t checkpoints_before_burst = db->checkpoints();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(db->Write([&](Connection& c) { return InsertScratch(c, std::to_string(i) + filler); }).ok());
    if (i % 50 != 49) continue;
    // The pause lasts only until a checkpoint has run since the burst began (at most
    // 10 s), which may have been while the burst was still writing: the WAL has to
    // restart under writes that never stop, not only in quiet moments. (With fixed
    // 100 ms pauses this passed locally and failed under ASan in CI, a 26 MB WAL: each
    // checkpoint judged itself complete by the frames present when it began.)
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (db->checkpoints() == checkpoints_before_burst && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    checkpoints_before_burst = db->checkpoints();
  }
  EXPECT_GT(db->checkpoints(), 0u);
  EXPECT_LT(std::filesystem::file_size(db->path() + "-wal"), 20u * 1024 * 1024);
  EXPECT_EQ(CountScratch(*db), 1000);
}

// WriteLater: the caller does not wait, the rows arrive shortly, a failing function
// drops only its own work, and closing the database commits what is still queued.
TEST(Database, WritesLaterAreCommittedInBatchesAndAFailureDropsOnlyItself) {
  rm::testing::TempDir dir;
  const std::string path = (dir.path() / "later.db").string();
  {
    auto db = OpenOrDie(path);
    ASSERT_TRUE(db);
    CreateScratchTable(*db);
    for (int i = 0; i < 100; ++i) {
      db->WriteLater([i](Connection& c) { return InsertScratch(c, "later" + std::to_string(i)); });
    }
    db->WriteLater([](Connection& c) { return InsertScratch(c, "later7"); });  // a duplicate: UNIQUE fails
    db->FlushWritesLater();
    EXPECT_EQ(CountScratch(*db), 100);
    // Queued, then the database closes before the batch's delay is up.
    for (int i = 0; i < 20; ++i) {
      db->WriteLater([i](Connection& c) { return InsertScratch(c, "at-close" + std::to_string(i)); });
    }
  }
  auto reopened = OpenOrDie(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(CountScratch(*reopened, "v LIKE 'at-close%'"), 20);
}

}  // namespace
}  // namespace rm::store
