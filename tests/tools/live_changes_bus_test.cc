// Live changes between processes (tools/live_changes.h over a store::ChangeBus, the
// payloads of tools/change_wire.h): a write on one process is heard by a listener of
// another exactly when that listener may read the memory (store::MayRead, decided by the
// receiving process) — a vendor that may not read it hears nothing; a change too big for
// one payload travels as its id and is re-read; a bus that lost messages ends every
// listener. Two LiveChanges over one store stand for the two processes, joined by an
// in-memory bus (the PostgreSQL bus itself: tests/postgres/pg_change_bus_test.cc).
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "tests/tools/memory_test_env.h"
#include "tools/change_wire.h"
#include "tools/live_changes.h"

namespace rm::testing {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

// One end of an in-memory bus; what it publishes is delivered to its peer on the peer's thread.
class FakeBus final : public store::ChangeBus {
 public:
  explicit FakeBus(std::size_t max_payload = 7900) : max_payload_(max_payload) {}
  ~FakeBus() override { Stop(); }
  void Link(FakeBus* peer) { peer_ = peer; }

  std::size_t max_payload() const override { return max_payload_; }
  void Publish(std::string payload) override {
    EXPECT_LE(payload.size(), max_payload_);
    ++published_;
    if (peer_) peer_->Deliver(std::move(payload));
  }
  void Start(Receiver receive, Lost lost) override {
    receive_ = std::move(receive);
    lost_ = std::move(lost);
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void Deliver(std::string payload) {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(payload));
    wake_.notify_all();
  }
  void SayLost() {
    std::lock_guard lock(mutex_);
    lost_due_ = true;
    wake_.notify_all();
  }
  int published() const { return published_; }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || lost_due_ || !queue_.empty(); });
      if (stop_) return;
      if (std::exchange(lost_due_, false)) {
        lock.unlock();
        lost_();
        lock.lock();
        continue;
      }
      std::string payload = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      receive_(payload);
      lock.lock();
    }
  }

  const std::size_t max_payload_;
  FakeBus* peer_ = nullptr;
  std::atomic<int> published_{0};
  Receiver receive_;
  Lost lost_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  bool lost_due_ = false;
  std::thread thread_;
};

class Recorder final : public mcp::ResourceListener {
 public:
  void Changed(const mcp::ResourceChanges& changes) override {
    std::lock_guard lock(mutex_);
    for (const auto& uri : changes.updated) updated_.push_back(uri);
    list_changed_ += changes.list_changed ? 1 : 0;
    changed_.notify_all();
  }
  void Dropped() override {
    std::lock_guard lock(mutex_);
    dropped_ = true;
    changed_.notify_all();
  }
  bool WaitForUpdate(std::chrono::milliseconds wait = 2s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [&] { return !updated_.empty(); });
  }
  bool WaitForDrop(std::chrono::milliseconds wait = 3s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, wait, [&] { return dropped_; });
  }
  std::vector<std::string> updated() {
    std::lock_guard lock(mutex_);
    return updated_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> updated_;
  int list_changed_ = 0;
  bool dropped_ = false;
};

// Process A is the environment's own service; process B a second feed over the same store.
class LiveChangesBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ada_ = env_.AddUser("ada@example.com", "pro");
    bob_ = env_.AddUser("bob@example.com", "pro");
    a_bus_ = std::make_shared<FakeBus>(max_payload_);
    b_bus_ = std::make_shared<FakeBus>(max_payload_);
    a_bus_->Link(b_bus_.get());
    b_bus_->Link(a_bus_.get());
    env_.service().live()->AttachBus(a_bus_);
    b_ = tools::LiveChanges::Create(env_.db(), {});
    b_->AttachBus(b_bus_);
  }
  void TearDown() override {
    a_bus_->Link(nullptr);  // b's end goes first
    handles_.clear();
    b_.reset();
  }

  std::shared_ptr<Recorder> ListenOnB(const std::string& user, std::optional<std::string> vendor) {
    auto recorder = std::make_shared<Recorder>();
    auto handle = b_->Listen({"key-" + user + vendor.value_or("owner"), std::nullopt, user, vendor}, recorder);
    EXPECT_TRUE(handle.ok());
    if (handle.ok()) handles_.push_back(*handle);
    return recorder;
  }

  std::string WriteOnA(const std::string& user, const std::string& vendor, json::array allowed) {
    auto client = env_.Connect(MemoryTestEnv::AgentKey(user, vendor));
    CallResult written = client->Call("write_memory", {{"title", "Roadmap"},
                                                        {"content", "What ships in June."},
                                                        {"allowed_vendors", std::move(allowed)}});
    EXPECT_FALSE(written.is_error) << written.error_message;
    return written.is_error ? "" : written.id();
  }

  std::size_t max_payload_ = 7900;
  MemoryTestEnv env_;
  std::string ada_, bob_;
  std::shared_ptr<FakeBus> a_bus_, b_bus_;
  std::shared_ptr<tools::LiveChanges> b_;
  std::vector<mcp::ListenHandle> handles_;
};

TEST_F(LiveChangesBusTest, AWriteOnOneProcessIsHeardOnAnotherOnlyByThoseWhoMayReadIt) {
  auto ada_cursor = ListenOnB(ada_, "cursor");
  auto ada_claude = ListenOnB(ada_, "claude");
  auto ada_owner = ListenOnB(ada_, std::nullopt);
  auto bob_cursor = ListenOnB(bob_, "cursor");
  const std::string id = WriteOnA(ada_, "cursor", {"cursor"});
  ASSERT_TRUE(ada_cursor->WaitForUpdate()) << "the write on A never reached B's listener";
  ASSERT_TRUE(ada_owner->WaitForUpdate());
  b_->Flush();
  EXPECT_EQ(ada_cursor->updated(), std::vector<std::string>{"memory://" + id});
  EXPECT_TRUE(ada_claude->updated().empty()) << "claude may not read a cursor-only memory";
  EXPECT_TRUE(bob_cursor->updated().empty()) << "bob may not read ada's memory";
}

TEST_F(LiveChangesBusTest, WritersCaptureChangesEvenWithNoListenerInTheirOwnProcess) {
  ASSERT_EQ(env_.service().live()->listeners(), 0u);
  EXPECT_TRUE(env_.service().live()->listening()) << "another process may be listening";
  auto ada = ListenOnB(ada_, std::nullopt);
  WriteOnA(ada_, "claude", {"*"});
  EXPECT_TRUE(ada->WaitForUpdate());
  EXPECT_GE(a_bus_->published(), 1);
}

TEST_F(LiveChangesBusTest, ABusThatLostMessagesEndsEveryListener) {
  auto ada = ListenOnB(ada_, std::nullopt);
  b_bus_->SayLost();
  EXPECT_TRUE(ada->WaitForDrop()) << "a listener that may have missed changes was kept";
  EXPECT_EQ(b_->listeners(), 0u);
}

class TinyPayloadBusTest : public LiveChangesBusTest {
 protected:
  TinyPayloadBusTest() { max_payload_ = 80; }  // no whole change fits: ids travel, B re-reads
};

TEST_F(TinyPayloadBusTest, AChangeTooBigForOnePayloadIsReReadAndStillFiltered) {
  auto ada_cursor = ListenOnB(ada_, "cursor");
  auto ada_claude = ListenOnB(ada_, "claude");
  const std::string id = WriteOnA(ada_, "cursor", {"cursor"});
  ASSERT_TRUE(ada_cursor->WaitForUpdate());
  b_->Flush();
  EXPECT_EQ(ada_cursor->updated(), std::vector<std::string>{"memory://" + id});
  EXPECT_TRUE(ada_claude->updated().empty());
}

TEST(ChangeWire, ChangesRoundTripInPayloadsThatFit) {
  std::vector<tools::MemoryChange> changes;
  for (int i = 0; i < 100; ++i) {
    store::MemoryAccess before{"m" + std::to_string(i), "u1", "org", std::nullopt, R"(["*"])", true};
    store::MemoryAccess after = before;
    after.allowed_vendors_json = R"(["claude"])";
    after.live = i % 2 == 0;
    changes.push_back({before.id, i % 3 == 0 ? std::nullopt : std::optional(before), after});
  }
  const auto payloads = tools::EncodeChanges(changes, 1000);
  ASSERT_GT(payloads.size(), 1u);
  std::vector<tools::MemoryChange> back;
  for (const std::string& p : payloads) {
    EXPECT_LE(p.size(), 1000u);
    auto decoded = tools::DecodeChanges(p);
    ASSERT_TRUE(decoded.has_value()) << p;
    EXPECT_TRUE(decoded->reread.empty());
    for (auto& c : decoded->changes) back.push_back(std::move(c));
  }
  ASSERT_EQ(back.size(), changes.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].memory_id, changes[i].memory_id);
    EXPECT_EQ(back[i].before, changes[i].before);
    EXPECT_EQ(back[i].after, changes[i].after);
  }
  EXPECT_FALSE(tools::DecodeChanges("not json").has_value());
  EXPECT_FALSE(tools::DecodeChanges(R"({"c":[{"i":1}]})").has_value());
}

}  // namespace
}  // namespace rm::testing
