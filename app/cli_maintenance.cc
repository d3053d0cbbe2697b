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

// Prints the report of `check` and returns its exit code. `permissions` is empty on
// PostgreSQL (there are no files of ours to inspect).
int ReportCheck(const CliContext& ctx, const std::string& location, const store::IntegrityReport& report,
                const store::PermissionFindings& permissions, std::string_view ok_line) {
  std::vector<std::string> problems = report.problems;
  problems.insert(problems.end(), permissions.problems.begin(), permissions.problems.end());
  if (ctx.json) {
    boost::json::array problem_list, warning_list;
    for (const std::string& p : problems) problem_list.push_back(boost::json::string(p));
    for (const std::string& w : permissions.warnings) warning_list.push_back(boost::json::string(w));
    PrintJson(boost::json::object{{"path", location},
                                  {"schema_version", report.schema_version},
                                  {"ok", problems.empty()},
                                  {"problems", problem_list},
                                  {"warnings", warning_list}});
  } else {
    std::cout << "database: " << location << "\n"
              << "schema version: " << report.schema_version << "\n";
    for (const std::string& p : problems) std::cout << "problem: " << p << "\n";
    for (const std::string& w : permissions.warnings) std::cout << "warning: " << w << "\n";
    if (problems.empty()) std::cout << "ok: " << ok_line << "\n";
  }
  if (problems.empty()) return kExitOk;
  return ReportError(Status::IoError("the database has " + std::to_string(problems.size()) +
                                     " problem(s), listed above"),
                     report.ok() ? "change the permissions as each problem says"
                                 : "restore the database from a backup, or export what is readable and import it "
                                   "into a new database");
}

// The rules of the data, as each engine's own checks and the shared ones see them
// (store/integrity.h).
int RunCheck(const CliContext& ctx) {
  const std::string location = ResolveDatabasePath(ctx.db_flag);
  if (IsPostgresUrl(location)) {
    auto pg = store::postgres::PgDatabase::Open(location, {.connections = 1});
    if (!pg.ok()) return ReportError(pg.status());
    // One snapshot: a server writing meanwhile cannot make usage look unbalanced.
    auto report = store::ReadValue<store::IntegrityReport>(
        **pg, [&](store::Connection& c) { return store::CheckIntegrity(c, (*pg)->schema_version()); });
    if (!report.ok()) return ReportError(report.status());
    return ReportCheck(ctx, MaskSecret("db", location), *report, {},
                       "schema, usage totals, version numbers, references and identity sequence are sound");
  }
  auto db = ctx.OpenDatabase();
  if (!db.ok()) return ReportError(db.status());
  // The writer connection: the full-text check is issued as an INSERT.
  auto report = store::WriteValue<store::IntegrityReport>(
      **db, [](store::Connection& c) { return store::CheckIntegrity(c, store::LatestSchemaVersion()); });
  if (!report.ok()) return ReportError(report.status());
  // Who else can read the files (the database holds every memory and key hash).
  return ReportCheck(ctx, (*db)->path(), *report, store::CheckFilePermissions((*db)->path()),
                     "integrity, foreign keys, full-text index, usage totals, version numbers and file "
                     "permissions are sound");
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Apply pending schema migrations (every command also does this on open)");
  OnSelected(migrate, ctx, [&ctx] { return RunMigrate(ctx); });

  CLI::App* check = app.add_subcommand(
      "check",
      "Check the database: schema version, usage totals, version numbers, references; on SQLite also "
      "integrity, the full-text index and who else can read its files; exit 1 on a problem");
  OnSelected(check, ctx, [&ctx] { return RunCheck(ctx); });
}

}  // namespace rm::app
