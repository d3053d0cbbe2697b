#include "tests/fuzz/memory_fixture.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <boost/json.hpp>

#include "mcp/session.h"
#include "store/orgs.h"
#include "store/users.h"
#include "tests/fuzz/response_checks.h"
#include "tools/memory_server.h"
#include "tools/principal.h"

namespace fuzz {
namespace json = boost::json;

void Require(bool ok, std::string_view what, std::string_view detail) {
  if (ok) return;
  std::cerr << "fuzz invariant broken: " << what << "\n" << detail.substr(0, 4000) << std::endl;
  std::abort();
}

namespace {

template <typename T>
T Must(rm::Result<T> result, std::string_view what) {
  Require(result.ok(), what, result.ok() ? "" : result.status().ToString());
  return std::move(result).value();
}

// Sends initialize + notifications/initialized, then one tools/call that must succeed
// (the fixture is useless otherwise); returns the memory's id from the result.
std::string SeedCall(const mcp::ServerDefinition& server, std::any principal, std::string_view tool,
                     json::object arguments) {
  mcp::Session session(server, std::move(principal), [](std::string) {});
  session.Handle(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                 R"("capabilities":{},"clientInfo":{"name":"claude-code","version":"1"}}})");
  session.Handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  json::object request{{"jsonrpc", "2.0"},
                       {"id", 1},
                       {"method", "tools/call"},
                       {"params", {{"name", tool}, {"arguments", std::move(arguments)}}}};
  std::optional<std::string> response = session.Handle(json::serialize(request));
  Require(response.has_value(), "seed call got no response", tool);
  json::value parsed = json::parse(*response);
  json::error_code ec;
  const json::value* is_error = parsed.find_pointer("/result/isError", ec);
  Require(is_error != nullptr && *is_error == false, "seed call failed", *response);
  const json::value* id = parsed.find_pointer("/result/structuredContent/memory/id", ec);
  return id != nullptr && id->is_string() ? std::string(id->as_string()) : std::string();
}

}  // namespace

MemoryFixture& MemoryFixture::Get() {
  static MemoryFixture* fixture = new MemoryFixture();  // never destroyed: libFuzzer may exit() from any thread
  return *fixture;
}

MemoryFixture::MemoryFixture() {
  // The throwaway store is a real file in $TMPDIR (store/database.h); in memory (tmpfs)
  // it costs no disk I/O, and fuzzing writes a lot. Respects a TMPDIR already set.
  if (std::filesystem::is_directory("/dev/shm")) setenv("TMPDIR", "/dev/shm", /*overwrite=*/0);
  Build();
}

void MemoryFixture::BeginInput() {
  if (++inputs_ % kInputsPerStore == 0) Build();
}

void MemoryFixture::Build() {
  // Sessions refer to the server, and the tools to the database.
  for (auto& session : sessions_) session.reset();
  server_.reset();
  db_.reset();
  db_ = Must(rm::store::Database::Open(":memory:"), "open a throwaway store");

  Require(db_->Write([&](rm::store::Connection& conn) -> rm::Status {
                rm::store::User user =
                    Must(rm::store::InsertUser(conn, {.email = "fuzz@example.com", .plan = "admin", .role = "user"}),
                         "add the user");
                rm::store::Org org = Must(rm::store::CreateOrg(conn, "Fuzz Org", user.id), "create the org");
                rm::store::Team team = Must(rm::store::CreateTeam(conn, org.id, "Fuzz Team"), "create the team");
                Must(rm::store::SetMembership(conn, {.org_id = org.id, .user_id = user.id, .org_role = "owner",
                                                     .team_id = team.id}),
                     "join the team");
                user_id_ = user.id;
                return rm::Status::Ok();
              }).ok(),
          "set up the user");

  server_ = std::make_unique<mcp::ServerDefinition>();
  rm::tools::RegisterMemoryServer(*server_, *db_);
  // A handler that throws is a bug the client only sees as "internal error": fail loudly.
  server_->report_internal_error = [](std::string_view what) { Require(false, "internal error", what); };

  tool_names_.clear();
  for (const mcp::Tool& tool : server_->tools.All()) tool_names_.push_back(tool.name);
  std::sort(tool_names_.begin(), tool_names_.end());
  Seed();
  for (Identity who : {Identity::kLocalOwner, Identity::kOwnerKey, Identity::kAgentKey}) {
    auto& session = sessions_[static_cast<int>(who)];
    session = std::make_unique<mcp::Session>(*server_, PrincipalOf(who), CheckNotification);
    InitializeSession(*session);
  }
}

void MemoryFixture::Seed() {
  memory_ids_.clear();
  const std::any local = PrincipalOf(Identity::kLocalOwner);
  const std::string parent = SeedCall(*server_, local, "write_memory",
                                      {{"title", "Billing migration plan"},
                                       {"content", "Move invoices to the new ledger in March."},
                                       {"tags", {"billing", "plan"}}});
  memory_ids_.push_back(parent);                                                    // @m0
  memory_ids_.push_back(SeedCall(*server_, local, "write_child_memory",             // @m1
                                 {{"parent_memory_id", parent},
                                  {"title", "Ledger chosen"},
                                  {"content", "We picked the double-entry ledger."}}));
  memory_ids_.push_back(SeedCall(*server_, local, "write_memory",                    // @m2
                                 {{"title", "Team coding style"},
                                  {"content", "Four spaces, no tabs."},
                                  {"tags", {"style"}},
                                  {"share_scope", "org"}}));
  memory_ids_.push_back(SeedCall(*server_, PrincipalOf(Identity::kAgentKey), "write_memory",  // @m3
                                 {{"title", "Claude's scratchpad"},
                                  {"content", "Only Claude sees this."},
                                  {"allowed_vendors", {"claude"}}}));
  const std::string trashed = SeedCall(*server_, local, "write_memory",
                                       {{"title", "Old idea"}, {"content", "Dropped."}});
  SeedCall(*server_, local, "delete_memory", {{"id", trashed}});
  memory_ids_.push_back(trashed);                                                   // @m4
}

std::any MemoryFixture::PrincipalOf(Identity who) const {
  rm::tools::Principal principal;
  principal.user_id = user_id_;
  switch (who) {
    case Identity::kLocalOwner:
      principal.local_owner = true;
      principal.transport = rm::tools::Principal::Transport::kStdio;
      break;
    case Identity::kOwnerKey:
      principal.transport = rm::tools::Principal::Transport::kHttp;
      break;
    case Identity::kAgentKey:
      principal.key_vendor = "claude";
      principal.transport = rm::tools::Principal::Transport::kHttp;
      break;
  }
  return principal;
}

void MemoryFixture::SubstitutePlaceholders(json::value& value) const {
  if (json::string* s = value.if_string()) {
    if (s->size() == 3 && (*s)[0] == '@' && (*s)[1] == 'm') {
      const std::size_t index = static_cast<std::size_t>((*s)[2] - '0');
      if (index < memory_ids_.size()) *s = memory_ids_[index];
    }
  } else if (json::array* a = value.if_array()) {
    for (json::value& item : *a) SubstitutePlaceholders(item);
  } else if (json::object* o = value.if_object()) {
    for (auto& entry : *o) SubstitutePlaceholders(entry.value());
  }
}

}  // namespace fuzz
