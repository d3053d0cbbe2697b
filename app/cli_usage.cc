// reflect-memory usage [--user EMAIL] [--month YYYY-MM]
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/monthly_report.h"
#include "store/users.h"
#include "store/validation.h"
#include "util/clock.h"

namespace rm::app {
namespace {

struct UsageArgs {
  std::string email;  // empty: every user
  std::string month;  // empty: this month (UTC)
};

int RunUsage(const CliContext& ctx, const UsageArgs& args) {
  std::string month = args.month.empty() ? MonthOf(NowUtc()) : args.month;
  if (Status s = store::ValidateMonth(month); !s.ok()) return ReportError(s);
  std::optional<std::string> email;
  if (!args.email.empty()) {
    Result<std::string> normalized = store::NormalizeEmail(args.email);
    if (!normalized.ok()) return ReportError(normalized.status());
    email = *normalized;
  }
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  auto lines = store::ReadValue<std::vector<store::MonthlyUsageLine>>(
      **db, [&](store::Connection& c) -> Result<std::vector<store::MonthlyUsageLine>> {
        std::optional<std::string> user_id;
        if (email) {
          Result<store::User> user = store::FindUserByEmail(c, *email);
          if (!user.ok()) return user.status();
          user_id = user->id;
        }
        return store::MonthlyUsageReport(c, month, user_id);
      });
  if (!lines.ok()) {
    return ReportError(lines.status(),
                       lines.status().code() == Status::Code::kNotFound ? kHintUnknownUser : "");
  }
  if (ctx.json) {
    boost::json::array list;
    for (const auto& l : *lines) {
      list.push_back(boost::json::object{{"user_id", l.user_id}, {"email", l.email},
                                         {"month", l.month},     {"writes", l.writes},
                                         {"reads", l.reads},     {"queries", l.queries},
                                         {"total_ops", l.total_ops}});
    }
    PrintJson(list);
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const auto& l : *lines) {
    rows.push_back({l.email, l.month, std::to_string(l.writes), std::to_string(l.reads),
                    std::to_string(l.queries), std::to_string(l.total_ops)});
  }
  PrintTable(std::cout, {"EMAIL", "MONTH", "WRITES", "READS", "QUERIES", "TOTAL"}, rows);
  return kExitOk;
}

}  // namespace

void AddUsageCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<UsageArgs>();
  CLI::App* usage = app.add_subcommand("usage", "Show operations per user for a month");
  usage->add_option("--user", args->email, "Only this user (email)");
  usage->add_option("--month", args->month, "The month, YYYY-MM (default: this month, UTC)");
  OnSelected(usage, ctx, [&ctx, args] { return RunUsage(ctx, *args); });
}

}  // namespace rm::app
