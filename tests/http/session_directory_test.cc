// Sessions shared through a SessionDirectory (transports/http/session_directory.h), as two
// server processes on one store share them: two registries and endpoints over one
// in-memory directory. A session initialized on one is continued on the other, already
// initialized and with what initialize negotiated; it stays bound to its credential; a
// DELETE or an eviction on one is 404 on the other within the re-check interval; idleness
// on one process forgets only its copy.
#include <gtest/gtest.h>
#include <algorithm>

#include <map>
#include <mutex>

#include <boost/json/parse.hpp>

#include "tests/mcp/fixture_server.h"
#include "transports/http/mcp_endpoint.h"
#include "transports/http/session_directory.h"
#include "transports/http/session_registry.h"
#include "util/crypto.h"

namespace http_test {
namespace {

using namespace std::chrono_literals;
using transports::http::McpCall;
using transports::http::McpEndpoint;
using transports::http::SessionDirectory;
using transports::http::SessionRegistry;

// The database table, in memory.
class MemoryDirectory final : public SessionDirectory {
 public:
  bool Save(const std::string& id_hash, const Entry& entry) override {
    std::lock_guard lock(mutex_);
    if (down_) return false;
    rows_[id_hash] = entry;
    return true;
  }
  std::optional<Entry> Find(const std::string& id_hash) override {
    std::lock_guard lock(mutex_);
    ++finds_;
    auto it = rows_.find(id_hash);
    if (it == rows_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<bool> Touch(const std::string& id_hash) override {
    std::lock_guard lock(mutex_);
    ++touches_;
    return rows_.count(id_hash) > 0;
  }
  void Remove(const std::string& id_hash) override {
    std::lock_guard lock(mutex_);
    rows_.erase(id_hash);
  }
  std::size_t RemoveIdle() override { return 0; }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return rows_.size();
  }
  bool Has(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    return rows_.count(rm::Sha256Hex(session_id)) > 0;
  }
  std::map<std::string, Entry> rows() {
    std::lock_guard lock(mutex_);
    return rows_;
  }
  int touches() {
    std::lock_guard lock(mutex_);
    return touches_;
  }
  // Saves fail, as when the database is unreachable.
  void SetDown(bool down) {
    std::lock_guard lock(mutex_);
    down_ = down;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Entry> rows_;
  int finds_ = 0;
  int touches_ = 0;
  bool down_ = false;
};

transports::http::Request McpRequest(std::string method, std::string body, std::string_view session_id = {}) {
  transports::http::Request request;
  request.method = std::move(method);
  request.target = "/mcp";
  request.accept = "application/json, text/event-stream";
  request.content_type = "application/json";
  request.session_id = session_id;
  request.body = std::move(body);
  return request;
}

const transports::Credential kAlice{std::string("alice"), "key-a", "alice"};
const transports::Credential kBob{std::string("bob"), "key-b", "bob"};

// One "process": its own registry and endpoint, the shared directory.
struct Process {
  Process(const mcp::ServerDefinition& server, std::shared_ptr<SessionDirectory> directory,
          SessionRegistry::Clock::duration recheck = 1s)
      : sessions({.total = 8, .per_key = 2}, 60s, std::move(directory), recheck),
        endpoint(server, sessions, nullptr, transports::http::Reply{403, "", "", {}}) {}

  // POSTs `body`; the JSON-RPC response, or the HTTP status of a reply given at once.
  std::variant<boost::json::object, int> Post(const std::string& body, const std::string& session_id,
                                              const transports::Credential& who = kAlice) {
    auto request = McpRequest("POST", body, session_id);
    auto posted = endpoint.Post(request, who);
    if (auto* reply = std::get_if<transports::http::Reply>(&posted)) return reply->status;
    McpCall call = std::get<McpCall>(std::move(posted));
    auto result = endpoint.Run(call, {});
    if (!call.session_id.empty()) last_session_id = call.session_id;
    return boost::json::parse(result.message.value_or("{}")).as_object();
  }
  std::string Initialize(const transports::Credential& who = kAlice) {
    Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
         R"("capabilities":{"roots":{}},"clientInfo":{"name":"test-client","version":"1"}}})",
         "", who);
    return last_session_id;
  }

  SessionRegistry sessions;
  McpEndpoint endpoint;
  std::string last_session_id;
};

const std::string kToolsList = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";

bool IsResult(const std::variant<boost::json::object, int>& r) {
  return std::holds_alternative<boost::json::object>(r) && std::get<boost::json::object>(r).contains("result");
}
int StatusOf(const std::variant<boost::json::object, int>& r) {
  return std::holds_alternative<int>(r) ? std::get<int>(r) : 200;
}

TEST(SessionDirectory, ASessionInitializedOnOneProcessIsContinuedOnAnother) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  auto directory = std::make_shared<MemoryDirectory>();
  Process a(*server, directory), b(*server, directory);
  const std::string id = a.Initialize();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(directory->size(), 1u);
  // Only hashes are kept: neither the session id nor the credential id.
  const auto rows = directory->rows();
  EXPECT_EQ(rows.begin()->first, rm::Sha256Hex(id));
  EXPECT_EQ(rows.begin()->second.credential_hash, rm::Sha256Hex("key-a"));
  EXPECT_EQ(rows.begin()->second.state.protocol_version, "2025-06-18");
  EXPECT_EQ(rows.begin()->second.state.client_name, "test-client");
  EXPECT_TRUE(rows.begin()->second.state.client_capabilities.contains("roots"));

  auto listed = b.Post(kToolsList, id);
  ASSERT_TRUE(IsResult(listed)) << StatusOf(listed);
  EXPECT_EQ(b.sessions.size(), 1u);
  EXPECT_TRUE(IsResult(a.Post(kToolsList, id)));  // and still on a
}

// A session the other processes could not find (its save failed: the database is down)
// is refused at once with 503 and no Mcp-Session-Id, and nothing of it stays open; the
// client retries initialize and gets a session every process knows.
TEST(SessionDirectory, AnInitializeWhoseSessionCannotBeRecordedIs503AndOpensNothing) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  auto directory = std::make_shared<MemoryDirectory>();
  Process a(*server, directory), b(*server, directory);
  directory->SetDown(true);
  auto request = McpRequest("POST", R"({"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":)"
                                    R"("2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}})");
  auto posted = a.endpoint.Post(request, kAlice);
  ASSERT_TRUE(std::holds_alternative<McpCall>(posted));
  McpCall call = std::get<McpCall>(std::move(posted));
  auto result = a.endpoint.Run(call, {});
  EXPECT_EQ(result.status, 503);
  for (const auto& [name, value] : result.headers) EXPECT_NE(name, "Mcp-Session-Id") << value;
  EXPECT_EQ(std::ranges::count(result.headers, transports::http::Header{"Retry-After", "1"}), 1)
      << "a client is told when to try again, as with every other 503";
  boost::json::object answer = boost::json::parse(result.message.value_or("{}")).as_object();
  EXPECT_EQ(answer["id"], 7);
  ASSERT_TRUE(answer.contains("error")) << result.message.value_or("");
  EXPECT_NE(std::string(answer["error"].at("message").as_string()).find("retry"), std::string::npos);
  EXPECT_EQ(a.sessions.size(), 0u);
  EXPECT_EQ(StatusOf(a.Post(kToolsList, call.session_id)), 404);

  directory->SetDown(false);
  const std::string id = a.Initialize();
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(IsResult(b.Post(kToolsList, id)));
}

TEST(SessionDirectory, AnotherCredentialFindsNoSessionOnAnyProcess) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  auto directory = std::make_shared<MemoryDirectory>();
  Process a(*server, directory), b(*server, directory);
  const std::string id = a.Initialize();
  EXPECT_EQ(StatusOf(b.Post(kToolsList, id, kBob)), 404);
  EXPECT_EQ(StatusOf(a.Post(kToolsList, id, kBob)), 404);
  EXPECT_TRUE(IsResult(b.Post(kToolsList, id)));  // the owner still can
}

TEST(SessionDirectory, ADeleteOnOneProcessIsA404OnTheOtherWithinTheRecheckInterval) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  auto directory = std::make_shared<MemoryDirectory>();
  Process a(*server, directory, 50ms), b(*server, directory, 50ms);
  const std::string id = a.Initialize();
  ASSERT_TRUE(IsResult(b.Post(kToolsList, id)));  // b holds a copy now
  auto request = McpRequest("DELETE", "", id);
  EXPECT_EQ(a.endpoint.Delete(request, kAlice).status, 204);
  EXPECT_FALSE(directory->Has(id));
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(StatusOf(b.Post(kToolsList, id)), 404);
  EXPECT_EQ(StatusOf(a.Post(kToolsList, id)), 404);
}

TEST(SessionDirectory, AnEvictionForTheKeyCapIsGoneEverywhere) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  auto directory = std::make_shared<MemoryDirectory>();
  Process a(*server, directory);
  const std::string first = a.Initialize();
  a.Initialize();
  a.Initialize();  // per_key = 2: the first, least recently used, is evicted
  EXPECT_FALSE(directory->Has(first));
  EXPECT_EQ(directory->size(), 2u);
  Process b(*server, directory);
  EXPECT_EQ(StatusOf(b.Post(kToolsList, first)), 404);
}

TEST(SessionDirectory, IdlenessOnOneProcessForgetsOnlyItsOwnCopy) {
  mcp::ServerDefinition definition;
  auto directory = std::make_shared<MemoryDirectory>();
  SessionRegistry sessions({.total = 8}, 10s, directory);
  auto make = [&] { return std::make_shared<mcp::Session>(definition, std::any(), [](std::string) {}); };
  auto restore = [&](const mcp::SessionState& state) {
    return std::make_shared<mcp::Session>(definition, std::any(), [](std::string) {}, state);
  };
  const auto t0 = SessionRegistry::Clock::now();
  auto created = std::get<SessionRegistry::Created>(sessions.Create("key-a", "user-a", make, t0));
  EXPECT_TRUE(sessions.Persist(created.id, "key-a"));
  EXPECT_EQ(sessions.CloseIdle(t0 + 11s), 1u);
  EXPECT_EQ(sessions.size(), 0u);
  EXPECT_TRUE(directory->Has(created.id)) << "another process may still be using it";
  // Found again from the directory (which judges idleness by every process's use).
  EXPECT_NE(sessions.Find(created.id, "key-a", t0 + 12s, restore), nullptr);
}

TEST(SessionDirectory, AHeldSessionIsRecheckedAtMostOncePerInterval) {
  auto server = fixture::MakeServer(std::make_shared<fixture::Observations>());
  auto directory = std::make_shared<MemoryDirectory>();
  Process a(*server, directory, 1h);
  const std::string id = a.Initialize();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(IsResult(a.Post(kToolsList, id)));
  EXPECT_EQ(directory->touches(), 0) << "a session used often costs no database write per request";
}

TEST(SessionDirectory, WithoutADirectoryNothingChanges) {
  mcp::ServerDefinition definition;
  SessionRegistry sessions({.total = 8}, 10s);
  auto make = [&] { return std::make_shared<mcp::Session>(definition, std::any(), [](std::string) {}); };
  const auto t0 = SessionRegistry::Clock::now();
  auto created = std::get<SessionRegistry::Created>(sessions.Create("key-a", "user-a", make, t0));
  EXPECT_TRUE(sessions.Persist(created.id, "key-a"));  // a no-op, which nothing refuses
  EXPECT_EQ(sessions.Find("unknown", "key-a", t0, [&](const mcp::SessionState&) { return make(); }), nullptr);
  EXPECT_EQ(sessions.CloseIdle(t0 + 11s), 1u);
  EXPECT_EQ(sessions.Find(created.id, "key-a", t0 + 12s), nullptr);
}

}  // namespace
}  // namespace http_test
