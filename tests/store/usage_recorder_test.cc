// Metering in the store: RecordUsageBatch and UsageRecorder (reads' usage, committed in batches).
#include "store/usage_recorder.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "store/usage_daily.h"
#include "store/users.h"
#include "tests/store/both_engines.h"
#include "tests/store/temp_dir.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

// Every case runs on SQLite and on PostgreSQL (tests/store/both_engines.h).
class UsageRecorderTest : public rm::testing::BothEnginesTest {
 protected:
  void SetUp() override {
    rm::testing::BothEnginesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* email : {"ada@example.com", "bob@example.com"}) {
      ASSERT_TRUE(store().Write([&](Connection& c) {
                       Result<User> user = InsertUser(c, NewUser{email});
                       if (user.ok()) user_ids_.push_back(user->id);
                       return user.status();
                     }).ok());
    }
  }

  UsageEvent Event(int user, UsageOperation operation, const std::string& created_at) {
    UsageEvent event;
    event.id = NewTimeOrderedUuid();
    event.user_id = user_ids_.at(user);
    event.operation = operation;
    event.origin = "cursor";
    event.created_at = created_at;
    return event;
  }

  std::int64_t Scalar(const std::string& sql) {
    std::int64_t n = -1;
    Status s = store().Read([&](Connection& c) {
      Statement& q = c.Prepare(sql);
      Result<bool> row = q.Step();
      if (!row.ok()) return row.status();
      n = *row ? q.Int64(0) : 0;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return n;
  }

  MonthUsage Month(int user, const std::string& month) {
    MonthUsage usage;
    Status s = store().Read([&](Connection& c) {
      Result<MonthUsage> found = GetMonthUsage(c, user_ids_.at(user), month);
      if (found.ok()) usage = *found;
      return found.status();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return usage;
  }

  rm::testing::TempDir dir_;
  std::vector<std::string> user_ids_;
};
RM_ON_BOTH_ENGINES(UsageRecorderTest);

TEST_P(UsageRecorderTest, ABatchStoresEveryEventAndAddsThemUpPerUserAndMonth) {
  const std::vector<UsageEvent> events = {
      Event(0, UsageOperation::kMemoryRead, "2026-11-25T10:00:00.000Z"),
      Event(0, UsageOperation::kMemoryRead, "2026-11-25T10:00:00.001Z"),
      Event(0, UsageOperation::kQuery, "2026-11-30T23:59:59.999Z"),
      Event(0, UsageOperation::kMemoryWrite, "2026-12-01T00:00:00.000Z"),  // next month
      Event(1, UsageOperation::kQuery, "2026-11-25T10:00:00.002Z"),
  };
  ASSERT_TRUE(store().Write([&](Connection& c) { return RecordUsageBatch(c, events); }).ok());
  // One more event for the same month later adds to the same row.
  ASSERT_TRUE(store().Write([&](Connection& c) {
                   return RecordUsage(c, Event(0, UsageOperation::kMemoryRead, "2026-11-26T00:00:00.000Z"));
                 }).ok());

  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM usage_events"), 6);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM usage_events WHERE operation = 'query' AND origin = 'cursor'"), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM monthly_usage"), 3);
  const MonthUsage november = Month(0, "2026-11");
  EXPECT_EQ(november.reads, 3);
  EXPECT_EQ(november.queries, 1);
  EXPECT_EQ(november.writes, 0);
  EXPECT_EQ(november.total_ops, 4);
  EXPECT_EQ(Month(0, "2026-12").writes, 1);
  EXPECT_EQ(Month(0, "2026-12").total_ops, 1);
  EXPECT_EQ(Month(1, "2026-11").queries, 1);
}

// What the dashboard's usage page shows: calls per day and per origin (store/usage_daily.h).
TEST_P(UsageRecorderTest, DailyAndPerOriginUsageCountTheDaysAndMonthAsked) {
  std::vector<UsageEvent> events = {
      Event(0, UsageOperation::kMemoryRead, "2026-10-31T23:59:59.999Z"),  // before the range
      Event(0, UsageOperation::kMemoryRead, "2026-11-01T00:00:00.000Z"),
      Event(0, UsageOperation::kQuery, "2026-11-01T23:59:59.999Z"),
      Event(0, UsageOperation::kMemoryWrite, "2026-11-03T12:00:00.000Z"),
      Event(0, UsageOperation::kMemoryWrite, "2026-11-04T00:00:00.000Z"),  // after the range
      Event(1, UsageOperation::kQuery, "2026-11-01T10:00:00.000Z"),        // another user
  };
  events[3].origin = "claude";
  ASSERT_TRUE(store().Write([&](Connection& c) { return RecordUsageBatch(c, events); }).ok());
  std::vector<DayUsage> days;
  std::vector<OriginUsage> origins;
  ASSERT_TRUE(store().Read([&](Connection& c) {
    Result<std::vector<DayUsage>> d = DailyUsage(c, user_ids_.at(0), "2026-11-01", "2026-11-03");
    if (!d.ok()) return d.status();
    days = *d;
    Result<std::vector<OriginUsage>> o = MonthUsageByOrigin(c, user_ids_.at(0), "2026-11");
    if (!o.ok()) return o.status();
    origins = *o;
    return Status::Ok();
  }).ok());
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].day, "2026-11-01");
  EXPECT_EQ(days[0].usage.reads, 1);
  EXPECT_EQ(days[0].usage.queries, 1);
  EXPECT_EQ(days[1].day, "2026-11-03");
  EXPECT_EQ(days[1].usage.writes, 1);
  ASSERT_EQ(origins.size(), 2u);  // claude, cursor
  EXPECT_EQ(origins[0].origin, "claude");
  EXPECT_EQ(origins[0].usage.writes, 1);
  EXPECT_EQ(origins[1].origin, "cursor");
  EXPECT_EQ(origins[1].usage.total_ops, 3);  // Nov 1 read + query, Nov 4 write; not Oct 31
}

TEST_P(UsageRecorderTest, AFailedBatchLeavesNoEventAndNoCount) {
  std::vector<UsageEvent> events = {Event(0, UsageOperation::kMemoryRead, "2026-11-25T10:00:00.000Z"),
                                    Event(0, UsageOperation::kMemoryRead, "2026-11-25T10:00:00.001Z")};
  events[1].user_id = "no-such-user";  // the foreign key fails on the second insert
  EXPECT_FALSE(store().Write([&](Connection& c) { return RecordUsageBatch(c, events); }).ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM usage_events"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM monthly_usage"), 0);
}

TEST_P(UsageRecorderTest, EveryEventRecordedFromManyThreadsIsCountedAfterFlush) {
  UsageRecorder recorder(store());
  constexpr int kThreads = 4, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        recorder.Record(Event(t % 2, i % 2 ? UsageOperation::kQuery : UsageOperation::kMemoryRead,
                              "2026-11-25T10:00:00.000Z"));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  recorder.Flush();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM usage_events"), kThreads * kEach);
  for (int user = 0; user < 2; ++user) {
    const MonthUsage usage = Month(user, "2026-11");
    EXPECT_EQ(usage.total_ops, kThreads * kEach / 2);
    EXPECT_EQ(usage.reads, kThreads * kEach / 4);
    EXPECT_EQ(usage.queries, kThreads * kEach / 4);
  }
}

TEST_P(UsageRecorderTest, EventsStillQueuedWhenTheRecorderGoesAreCommitted) {
  {
    UsageRecorder recorder(store());
    for (int i = 0; i < 50; ++i) recorder.Record(Event(0, UsageOperation::kMemoryRead, "2026-11-25T10:00:00.000Z"));
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM usage_events"), 50);
  EXPECT_EQ(Month(0, "2026-11").reads, 50);
}

}  // namespace
}  // namespace rm::store
