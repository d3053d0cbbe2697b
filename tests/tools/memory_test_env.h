// A Reflect Memory server in a test: a throwaway database, users, orgs and
// teams, and MCP clients that call the tools through mcp::Session exactly as a
// transport would (so input-schema validation runs too).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "mcp/server_definition.h"
#include "mcp/session.h"
#include "store/database.h"
#include "store/store.h"
#include "tools/memory_server.h"
#include "tools/memory_service.h"
#include "tools/principal.h"

namespace rm::testing {

// The string in `v`, or "<not a string: ...>" so a comparison fails readably.
inline std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "<not a string: " + boost::json::serialize(v) + ">";
}

// What a tools/call returned.
struct CallResult {
  bool is_error = false;
  boost::json::object structured;  // structuredContent
  boost::json::array content;
  std::string error_code;  // structured.error.code when is_error
  std::string error_message;

  const boost::json::object& memory() const { return structured.at("memory").as_object(); }
  std::string id() const { return std::string(memory().at("id").as_string()); }
};

// One MCP connection of one principal.
class Client {
 public:
  // `capabilities`: what initialize declares, e.g. {"elicitation":{}}.
  Client(const mcp::ServerDefinition& server, tools::Principal principal, std::string client_name,
         boost::json::object capabilities = {});
  CallResult Call(std::string_view tool, boost::json::object arguments = {});
  // Any other request; returns the whole response.
  boost::json::object Request(std::string_view method, boost::json::object params = {});
  // The same, but nothing when no response came (a request cancelled meanwhile).
  std::optional<boost::json::object> TryRequest(std::string_view method, boost::json::object params = {});
  // Answers a request the server sent (elicitation/create, ...) with `result`.
  // May be called from on_notification, while the call that asked waits.
  void Respond(const boost::json::value& id, boost::json::value result);
  // Answers it with a JSON-RPC error instead.
  void RespondError(const boost::json::value& id, int code, std::string_view message);
  // Sends a notification (e.g. notifications/cancelled).
  void Notify(std::string_view method, boost::json::object params);
  // The id the next request will carry, e.g. to cancel it while it runs.
  long next_request_id() const { return next_id_ + 1; }
  const boost::json::object& initialize_result() const { return initialize_result_; }

  // Notifications (and requests) the server sent this connection (progress, log
  // messages, elicitation/create), oldest first.
  std::vector<boost::json::object> notifications() const;
  // Called with each notification as the server sends it, on the thread handling the
  // request (before its response): lets a test act in the middle of a call.
  std::function<void(const boost::json::object& notification)> on_notification;

 private:
  void Received(std::string message);

  mutable std::mutex notifications_mutex_;
  std::vector<boost::json::object> notifications_;
  mcp::Session session_;
  long next_id_ = 0;
  boost::json::object initialize_result_;
};

class MemoryTestEnv {
 public:
  explicit MemoryTestEnv(tools::ServiceOptions options = {}, store::Engine engine = store::Engine::kSqlite);
  // For a fixture parameterized by engine (tests/store/both_engines.h's parameter).
  explicit MemoryTestEnv(store::Engine engine) : MemoryTestEnv(tools::ServiceOptions{}, engine) {}
  ~MemoryTestEnv();

  std::string AddUser(const std::string& email, const std::string& plan = "free");
  std::string CreateOrg(const std::string& name, const std::string& owner_id);
  std::string CreateTeam(const std::string& org_id, const std::string& name);
  void Join(const std::string& org_id, const std::string& user_id,
            const std::optional<std::string>& team_id = std::nullopt);

  // Principals as the app builds them.
  static tools::Principal OwnerKey(const std::string& user_id);  // HTTP, key without vendor
  static tools::Principal AgentKey(const std::string& user_id, const std::string& vendor);
  static tools::Principal LocalOwner(const std::string& user_id);  // stdio, no key

  std::unique_ptr<Client> Connect(tools::Principal principal, std::string client_name = "test-client",
                                  boost::json::object capabilities = {});

  // On PostgreSQL: a second server on this environment's database, with its own pool, memory
  // service and caches — what a second `serve` process is, in this test process. Null on SQLite
  // (one file, one process).
  std::unique_ptr<MemoryTestEnv> SecondServer(tools::ServiceOptions options = {});

  // The value of a one-row, one-column query (an integer), for checking what is stored.
  // Reads' usage rows are committed a moment after the answer (Database::WriteLater);
  // Count waits for them first, so it sees every call made so far.
  std::int64_t Count(const std::string& sql);

  store::Store& db() { return *db_; }
  // Why this environment cannot run on its engine (PostgreSQL not installed), or "":
  // a fixture's SetUp skips with it. The environment then runs on SQLite meanwhile.
  const std::string& unavailable() const { return unavailable_; }
  tools::MemoryService& service() { return *service_; }
  const mcp::ServerDefinition& server() const { return server_; }

 private:
  struct Empty {};
  explicit MemoryTestEnv(Empty) {}  // SecondServer() fills it in
  std::string path_;  // the database file, removed with its -wal and -shm at the end
  std::string conninfo_;  // the PostgreSQL database, "" on SQLite
  std::unique_ptr<store::Store> db_;
  std::string unavailable_;
  mcp::ServerDefinition server_;
  std::shared_ptr<tools::MemoryService> service_;
};

}  // namespace rm::testing
