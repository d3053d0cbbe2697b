// reflect-memory migrate | check
#include <iostream>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "store/integrity.h"
#include "store/migrations.h"

namespace rm::app {
namespace {

// Opening the database applies the migrations; this reports what was done.
int RunMigrate(const CliContext& ctx) {
  auto db = ctx.OpenDatabase();
  if (!db.ok()) return ReportError(db.status());
  const std::vector<std::string>& applied = (*db)->migrations_applied();
  if (ctx.json) {
    boost::json::array names;
    for (const std::string& name : applied) names.push_back(boost::json::string(name));
    PrintJson(boost::json::object{{"path", (*db)->path()},
                                  {"schema_version", (*db)->schema_version()},
                                  {"applied", names}});
    return kExitOk;
  }
  for (const std::string& name : applied) std::cout << "applied migration " << name << "\n";
  if (applied.empty()) std::cout << "already up to date\n";
  std::cout << (*db)->path() << " is at schema version " << (*db)->schema_version() << "\n";
  return kExitOk;
}

int RunCheck(const CliContext& ctx) {
  auto db = ctx.OpenDatabase();
  if (!db.ok()) return ReportError(db.status());
  auto report = store::WriteValue<store::IntegrityReport>(
      **db, [](store::Connection& c) { return store::CheckIntegrity(c); });
  if (!report.ok()) return ReportError(report.status());
  if (ctx.json) {
    boost::json::array problems;
    for (const std::string& p : report->problems) problems.push_back(boost::json::string(p));
    PrintJson(boost::json::object{{"path", (*db)->path()},
                                  {"schema_version", (*db)->schema_version()},
                                  {"ok", report->ok()},
                                  {"problems", problems}});
  } else {
    std::cout << "database: " << (*db)->path() << "\n"
              << "schema version: " << (*db)->schema_version() << "\n";
    for (const std::string& p : report->problems) std::cout << "problem: " << p << "\n";
    std::cout << (report->ok() ? "ok: integrity, foreign keys and full-text index are sound\n"
                               : "");
  }
  if (report->ok()) return kExitOk;
  return ReportError(Status::IoError("the database has " + std::to_string(report->problems.size()) +
                                     " problem(s), listed above"),
                     "restore the file from a backup, or export what is readable and import it "
                     "into a new database");
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Apply pending schema migrations (every command also does this on open)");
  OnSelected(migrate, ctx, [&ctx] { return RunMigrate(ctx); });

  CLI::App* check = app.add_subcommand(
      "check", "Check the database: integrity, foreign keys, full-text index; exit 1 on a problem");
  OnSelected(check, ctx, [&ctx] { return RunCheck(ctx); });
}

}  // namespace rm::app
