// reflect-memory migrate | check
#include <iostream>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/config_file.h"
#include "app/database_location.h"
#include "store/file_permissions.h"
#include "store/integrity.h"
#include "store/migrations.h"
#include "store/postgres/pg_database.h"

namespace rm::app {
namespace {

// Prints what migrating did, for either engine.
int ReportMigrated(const CliContext& ctx, const std::string& location, int schema_version,
                   const std::vector<std::string>& applied) {
  if (ctx.json) {
    boost::json::array names;
    for (const std::string& name : applied) names.push_back(boost::json::string(name));
    PrintJson(boost::json::object{{"path", location}, {"schema_version", schema_version}, {"applied", names}});
    return kExitOk;
  }
  for (const std::string& name : applied) std::cout << "applied migration " << name << "\n";
  if (applied.empty()) std::cout << "already up to date\n";
  std::cout << location << " is at schema version " << schema_version << "\n";
  return kExitOk;
}

// Opening the database applies the migrations; this reports what was done.
int RunMigrate(const CliContext& ctx) {
  const std::string location = ResolveDatabasePath(ctx.db_flag);
  if (IsPostgresUrl(location)) {
    // Several processes migrating at once wait for each other (an advisory lock).
    auto pg = store::postgres::PgDatabase::Open(location, {.connections = 1});
    if (!pg.ok()) return ReportError(pg.status());
    return ReportMigrated(ctx, MaskSecret("db", location), (*pg)->schema_version(), (*pg)->migrations_applied());
  }
  auto db = ctx.OpenDatabase();
  if (!db.ok()) return ReportError(db.status());
  return ReportMigrated(ctx, (*db)->path(), (*db)->schema_version(), (*db)->migrations_applied());
}

int RunCheck(const CliContext& ctx) {
  auto db = ctx.OpenDatabase();
  if (!db.ok()) return ReportError(db.status());
  auto report = store::WriteValue<store::IntegrityReport>(
      **db, [](store::Connection& c) { return store::CheckIntegrity(c); });
  if (!report.ok()) return ReportError(report.status());
  // Who else can read the files (the database holds every memory and key hash).
  const store::PermissionFindings permissions = store::CheckFilePermissions((*db)->path());
  std::vector<std::string> problems = report->problems;
  problems.insert(problems.end(), permissions.problems.begin(), permissions.problems.end());
  if (ctx.json) {
    boost::json::array problem_list, warning_list;
    for (const std::string& p : problems) problem_list.push_back(boost::json::string(p));
    for (const std::string& w : permissions.warnings) warning_list.push_back(boost::json::string(w));
    PrintJson(boost::json::object{{"path", (*db)->path()},
                                  {"schema_version", (*db)->schema_version()},
                                  {"ok", problems.empty()},
                                  {"problems", problem_list},
                                  {"warnings", warning_list}});
  } else {
    std::cout << "database: " << (*db)->path() << "\n"
              << "schema version: " << (*db)->schema_version() << "\n";
    for (const std::string& p : problems) std::cout << "problem: " << p << "\n";
    for (const std::string& w : permissions.warnings) std::cout << "warning: " << w << "\n";
    std::cout << (problems.empty() ? "ok: integrity, foreign keys, full-text index and file permissions are sound\n"
                                   : "");
  }
  if (problems.empty()) return kExitOk;
  return ReportError(Status::IoError("the database has " + std::to_string(problems.size()) +
                                     " problem(s), listed above"),
                     report->ok() ? "change the permissions as each problem says"
                                  : "restore the file from a backup, or export what is readable and import it "
                                    "into a new database");
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Apply pending schema migrations (every command also does this on open)");
  OnSelected(migrate, ctx, [&ctx] { return RunMigrate(ctx); });

  CLI::App* check = app.add_subcommand(
      "check",
      "Check the database: integrity, foreign keys, full-text index, who else can read its files; "
      "exit 1 on a problem");
  OnSelected(check, ctx, [&ctx] { return RunCheck(ctx); });
}

}  // namespace rm::app
