// reflect-memory user add | list
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
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
  auto db = ctx.OpenDatabase();
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
  auto db = ctx.OpenDatabase();
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
}

}  // namespace rm::app
