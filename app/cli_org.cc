// reflect-memory org create | add-member | invite, team create
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/public_url.h"
#include "store/org_invites.h"
#include "store/orgs.h"
#include "store/users.h"
#include "store/validation.h"

namespace rm::app {
namespace {

struct OrgCreateArgs {
  std::string name;
  std::string owner_email;
};

struct AddMemberArgs {
  std::string org_id;
  std::string email;
  std::string role = "member";
  std::string team_id;  // empty: no team
};

struct InviteArgs {
  std::string org_id;
  std::string email;
  std::string team_id;     // empty: no team
  std::string public_url;  // empty: $REFLECT_PUBLIC_URL, else http://127.0.0.1:8765 (app/public_url.h)
};

struct TeamCreateArgs {
  std::string org_id;
  std::string name;
};

constexpr std::string_view kHintUnknownOrg =
    "use the id printed by `reflect-memory org create` (see ORG in `reflect-memory user list`)";

// The hint for an org/team/membership failure, by what went wrong.
std::string_view OrgHint(const Status& status) {
  const std::string& m = status.message();
  if (status.code() == Status::Code::kNotFound) {
    if (m.find("no user") != std::string::npos) return kHintUnknownUser;
    if (m.find("no team") != std::string::npos) return "use the id printed by `reflect-memory team create`";
    return kHintUnknownOrg;
  }
  if (status.code() == Status::Code::kAlreadyExists) {
    return m.find("already a member") != std::string::npos ? "" : "choose another team name";
  }
  return "";
}

int RunOrgCreate(const CliContext& ctx, const OrgCreateArgs& args) {
  Result<std::string> email = store::NormalizeEmail(args.owner_email);
  if (!email.ok()) return ReportError(email.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto org = store::WriteValue<store::Org>(**db, [&](store::Connection& c) -> Result<store::Org> {
    Result<store::User> owner = store::FindUserByEmail(c, *email);
    if (!owner.ok()) return owner.status();
    return store::CreateOrg(c, args.name, owner->id);
  });
  if (!org.ok()) return ReportError(org.status(), OrgHint(org.status()));
  if (ctx.json) {
    PrintJson(ToJson(*org));
  } else {
    std::cout << "created org " << org->name << " owned by " << *email << "\n" << org->id << "\n";
  }
  return kExitOk;
}

int RunAddMember(const CliContext& ctx, const AddMemberArgs& args) {
  Result<std::string> email = store::NormalizeEmail(args.email);
  if (!email.ok()) return ReportError(email.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  std::optional<std::string> team;
  if (!args.team_id.empty()) team = args.team_id;
  auto user = store::WriteValue<store::User>(**db, [&](store::Connection& c) -> Result<store::User> {
    Result<store::User> found = store::FindUserByEmail(c, *email);
    if (!found.ok()) return found.status();
    return store::SetMembership(c, {args.org_id, found->id, args.role, team});
  });
  if (!user.ok()) return ReportError(user.status(), OrgHint(user.status()));
  if (ctx.json) {
    PrintJson(ToJson(*user));
  } else {
    std::cout << user->email << " is " << OrDash(user->org_role) << " of org " << args.org_id
              << (team ? " in team " + *team : std::string()) << "\n"
              << user->id << "\n";
  }
  return kExitOk;
}



// The invite is made in the name of the org's owner: the CLI runs with the store's own rights,
// and org_invites.invited_by must name a person who may invite.
int RunOrgInvite(const CliContext& ctx, const InviteArgs& args) {
  Result<std::string> base = CliPublicUrl(args.public_url);
  if (!base.ok()) return ReportError(base.status());
  Result<std::string> email = store::NormalizeEmail(args.email);
  if (!email.ok()) return ReportError(email.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  std::optional<std::string> team;
  if (!args.team_id.empty()) team = args.team_id;
  std::string org_name;
  auto created = store::WriteValue<store::CreatedInvite>(**db, [&](store::Connection& c) -> Result<store::CreatedInvite> {
    Result<store::Org> org = store::FindOrgById(c, args.org_id);
    if (!org.ok()) return org.status();
    org_name = org->name;
    return store::CreateOrgInvite(c, {org->id, *email, team, org->owner_id});
  });
  if (!created.ok()) return ReportError(created.status(), OrgHint(created.status()));
  const std::string url = *base + "/invite/" + created->token;
  if (ctx.json) {
    PrintJson(boost::json::object{{"url", url}, {"expires_at", created->invite.expires_at}});
  } else {
    std::cout << "invite for " << *email << " to org " << org_name << (team ? " (team " + *team + ")" : std::string())
              << ", single use, valid for 7 days (until " << created->invite.expires_at << "):\n"
              << url << "\n";
  }
  return kExitOk;
}

int RunTeamCreate(const CliContext& ctx, const TeamCreateArgs& args) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto team = store::WriteValue<store::Team>(
      **db, [&](store::Connection& c) { return store::CreateTeam(c, args.org_id, args.name); });
  if (!team.ok()) return ReportError(team.status(), OrgHint(team.status()));
  if (ctx.json) {
    PrintJson(ToJson(*team));
  } else {
    std::cout << "created team " << team->name << " in org " << team->org_id << "\n"
              << team->id << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddOrgCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* org = app.add_subcommand("org", "Manage orgs (companies) and their members");
  org->require_subcommand(1);

  auto create_args = std::make_shared<OrgCreateArgs>();
  CLI::App* create = org->add_subcommand(
      "create", "Create an org; its owner becomes a member with role owner; prints the org id");
  create->add_option("NAME", create_args->name, "The org's name")->required();
  create->add_option("--owner", create_args->owner_email, "Email of the owning user")->required();
  OnSelected(create, ctx, [&ctx, create_args] { return RunOrgCreate(ctx, *create_args); });

  auto member_args = std::make_shared<AddMemberArgs>();
  CLI::App* add_member = org->add_subcommand(
      "add-member", "Make a user a member of an org (or change their role or team)");
  add_member->add_option("ORG_ID", member_args->org_id, "The org's id")->required();
  add_member->add_option("EMAIL", member_args->email, "The user's email")->required();
  add_member->add_option("--role", member_args->role, "Role in the org")
      ->check(CLI::IsMember({"owner", "admin", "member"}))
      ->capture_default_str();
  add_member->add_option("--team", member_args->team_id, "Put the user in this team of the org");
  OnSelected(add_member, ctx, [&ctx, member_args] { return RunAddMember(ctx, *member_args); });

  auto invite_args = std::make_shared<InviteArgs>();
  CLI::App* invite = org->add_subcommand(
      "invite", "Invite a person to an org (and a team) by a single-use link valid 7 days; prints the link");
  invite->add_option("ORG_ID", invite_args->org_id, "The org's id")->required();
  invite->add_option("EMAIL", invite_args->email, "The invitee's email")->required();
  invite->add_option("--team", invite_args->team_id, "Put the invitee in this team of the org");
  invite->add_option("--public-url", invite_args->public_url,
                     "The server's base URL (default: $REFLECT_PUBLIC_URL, else http://127.0.0.1:8765)")
      ->type_name("URL");
  OnSelected(invite, ctx, [&ctx, invite_args] { return RunOrgInvite(ctx, *invite_args); });

  CLI::App* team = app.add_subcommand("team", "Manage teams: sub-units of an org");
  team->require_subcommand(1);
  auto team_args = std::make_shared<TeamCreateArgs>();
  CLI::App* team_create = team->add_subcommand("create", "Create a team in an org; prints its id");
  team_create->add_option("ORG_ID", team_args->org_id, "The org's id")->required();
  team_create->add_option("NAME", team_args->name, "The team's name (unique in the org)")->required();
  OnSelected(team_create, ctx, [&ctx, team_args] { return RunTeamCreate(ctx, *team_args); });
}

}  // namespace rm::app
