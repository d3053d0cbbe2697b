// An HttpServer started in-process for tests, on a free loopback port, serving the
// test-only fixture tools (tests/mcp/fixture_server.h) to the keys of a FakeKeys.
#pragma once

#include <any>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/http/http_test_client.h"
#include "tests/mcp/fixture_server.h"
#include "transports/http/http_server.h"

namespace http_test {

// Bearer keys as the application's store would resolve them; revocable at any time.
class FakeKeys {
 public:
  // The principal handed to sessions is the string `user` (the fixture's whoami shows it),
  // which is also the key's user id (sessions are capped per user).
  void Add(const std::string& token, const std::string& key_id, const std::string& user) {
    std::lock_guard lock(mutex_);
    keys_[token] = transports::Credential{std::any(user), key_id, user};
  }
  void AddCredential(const std::string& token, transports::Credential credential) {
    std::lock_guard lock(mutex_);
    keys_[token] = std::move(credential);
  }
  void Revoke(const std::string& token) {
    std::lock_guard lock(mutex_);
    keys_.erase(token);
  }
  int lookups() const { return lookups_.load(); }
  // While true, every lookup fails as when the database is down.
  void SetUnavailable(bool unavailable) { unavailable_ = unavailable; }

  transports::Authenticator authenticator() {
    return [this](std::string_view token) -> transports::AuthAnswer {
      ++lookups_;
      if (unavailable_) return rm::Status::Unavailable("connection refused (test)");
      std::lock_guard lock(mutex_);
      auto it = keys_.find(std::string(token));
      if (it == keys_.end()) return std::optional<transports::Credential>();
      return std::optional<transports::Credential>(it->second);
    };
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, transports::Credential> keys_;
  std::atomic<int> lookups_{0};
  std::atomic<bool> unavailable_{false};
};

inline constexpr const char* kAliceKey = "rm_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
inline constexpr const char* kBobKey = "rm_live_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
inline constexpr const char* kAliceSecondKey = "rm_live_a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";

// Options for tests: port 0, quiet, small pools, and short timeouts so the suite stays fast.
inline transports::HttpOptions TestOptions() {
  transports::HttpOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  options.worker_threads = 4;
  options.access_log = false;
  options.rate_limit_per_second = 0;
  options.request_timeout = std::chrono::milliseconds(2000);
  options.idle_timeout = std::chrono::milliseconds(5000);
  options.drain_timeout = std::chrono::milliseconds(5000);
  return options;
}

class TestServer {
 public:
  explicit TestServer(transports::HttpOptions options = TestOptions(),
                      std::unique_ptr<mcp::ServerDefinition> definition = nullptr)
      : observations_(std::make_shared<fixture::Observations>()),
        definition_(definition ? std::move(definition) : fixture::MakeServer(observations_)) {
    keys_.Add(kAliceKey, "key-alice", "alice");
    keys_.Add(kBobKey, "key-bob", "bob");
    options.authenticator = keys_.authenticator();
    server_ = std::make_unique<transports::HttpServer>(*definition_, std::move(options));
    const rm::Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
  }

  std::uint16_t port() const { return server_->port(); }
  FakeKeys& keys() { return keys_; }
  transports::HttpServer& server() { return *server_; }
  fixture::Observations& observations() { return *observations_; }

 private:
  std::shared_ptr<fixture::Observations> observations_;
  std::unique_ptr<mcp::ServerDefinition> definition_;
  FakeKeys keys_;
  std::unique_ptr<transports::HttpServer> server_;
};

// The headers an MCP client sends on POST.
inline Headers McpHeaders(const std::string& key, const std::string& session = "", const std::string& version = "") {
  Headers headers = {{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
  if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
  if (!session.empty()) headers.emplace_back("Mcp-Session-Id", session);
  if (!version.empty()) headers.emplace_back("MCP-Protocol-Version", version);
  return headers;
}

inline std::string RequestJson(int id, const std::string& method, boost::json::object params = {}) {
  return boost::json::serialize(
      boost::json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
}

inline std::string NotificationJson(const std::string& method) {
  return boost::json::serialize(boost::json::object{{"jsonrpc", "2.0"}, {"method", method}});
}

inline std::string InitializeJson(const std::string& version = "2025-11-25") {
  return RequestJson(1, "initialize",
                     {{"protocolVersion", version},
                      {"capabilities", boost::json::object{}},
                      {"clientInfo", {{"name", "http-test"}, {"version", "1.0"}}}});
}

// initialize + notifications/initialized on `client`; returns the new session's id.
inline std::string OpenSession(Client& client, const std::string& key) {
  Response init = client.Send("POST", "/mcp", McpHeaders(key), InitializeJson());
  EXPECT_EQ(init.status, 200) << init.body;
  const std::string session = init.header("mcp-session-id");
  Response initialized =
      client.Send("POST", "/mcp", McpHeaders(key, session, "2025-11-25"), NotificationJson("notifications/initialized"));
  EXPECT_EQ(initialized.status, 202) << initialized.body;
  return session;
}

// tools/call `tool` on `session`; returns the HTTP response.
inline Response CallTool(Client& client, const std::string& key, const std::string& session, const std::string& tool,
                         boost::json::object arguments = {}, int id = 2, boost::json::object meta = {}) {
  boost::json::object params{{"name", tool}, {"arguments", std::move(arguments)}};
  if (!meta.empty()) params["_meta"] = std::move(meta);
  return client.Send("POST", "/mcp", McpHeaders(key, session, "2025-11-25"),
                     RequestJson(id, "tools/call", std::move(params)));
}

}  // namespace http_test
