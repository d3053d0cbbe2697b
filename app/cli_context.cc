#include "app/cli_context.h"

#include <iostream>

#include "app/database_location.h"

namespace rm::app {

Result<std::unique_ptr<store::Database>> CliContext::OpenDatabase() const {
  return app::OpenDatabase(db_flag);
}

Result<std::unique_ptr<store::Store>> CliContext::OpenStore() const { return app::OpenStore(db_flag); }

void OnSelected(CLI::App* sub, CliContext& ctx, std::function<int()> run) {
  sub->callback([&ctx, run = std::move(run)] { ctx.command = run; });
}

int ReportError(const Status& status, std::string_view hint) {
  // "unavailable" says what libpq's own words do not: the database, not the input, is the problem.
  const char* unavailable = status.code() == Status::Code::kUnavailable ? "the database is unavailable: " : "";
  std::cerr << "error: " << unavailable << status.message() << "\n";
  if (!hint.empty()) std::cerr << "  fix: " << hint << "\n";
  return status.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
}

}  // namespace rm::app
