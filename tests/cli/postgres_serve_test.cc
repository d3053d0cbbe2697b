// Two `serve --http` processes on one PostgreSQL database (issue 14), as a team would run
// them behind a load balancer: a client that alternates between them per request, in the
// stateless 2026-07-28 era, sees one store — writes, reads, search, request_id replays and
// the vendor filter agree whichever process answers.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "tests/cli/two_serve_processes.h"

namespace rm::testing {
namespace {
namespace json = boost::json;

class PostgresServeTest : public TwoServeProcesses {
 protected:
  void SetUp() override {
    TwoServeProcesses::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    claude_key_ = CreateKey("claude");
    cursor_key_ = CreateKey("cursor");
  }

  Key claude_key_, cursor_key_;
};

TEST_F(PostgresServeTest, AClientAlternatingBetweenTwoProcessesSeesOneStore) {
  json::object written = Call(0, claude_key_, "write_memory",
                              {{"title", "Deploy day"}, {"content", "The team moved the memory server to PostgreSQL."},
                               {"tags", {"ops"}}});
  ASSERT_FALSE(written.contains("is_error")) << json::serialize(written);
  const std::string id(written.at("memory").at("id").as_string());

  json::object read = Call(1, claude_key_, "get_memory_by_id", {{"id", id}});
  EXPECT_EQ(read.at("memory").at("title"), "Deploy day") << json::serialize(read);
  json::object updated = Call(1, claude_key_, "update_memory", {{"id", id}, {"title", "Deploy day (done)"}});
  ASSERT_FALSE(updated.contains("is_error")) << json::serialize(updated);
  json::object found = Call(0, claude_key_, "search_memories", {{"term", "postgresql server"}});
  ASSERT_FALSE(found.contains("is_error")) << json::serialize(found);
  ASSERT_EQ(found.at("results").as_array().size(), 1u) << json::serialize(found);
  EXPECT_EQ(found.at("results").as_array()[0].at("title"), "Deploy day (done)");
  json::object history = Call(0, claude_key_, "get_memory_versions", {{"id", id}});
  EXPECT_EQ(history.at("versions").as_array().size(), 1u) << json::serialize(history);
}

TEST_F(PostgresServeTest, ARequestIdSentToBothProcessesAtOnceAppliesOnce) {
  std::vector<json::object> replies(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      replies[static_cast<std::size_t>(i)] =
          Call(i % 2, claude_key_, "write_memory",
               {{"title", "Once"}, {"content", "Written once however often it is sent."}, {"request_id", "req-42"}});
    });
  }
  for (auto& t : threads) t.join();
  for (const json::object& r : replies) {
    ASSERT_FALSE(r.contains("is_error")) << json::serialize(r);
    EXPECT_EQ(r.at("memory").at("id"), replies[0].at("memory").at("id"));  // both got the first result
  }
  json::object list = Call(1, claude_key_, "read_memories", {});
  EXPECT_EQ(list.at("memories").as_array().size(), 1u) << json::serialize(list);
}

TEST_F(PostgresServeTest, TheVendorFilterHoldsWhicheverProcessAnswers) {
  json::object secret = Call(0, cursor_key_, "write_memory",
                             {{"title", "Cursor only"}, {"content", "A memory for cursor alone."},
                              {"allowed_vendors", {"cursor"}}});
  ASSERT_FALSE(secret.contains("is_error")) << json::serialize(secret);
  const std::string id(secret.at("memory").at("id").as_string());
  for (int which : {0, 1}) {
    json::object by_id = Call(which, claude_key_, "get_memory_by_id", {{"id", id}});
    EXPECT_TRUE(by_id.contains("is_error")) << json::serialize(by_id);
    EXPECT_EQ(by_id.at("error").at("code"), "not_found");
    json::object search = Call(which, claude_key_, "search_memories", {{"term", "cursor alone"}});
    EXPECT_EQ(search.at("results").as_array().size(), 0u) << json::serialize(search);
    json::object mine = Call(which, cursor_key_, "get_memory_by_id", {{"id", id}});
    EXPECT_FALSE(mine.contains("is_error")) << json::serialize(mine);
  }
}

}  // namespace
}  // namespace rm::testing
