// PgChangeBus against a real PostgreSQL: what one bus publishes reaches every other bus
// on the database (as two server processes would have), never its own sender, in order;
// a dropped connection comes back by itself and says that messages may have been lost.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_change_bus.h"
#include "store/postgres/pg_connection.h"
#include "tests/postgres/throwaway_postgres.h"

namespace rm::store::postgres {
namespace {

using namespace std::chrono_literals;

// What one bus received.
class Inbox {
 public:
  void Add(std::string_view payload) {
    std::lock_guard lock(mutex_);
    got_.emplace_back(payload);
    changed_.notify_all();
  }
  void Lost() {
    std::lock_guard lock(mutex_);
    ++lost_;
    changed_.notify_all();
  }
  bool WaitFor(std::size_t count, std::chrono::milliseconds wait = 5s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [&] { return got_.size() >= count; });
  }
  bool WaitForLost(std::chrono::milliseconds wait = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [&] { return lost_ > 0; });
  }
  std::vector<std::string> got() {
    std::lock_guard lock(mutex_);
    return got_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> got_;
  int lost_ = 0;
};

class PgChangeBusTest : public rm::testing::ThrowawayPostgres {
 protected:
  std::unique_ptr<PgChangeBus> StartBus(Inbox& inbox) {
    auto bus = std::make_unique<PgChangeBus>(conninfo_, "rm_test_changes");
    bus->Start([&inbox](std::string_view p) { inbox.Add(p); }, [&inbox] { inbox.Lost(); });
    for (int i = 0; i < 100 && !bus->connected(); ++i) std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(bus->connected());
    return bus;
  }
};

TEST_F(PgChangeBusTest, APublishedPayloadReachesTheOtherProcessButNotItsSender) {
  Inbox a_inbox, b_inbox;
  auto a = StartBus(a_inbox);
  auto b = StartBus(b_inbox);
  const auto sent = std::chrono::steady_clock::now();
  a->Publish("first");
  a->Publish("second");
  ASSERT_TRUE(b_inbox.WaitFor(2));
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s);
  EXPECT_EQ(b_inbox.got(), (std::vector<std::string>{"first", "second"}));
  b->Publish("back");
  ASSERT_TRUE(a_inbox.WaitFor(1));
  std::this_thread::sleep_for(200ms);  // time for an echo of a's own payloads, were there one
  EXPECT_EQ(a_inbox.got(), (std::vector<std::string>{"back"}));
  EXPECT_EQ(b_inbox.got().size(), 2u);
}

TEST_F(PgChangeBusTest, APayloadAsBigAsItPromisesTravels) {
  Inbox a_inbox, b_inbox;
  auto a = StartBus(a_inbox);
  auto b = StartBus(b_inbox);
  const std::string big(a->max_payload(), 'x');
  a->Publish(big);
  ASSERT_TRUE(b_inbox.WaitFor(1));
  EXPECT_EQ(b_inbox.got().at(0), big);
}

TEST_F(PgChangeBusTest, ADroppedConnectionComesBackAndSaysMessagesMayBeLost) {
  Inbox a_inbox, b_inbox;
  auto a = StartBus(a_inbox);
  auto b = StartBus(b_inbox);
  // What an outage or a failover does to the listening session.
  auto admin = PgConnection::Open(conninfo_);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
                  .ok());
  ASSERT_TRUE(b_inbox.WaitForLost()) << "b never noticed its connection was gone";
  for (int i = 0; i < 250 && !(a->connected() && b->connected()); ++i) std::this_thread::sleep_for(20ms);
  a->Publish("after");
  ASSERT_TRUE(b_inbox.WaitFor(1, 10s));
  EXPECT_EQ(b_inbox.got().back(), "after");
}

TEST_F(PgChangeBusTest, StopEndsTheThreadAndNothingIsDeliveredAfter) {
  Inbox a_inbox, b_inbox;
  auto a = StartBus(a_inbox);
  auto b = StartBus(b_inbox);
  b->Stop();
  a->Publish("late");
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(b_inbox.got().empty());
}

}  // namespace
}  // namespace rm::store::postgres
