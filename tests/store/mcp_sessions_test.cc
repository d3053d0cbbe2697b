// Handshake-era MCP sessions in the store (store/mcp_sessions.h, migration 14), on both
// engines: saved, found until idle, touched, deleted — and an idle one is gone for every
// function, whichever engine holds it.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "store/mcp_sessions.h"
#include "tests/store/both_engines.h"
#include "util/clock.h"

namespace rm::store {
namespace {

using std::chrono::minutes;
using Clock = std::chrono::system_clock;

class McpSessionsTest : public rm::testing::BothEnginesTest {
 protected:
  std::string At(minutes ago) { return FormatUtc(now_ - ago); }

  Status Save(const McpSessionRow& row, minutes ago = minutes(0)) {
    return store().Write([&](Connection& c) { return SaveMcpSession(c, row, At(ago)); });
  }
  std::optional<McpSessionRow> Find(const std::string& id, minutes idle = minutes(30)) {
    auto found = ReadValue<std::optional<McpSessionRow>>(
        store(), [&](Connection& c) { return FindMcpSession(c, id, At(idle)); });
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }
  bool Touch(const std::string& id, minutes idle = minutes(30)) {
    auto alive = WriteValue<bool>(store(), [&](Connection& c) { return TouchMcpSession(c, id, At(minutes(0)), At(idle)); });
    EXPECT_TRUE(alive.ok()) << alive.status().ToString();
    return alive.ok() && *alive;
  }

  static McpSessionRow Row(const std::string& id) {
    return {id, "cred-hash", "user-1", "2025-06-18", "claude-code", R"({"roots":{"listChanged":true}})"};
  }

  Clock::time_point now_ = Clock::now();
};

TEST_P(McpSessionsTest, ASavedSessionIsFoundWithWhatInitializeNegotiated) {
  ASSERT_TRUE(Save(Row("s1")).ok());
  std::optional<McpSessionRow> found = Find("s1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->credential_hash, "cred-hash");
  EXPECT_EQ(found->user_id, "user-1");
  EXPECT_EQ(found->protocol_version, "2025-06-18");
  EXPECT_EQ(found->client_name, "claude-code");
  EXPECT_EQ(found->client_capabilities_json, R"({"roots":{"listChanged":true}})");
  EXPECT_FALSE(Find("s2").has_value());
}

TEST_P(McpSessionsTest, AnIdleSessionIsGoneAndATouchKeepsOneAlive) {
  ASSERT_TRUE(Save(Row("old"), minutes(40)).ok());
  ASSERT_TRUE(Save(Row("used"), minutes(20)).ok());
  EXPECT_FALSE(Find("old").has_value());
  EXPECT_FALSE(Touch("old"));  // too late to revive
  EXPECT_TRUE(Touch("used"));
  // Used just now: still there with a 10-minute idle timeout, which it would not have survived.
  EXPECT_TRUE(Find("used", minutes(10)).has_value());
  auto swept = WriteValue<std::int64_t>(store(), [&](Connection& c) { return DeleteIdleMcpSessions(c, At(minutes(30))); });
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_TRUE(Find("used").has_value());
}

TEST_P(McpSessionsTest, ADeletedSessionIsGone) {
  ASSERT_TRUE(Save(Row("s1")).ok());
  auto deleted = WriteValue<bool>(store(), [](Connection& c) { return DeleteMcpSession(c, "s1"); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(Find("s1").has_value());
  EXPECT_FALSE(Touch("s1"));
  auto again = WriteValue<bool>(store(), [](Connection& c) { return DeleteMcpSession(c, "s1"); });
  EXPECT_FALSE(*again);
}

RM_ON_BOTH_ENGINES(McpSessionsTest);

}  // namespace
}  // namespace rm::store
