// reflect-memory user add | list | set
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/user_settings.h"
#include "store/users.h"
#include "store/validation.h"

namespace rm::app {
namespace {

struct UserAddArgs {
  std::string email;
  std::string plan = "free";
  std::string role = "user";
};

int RunUserAdd(const CliContext& ctx, const UserAddArgs& args) {
  // Check the input before opening anything, so a typo creates nothing.
  Result<std::string> email = store::NormalizeEmail(args.email);
  if (!email.ok()) return ReportError(email.status());
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  Result<store::User> user = store::WriteValue<store::User>(**db, [&](store::Connection& c) {
    return store::InsertUser(c, {*email, args.plan, args.role});
  });
  if (!user.ok()) {
    return ReportError(user.status(), user.status().code() == Status::Code::kAlreadyExists
                                          ? "see existing users with `reflect-memory user list`"
                                          : "");
  }
  if (ctx.json) {
    PrintJson(ToJson(*user));
  } else {
    std::cout << "added user " << user->email << " (plan " << user->plan << ", role " << user->role
              << ")\n"
              << user->id << "\n";
  }
  return kExitOk;
}

int RunUserList(const CliContext& ctx) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto users = store::ReadValue<std::vector<store::User>>(
      **db, [](store::Connection& c) { return store::ListUsers(c); });
  if (!users.ok()) return ReportError(users.status());
  if (ctx.json) {
    boost::json::array list;
    for (const store::User& u : *users) list.push_back(ToJson(u));
    PrintJson(list);
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const store::User& u : *users) {
    rows.push_back({u.id, u.email, u.plan, u.role, OrDash(u.org_id), OrDash(u.org_role),
                    OrDash(u.team_id), u.created_at});
  }
  PrintTable(std::cout, {"ID", "EMAIL", "PLAN", "ROLE", "ORG", "ORG_ROLE", "TEAM", "CREATED"}, rows);
  return kExitOk;
}

struct UserSetArgs {
  std::string email;
  std::string merge_similar;  // "on" | "off"; empty: not given
};

int RunUserSet(const CliContext& ctx, const UserSetArgs& args) {
  if (args.merge_similar.empty()) {
    return ReportError(Status::InvalidArgument("nothing to set: give --merge-similar on|off"));
  }
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  const bool merge = args.merge_similar == "on";
  Result<store::User> user = store::WriteValue<store::User>(**db, [&](store::Connection& c) -> Result<store::User> {
    Result<store::User> found = store::FindUserByEmail(c, args.email);
    if (!found.ok()) return found.status();
    RM_RETURN_IF_ERROR(store::SetUserMergesSimilar(c, found->id, merge));
    return found;
  });
  if (!user.ok()) return ReportError(user.status(), "see the users with `reflect-memory user list`");
  if (ctx.json) {
    PrintJson(boost::json::object{{"email", user->email}, {"merge_similar", merge}});
  } else {
    std::cout << "user " << user->email << ": merge_similar " << (merge ? "on" : "off")
              << (merge ? " (write_memory updates a near-identical memory of the last 48 h instead of adding one)"
                        : "")
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddUserCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* user = app.add_subcommand("user", "Manage users: the people who own memories");
  user->require_subcommand(1);

  auto add_args = std::make_shared<UserAddArgs>();
  CLI::App* add = user->add_subcommand("add", "Add a user; prints the new user's id");
  add->add_option("EMAIL", add_args->email, "The user's email address (unique, case-insensitive)")
      ->required();
  add->add_option("--plan", add_args->plan, "Plan: sets the memory and API key limits")
      ->check(CLI::IsMember({"free", "builder", "pro", "team", "admin"}))
      ->capture_default_str();
  add->add_option("--role", add_args->role, "Role")
      ->check(CLI::IsMember({"user", "admin"}))
      ->capture_default_str();
  OnSelected(add, ctx, [&ctx, add_args] { return RunUserAdd(ctx, *add_args); });

  CLI::App* list = user->add_subcommand("list", "List every user");
  OnSelected(list, ctx, [&ctx] { return RunUserList(ctx); });

  auto set_args = std::make_shared<UserSetArgs>();
  CLI::App* set = user->add_subcommand("set", "Change a user's settings");
  set->add_option("EMAIL", set_args->email, "The user's email address")->required();
  set->add_option("--merge-similar", set_args->merge_similar,
                  "on: write_memory merges a near-identical memory of the last 48 hours into a new "
                  "version of it (undoable) unless the call says merge_similar: false; off (the default): never")
      ->check(CLI::IsMember({"on", "off"}));
  OnSelected(set, ctx, [&ctx, set_args] { return RunUserSet(ctx, *set_args); });
}

}  // namespace rm::app
