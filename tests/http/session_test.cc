// Sessions and the Streamable HTTP rules of /mcp: ids, binding to keys, expiry, limits,
// the protocol version header, 202 for notifications, 405 and DELETE.
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace http_test {
namespace {

using namespace std::chrono_literals;

TEST(HttpSession, InitializeReturnsA128BitHexSessionId) {
  TestServer server;
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Client client(server.port());
    Response r = client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    const std::string id = r.header("mcp-session-id");
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ids.insert(id);
    EXPECT_EQ(r.json().at("result").at("protocolVersion"), "2025-11-25");
  }
  EXPECT_EQ(ids.size(), 3u);
}

TEST(HttpSession, NotificationsGet202WithNoBody) {
  TestServer server;
  Client client(server.port());
  Response init = client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
  Response r = client.Send("POST", "/mcp", McpHeaders(kAliceKey, init.header("mcp-session-id"), "2025-11-25"),
                           NotificationJson("notifications/initialized"));
  EXPECT_EQ(r.status, 202);
  EXPECT_TRUE(r.body.empty());
}

TEST(HttpSession, UnknownSessionIs404) {
  TestServer server;
  Client client(server.port());
  Response r = CallTool(client, kAliceKey, "0123456789abcdef0123456789abcdef", "whoami");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json().at("error").at("code"), -32001);
}

TEST(HttpSession, SessionPresentedWithAnotherKeyIs404) {
  TestServer server;
  Client alice(server.port());
  const std::string session = OpenSession(alice, kAliceKey);
  Client bob(server.port());
  EXPECT_EQ(CallTool(bob, kBobKey, session, "whoami").status, 404);
  EXPECT_EQ(bob.Send("DELETE", "/mcp", {{"Authorization", std::string("Bearer ") + kBobKey}, {"Mcp-Session-Id", session}})
                .status,
            404);
  // Bob's attempts did not harm Alice's session.
  EXPECT_EQ(CallTool(alice, kAliceKey, session, "whoami").status, 200);
}

TEST(HttpSession, MissingSessionIdIs400) {
  TestServer server;
  Client client(server.port());
  Response r = client.Send("POST", "/mcp", McpHeaders(kAliceKey), RequestJson(5, "tools/list"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Mcp-Session-Id"), std::string::npos);
}

TEST(HttpSession, UnsupportedProtocolVersionHeaderIs400AndAbsentIsAccepted) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response bad = client.Send("POST", "/mcp", McpHeaders(kAliceKey, session, "1999-01-01"), RequestJson(3, "tools/list"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("1999-01-01"), std::string::npos);
  // Without the header the server assumes 2025-03-26, which it speaks.
  Response absent = client.Send("POST", "/mcp", McpHeaders(kAliceKey, session), RequestJson(4, "tools/list"));
  EXPECT_EQ(absent.status, 200) << absent.body;
}

TEST(HttpSession, DeleteEndsTheSession) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response r = client.Send("DELETE", "/mcp", {{"Authorization", std::string("Bearer ") + kAliceKey}, {"Mcp-Session-Id", session}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 404);
}

TEST(HttpSession, GetIs405WithAllow) {
  TestServer server;
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  Response r = client.Send("GET", "/mcp",
                           {{"Authorization", std::string("Bearer ") + kAliceKey},
                            {"Accept", "text/event-stream"},
                            {"Mcp-Session-Id", session}});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "POST, DELETE");
}

TEST(HttpSession, IdleSessionsExpire) {
  transports::HttpOptions options = TestOptions();
  options.session_idle_timeout = 1s;
  TestServer server(options);
  Client client(server.port());
  const std::string session = OpenSession(client, kAliceKey);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 200);  // use resets the clock
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 200);
  std::this_thread::sleep_for(1300ms);
  EXPECT_EQ(CallTool(client, kAliceKey, session, "whoami").status, 404);
}

TEST(HttpSession, TooManySessionsIs503) {
  transports::HttpOptions options = TestOptions();
  options.max_sessions = 2;
  TestServer server(options);
  Client client(server.port());
  EXPECT_EQ(client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson()).status, 200);
  EXPECT_EQ(client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson()).status, 200);
  Response full = client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
  EXPECT_EQ(full.status, 503);
  EXPECT_FALSE(full.header("retry-after").empty());
}

// Issue 20, item 3: one user's keys could fill the whole session table (10,000 sessions in
// 18 s within the rate limit), and every other user's initialize then got 503 for 30 minutes.
// A key now holds at most 64 sessions (HttpOptions::max_sessions_per_key), so however many
// initializes one key sends, it cannot take the table from anyone else.
TEST(HttpSession, OneKeyOpeningSessionsBeyondItsCapDoesNotLockOutOtherUsers) {
  transports::HttpOptions options = TestOptions();
  options.max_sessions = 100;  // above the per-key cap (64), below what the key asks for
  TestServer server(options);
  Client alice(server.port());
  for (int i = 0; i < 150; ++i) {
    Response r = alice.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
    ASSERT_EQ(r.status, 200) << "initialize #" << i << ": " << r.body;
  }
  Client bob(server.port());
  Response r = bob.Send("POST", "/mcp", McpHeaders(kBobKey), InitializeJson());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.header("mcp-session-id").empty());
}

// The session a key loses to its cap is its least recently used one, and its next request
// gets 404, which tells the client to initialize again (MCP Streamable HTTP).
TEST(HttpSession, AKeyOverItsSessionCapLosesItsLeastRecentlyUsedSession) {
  TestServer server;  // default caps: 64 sessions per key
  Client client(server.port());
  Client bob(server.port());
  const std::string bobs = OpenSession(bob, kBobKey);
  const std::string first = OpenSession(client, kAliceKey);
  const std::string second = OpenSession(client, kAliceKey);
  ASSERT_EQ(CallTool(client, kAliceKey, first, "whoami").status, 200);  // `second` is now the idlest
  std::string newest;
  for (int i = 0; i < 63; ++i) newest = OpenSession(client, kAliceKey);  // 65 sessions asked for

  Response evicted = CallTool(client, kAliceKey, second, "whoami");
  EXPECT_EQ(evicted.status, 404) << evicted.body;
  EXPECT_EQ(evicted.json().at("error").at("code"), -32001);
  EXPECT_EQ(CallTool(client, kAliceKey, first, "whoami").status, 200);
  EXPECT_EQ(CallTool(client, kAliceKey, newest, "whoami").status, 200);
  EXPECT_EQ(CallTool(bob, kBobKey, bobs, "whoami").status, 200);  // another key's sessions are untouched
  // The client re-initializes and goes on.
  EXPECT_EQ(client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson()).status, 200);
}

// A user's keys share one cap too: five keys of one user cannot hold five times the key cap.
// At the user's cap the user's least recently used idle session goes, whichever key opened it.
TEST(HttpSession, AUsersKeysShareTheUserCap) {
  transports::HttpOptions options = TestOptions();
  options.max_sessions_per_key = 2;
  options.max_sessions_per_user = 3;
  TestServer server(options);
  server.keys().Add(kAliceSecondKey, "key-alice-2", "alice");
  Client client(server.port());
  Client bob(server.port());
  const std::string bobs = OpenSession(bob, kBobKey);
  const std::string first = OpenSession(client, kAliceKey);
  const std::string second = OpenSession(client, kAliceKey);
  const std::string third = OpenSession(client, kAliceSecondKey);
  const std::string fourth = OpenSession(client, kAliceSecondKey);  // the user's 4th: `first` goes

  EXPECT_EQ(CallTool(client, kAliceKey, first, "whoami").status, 404);
  EXPECT_EQ(CallTool(client, kAliceKey, second, "whoami").status, 200);
  EXPECT_EQ(CallTool(client, kAliceSecondKey, third, "whoami").status, 200);
  EXPECT_EQ(CallTool(client, kAliceSecondKey, fourth, "whoami").status, 200);
  EXPECT_EQ(CallTool(bob, kBobKey, bobs, "whoami").status, 200);
}

// When every session of a key at its cap is running a request, none is closed under it: the
// new initialize is refused with 429, for that key only, and succeeds once one is idle again.
TEST(HttpSession, AKeyAtItsCapWithEverySessionBusyIsRefusedAloneWith429) {
  transports::HttpOptions options = TestOptions();
  options.max_sessions_per_key = 1;
  TestServer server(options);
  Client client(server.port());
  const std::string busy = OpenSession(client, kAliceKey);
  auto in_flight = std::async(std::launch::async, [&] { return CallTool(client, kAliceKey, busy, "slow", {{"ms", 800}}); });
  while (server.observations().slow_started.load() == 0) std::this_thread::sleep_for(5ms);

  Client other(server.port());
  Response refused = other.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson());
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_NE(refused.body.find("sessions for this API key"), std::string::npos) << refused.body;
  EXPECT_EQ(other.Send("POST", "/mcp", McpHeaders(kBobKey), InitializeJson()).status, 200);  // others are served

  Response slow = in_flight.get();
  EXPECT_EQ(slow.status, 200) << "the busy session was not closed under its request";
  EXPECT_EQ(other.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson()).status, 200);
  EXPECT_EQ(CallTool(client, kAliceKey, busy, "whoami").status, 404);  // now idle, it made room
}

TEST(HttpSession, FailedInitializeOpensNoSession) {
  transports::HttpOptions options = TestOptions();
  options.max_sessions = 1;
  TestServer server(options);
  Client client(server.port());
  // No protocolVersion: a JSON-RPC error, and the slot stays free.
  Response bad = client.Send("POST", "/mcp", McpHeaders(kAliceKey), RequestJson(1, "initialize", {{"capabilities", boost::json::object{}}}));
  EXPECT_EQ(bad.status, 200);
  EXPECT_TRUE(bad.json().as_object().contains("error"));
  EXPECT_TRUE(bad.header("mcp-session-id").empty());
  EXPECT_EQ(client.Send("POST", "/mcp", McpHeaders(kAliceKey), InitializeJson()).status, 200);
}

TEST(HttpSession, MalformedBodiesAre400) {
  TestServer server;
  Client client(server.port());
  Response parse = client.Send("POST", "/mcp", McpHeaders(kAliceKey), "{not json");
  EXPECT_EQ(parse.status, 400);
  EXPECT_EQ(parse.json().at("error").at("code"), -32700);

  const std::string session = OpenSession(client, kAliceKey);
  Response invalid = client.Send("POST", "/mcp", McpHeaders(kAliceKey, session, "2025-11-25"), R"({"jsonrpc":"2.0"})");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.json().at("error").at("code"), -32600);
}

TEST(HttpSession, WrongContentTypeIs415AndUnacceptableAcceptIs406) {
  TestServer server;
  Client client(server.port());
  Headers text = {{"Authorization", std::string("Bearer ") + kAliceKey}, {"Content-Type", "text/plain"}};
  EXPECT_EQ(client.Send("POST", "/mcp", text, InitializeJson()).status, 415);
  Headers xml = {{"Authorization", std::string("Bearer ") + kAliceKey},
                 {"Content-Type", "application/json"},
                 {"Accept", "application/xml"}};
  EXPECT_EQ(client.Send("POST", "/mcp", xml, InitializeJson()).status, 406);
}

TEST(HttpSession, UnknownPathsAre404) {
  TestServer server;
  Client client(server.port());
  EXPECT_EQ(client.Send("POST", "/other", McpHeaders(kAliceKey), InitializeJson()).status, 404);
}

}  // namespace
}  // namespace http_test
