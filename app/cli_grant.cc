// reflect-memory grant list | revoke (SPEC §1, §8): the OAuth connections a person allowed
// (Claude, ChatGPT, ...), each as one vendor or as the owner. Revoking one stops all its
// tokens at once, in running servers too.
#include <iostream>
#include <memory>
#include <string>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/oauth_grants.h"
#include "store/users.h"

namespace rm::app {
namespace {

constexpr std::string_view kHintGrantList = "list a user's grants with `reflect-memory grant list --user EMAIL`";

boost::json::value OrNull(const std::optional<std::string>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& scope : scopes) joined += (joined.empty() ? "" : " ") + scope;
  return joined;
}

boost::json::value GrantToJson(const store::OAuthGrant& g) {
  boost::json::array scopes;
  for (const std::string& scope : g.scopes) scopes.emplace_back(scope);
  return boost::json::object{{"id", g.id},
                             {"user_id", g.user_id},
                             {"client_id", g.client_id},
                             {"client_name", g.client_name},
                             {"vendor", OrNull(g.vendor)},
                             {"scopes", std::move(scopes)},
                             {"resource", g.resource},
                             {"created_at", g.created_at},
                             {"last_used_at", OrNull(g.last_used_at)},
                             {"revoked_at", OrNull(g.revoked_at)}};
}

int RunGrantList(const CliContext& ctx, const std::string& email) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto grants = store::ReadValue<std::vector<store::OAuthGrant>>(
      **db, [&](store::Connection& c) -> Result<std::vector<store::OAuthGrant>> {
        Result<store::User> user = store::FindUserByEmail(c, email);
        if (!user.ok()) return user.status();
        return store::ListOAuthGrants(c, user->id);
      });
  if (!grants.ok()) {
    return ReportError(grants.status(), grants.status().code() == Status::Code::kNotFound ? kHintUnknownUser : "");
  }
  if (ctx.json) {
    boost::json::array list;
    for (const store::OAuthGrant& g : *grants) list.push_back(GrantToJson(g));
    PrintJson(list);
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const store::OAuthGrant& g : *grants) {
    rows.push_back({g.id, g.client_name, g.vendor.value_or("owner"), JoinScopes(g.scopes), g.created_at,
                    OrDash(g.last_used_at), OrDash(g.revoked_at)});
  }
  PrintTable(std::cout, {"ID", "CLIENT", "VENDOR", "SCOPES", "CREATED", "LAST USED", "REVOKED"}, rows);
  return kExitOk;
}

int RunGrantRevoke(const CliContext& ctx, const std::string& grant_id) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto grant = store::WriteValue<store::OAuthGrant>(
      **db, [&](store::Connection& c) { return store::RevokeOAuthGrant(c, grant_id); });
  if (!grant.ok()) {
    return ReportError(grant.status(), grant.status().code() == Status::Code::kNotFound ? kHintGrantList : "");
  }
  if (ctx.json) {
    PrintJson(GrantToJson(*grant));
  } else {
    std::cout << "revoked OAuth grant of " << grant->client_name << " (vendor " << grant->vendor.value_or("owner")
              << ", since " << OrDash(grant->revoked_at)
              << "); its tokens stop working within a second, in running servers too\n"
              << grant->id << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddGrantCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* group = app.add_subcommand("grant", "Manage OAuth grants: the connections a user allowed (Claude, ChatGPT, ...)");
  group->require_subcommand(1);

  auto email = std::make_shared<std::string>();
  CLI::App* list = group->add_subcommand("list", "List a user's OAuth grants, revoked ones included");
  list->add_option("--user", *email, "The user (email)")->required();
  OnSelected(list, ctx, [&ctx, email] { return RunGrantList(ctx, *email); });

  auto grant_id = std::make_shared<std::string>();
  CLI::App* revoke = group->add_subcommand("revoke", "Revoke an OAuth grant: all its tokens stop working");
  revoke->add_option("GRANT_ID", *grant_id, "The grant's id (from grant list)")->required();
  OnSelected(revoke, ctx, [&ctx, grant_id] { return RunGrantRevoke(ctx, *grant_id); });
}

}  // namespace rm::app
