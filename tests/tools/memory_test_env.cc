#include "tests/tools/memory_test_env.h"

#include <filesystem>
#include <stdexcept>

#include "store/orgs.h"
#include "store/postgres/pg_database.h"
#include "store/users.h"
#include "tests/postgres/throwaway_postgres.h"
#include "util/crypto.h"

namespace rm::testing {
namespace json = boost::json;

namespace {
template <typename T>
T OrThrow(Result<T> result, const char* what) {
  if (!result.ok()) throw std::runtime_error(std::string(what) + ": " + result.status().ToString());
  return std::move(result).value();
}
}  // namespace

Client::Client(const mcp::ServerDefinition& server, tools::Principal principal, std::string client_name,
               json::object capabilities)
    : session_(server, std::any(std::move(principal)), [this](std::string message) { Received(std::move(message)); }) {
  json::object response = Request("initialize", {{"protocolVersion", "2025-11-25"},
                                                 {"capabilities", std::move(capabilities)},
                                                 {"clientInfo", {{"name", client_name}, {"version", "1"}}}});
  initialize_result_ = response.at("result").as_object();
  session_.Handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
}

json::object Client::Request(std::string_view method, json::object params) {
  std::optional<json::object> response = TryRequest(method, std::move(params));
  if (!response) throw std::runtime_error("no response to " + std::string(method));
  return std::move(*response);
}

std::optional<json::object> Client::TryRequest(std::string_view method, json::object params) {
  json::object request{{"jsonrpc", "2.0"}, {"id", ++next_id_}, {"method", method}, {"params", std::move(params)}};
  std::optional<std::string> response = session_.Handle(json::serialize(request));
  if (!response) return std::nullopt;
  return json::parse(*response).as_object();
}

void Client::Respond(const json::value& id, json::value result) {
  session_.Handle(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}));
}

void Client::RespondError(const json::value& id, int code, std::string_view message) {
  session_.Handle(json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}}));
}

void Client::Notify(std::string_view method, json::object params) {
  session_.Handle(json::serialize(json::object{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}));
}

void Client::Received(std::string message) {
  json::object notification = json::parse(message).as_object();
  {
    std::lock_guard lock(notifications_mutex_);
    notifications_.push_back(notification);
  }
  if (on_notification) on_notification(notification);
}

std::vector<json::object> Client::notifications() const {
  std::lock_guard lock(notifications_mutex_);
  return notifications_;
}

CallResult Client::Call(std::string_view tool, json::object arguments) {
  json::object response = Request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
  if (!response.contains("result")) {
    throw std::runtime_error("tools/call " + std::string(tool) + " failed: " + json::serialize(response));
  }
  const json::object& result = response.at("result").as_object();
  CallResult out;
  out.is_error = result.at("isError").as_bool();
  out.content = result.at("content").as_array();
  if (const json::value* s = result.if_contains("structuredContent")) out.structured = s->as_object();
  if (out.is_error) {
    const json::object& error = out.structured.at("error").as_object();
    out.error_code = std::string(error.at("code").as_string());
    out.error_message = std::string(error.at("message").as_string());
  }
  return out;
}

MemoryTestEnv::MemoryTestEnv(tools::ServiceOptions options, store::Engine engine) {
  if (engine == store::Engine::kPostgres) {
    ThrowawayPostgresServer& server = ThrowawayPostgresServer::Get();
    if (server.EnsureStarted()) {
      conninfo_ = server.NewDatabase();
      db_ = OrThrow(store::postgres::PgDatabase::Open(conninfo_, {.connections = 4}), "open PostgreSQL");
      service_ = tools::RegisterMemoryServer(server_, *db_, std::move(options));
      return;
    }
    if (!server.binaries_missing()) throw std::runtime_error("PostgreSQL did not start: " + server.error());
    unavailable_ = server.error();
  }
  // A RAM-backed folder when there is one: these tests make tens of thousands of
  // commits, and a commit to a real disk costs several times more.
  std::error_code ec;
  const std::filesystem::path folder =
      std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
  path_ = (folder / ("rm-tools-test-" + RandomHex(8) + ".db")).string();
  db_ = std::unique_ptr<store::Store>(OrThrow(store::Database::Open(path_), "open database"));
  service_ = tools::RegisterMemoryServer(server_, *db_, std::move(options));
}

MemoryTestEnv::~MemoryTestEnv() {
  server_ = {};  // handlers hold the service, which refers to the database
  service_.reset();
  db_.reset();
  std::error_code ignored;
  if (!path_.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ignored);
  }
}

std::string MemoryTestEnv::AddUser(const std::string& email, const std::string& plan) {
  store::User user = OrThrow(store::WriteValue<store::User>(*db_, [&](store::Connection& c) {
    return store::InsertUser(c, {email, plan, "user"});
  }), "add user");
  return user.id;
}

std::string MemoryTestEnv::CreateOrg(const std::string& name, const std::string& owner_id) {
  return OrThrow(store::WriteValue<store::Org>(*db_, [&](store::Connection& c) {
    return store::CreateOrg(c, name, owner_id);
  }), "create org").id;
}

std::string MemoryTestEnv::CreateTeam(const std::string& org_id, const std::string& name) {
  return OrThrow(store::WriteValue<store::Team>(*db_, [&](store::Connection& c) {
    return store::CreateTeam(c, org_id, name);
  }), "create team").id;
}

void MemoryTestEnv::Join(const std::string& org_id, const std::string& user_id,
                         const std::optional<std::string>& team_id) {
  OrThrow(store::WriteValue<store::User>(*db_, [&](store::Connection& c) {
    store::Membership m;
    m.org_id = org_id;
    m.user_id = user_id;
    m.team_id = team_id;
    // The org's owner keeps the owner role.
    Result<store::Org> org = store::FindOrgById(c, org_id);
    if (org.ok() && org->owner_id == user_id) m.org_role = "owner";
    return store::SetMembership(c, m);
  }), "join");
}

tools::Principal MemoryTestEnv::OwnerKey(const std::string& user_id) {
  tools::Principal p;
  p.user_id = user_id;
  p.transport = tools::Principal::Transport::kHttp;
  return p;
}

tools::Principal MemoryTestEnv::AgentKey(const std::string& user_id, const std::string& vendor) {
  tools::Principal p = OwnerKey(user_id);
  p.key_vendor = vendor;
  return p;
}

tools::Principal MemoryTestEnv::LocalOwner(const std::string& user_id) {
  tools::Principal p;
  p.user_id = user_id;
  p.local_owner = true;
  p.transport = tools::Principal::Transport::kStdio;
  return p;
}

std::unique_ptr<MemoryTestEnv> MemoryTestEnv::SecondServer(tools::ServiceOptions options) {
  if (conninfo_.empty()) return nullptr;
  std::unique_ptr<MemoryTestEnv> twin(new MemoryTestEnv(Empty{}));
  twin->conninfo_ = conninfo_;
  twin->db_ = OrThrow(store::postgres::PgDatabase::Open(conninfo_, {.connections = 4}), "open PostgreSQL again");
  twin->service_ = tools::RegisterMemoryServer(twin->server_, *twin->db_, std::move(options));
  return twin;
}

std::unique_ptr<Client> MemoryTestEnv::Connect(tools::Principal principal, std::string client_name,
                                               json::object capabilities) {
  return std::make_unique<Client>(server_, std::move(principal), std::move(client_name), std::move(capabilities));
}

std::int64_t MemoryTestEnv::Count(const std::string& sql) {
  db_->FlushWritesLater();
  return OrThrow(store::ReadValue<std::int64_t>(*db_, [&](store::Connection& c) -> Result<std::int64_t> {
    store::Statement& s = c.Prepare(sql);
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no row");
    std::int64_t v = s.Int64(0);
    s.Reset();
    return v;
  }), sql.c_str());
}

}  // namespace rm::testing
