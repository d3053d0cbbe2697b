// reflect-memory copy --to DB: the whole store of --db (or $REFLECT_DB) into another,
// SQLite or PostgreSQL either way (issue 14 "Moving"). The copy itself is
// store/store_copy.h; this opens both stores, shows progress and prints the result.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/config_file.h"
#include "app/database_location.h"
#include "store/migrations.h"
#include "store/postgres/pg_migrations.h"
#include "store/store_copy.h"

namespace rm::app {
namespace {

struct CopyArgs {
  std::string to;
};

// The same database named twice: a file by its canonical path, a URL as written.
bool SameLocation(const std::string& a, const std::string& b) {
  if (IsPostgresUrl(a) || IsPostgresUrl(b)) return a == b;
  std::error_code ec_a, ec_b;
  const auto pa = std::filesystem::weakly_canonical(a, ec_a), pb = std::filesystem::weakly_canonical(b, ec_b);
  return ec_a || ec_b ? a == b : pa == pb;
}

// This build's newest migration for `store`'s engine: what `check` expects there.
int NewestSchemaVersion(const store::Store& store) {
  if (store.engine() == store::Engine::kSqlite) return store::LatestSchemaVersion();
  const auto migrations = store::postgres::AllPgMigrations();
  return migrations.empty() ? 0 : migrations.back().version;
}

// A SQLite file this command created: removed again when the copy fails, so a failed
// copy leaves no half-made store behind (its schema alone would look like one).
void RemoveNewFile(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

int RunCopy(const CliContext& ctx, const CopyArgs& args) {
  const std::string from = ResolveDatabasePath(ctx.db_flag);
  const std::string to = args.to;
  const std::string from_shown = MaskSecret("db", from), to_shown = MaskSecret("db", to);
  if (SameLocation(from, to)) {
    return ReportError(Status::InvalidArgument("--to names the source itself (" + to_shown + ")"),
                       "give --to another database: a new file, or an empty PostgreSQL database");
  }
  if (!IsPostgresUrl(from) && !std::filesystem::exists(from)) {
    return ReportError(Status::NotFound("there is no database at " + from),
                       "name the store to copy with --db PATH (or $REFLECT_DB)");
  }
  auto source = ctx.OpenStore();
  if (!source.ok()) return ReportError(source.status());
  const bool new_file = !IsPostgresUrl(to) && !std::filesystem::exists(to);
  std::unique_ptr<store::Store> destination;
  {
    auto opened = OpenStore(to);
    if (!opened.ok()) {
      if (new_file) RemoveNewFile(to);
      return ReportError(opened.status());
    }
    destination = std::move(*opened);
  }

  std::cerr << "copying " << from_shown << " to " << to_shown << " (one transaction)\n";
  store::CopyOptions options;
  options.destination_schema_version = NewestSchemaVersion(*destination);
  const auto started = std::chrono::steady_clock::now();
  auto table_started = started;
  options.progress = [&table_started](std::string_view table, std::int64_t rows, bool done) {
    if (!done) {
      std::cerr << "  " << table << ": " << rows << " rows...\n";
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    char took[32];
    std::snprintf(took, sizeof took, "%.2f", std::chrono::duration<double>(now - table_started).count());
    table_started = now;
    std::cerr << "  " << table << ": " << rows << (rows == 1 ? " row" : " rows") << " (" << took << " s)\n";
  };
  Result<store::CopyReport> report = store::CopyStore(**source, *destination, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  destination.reset();  // closed before a new file is removed
  if (!report.ok()) {
    if (new_file) RemoveNewFile(to);
    const Status& s = report.status();
    // A row the destination refused is the data's failure, not the command line's: exit 1.
    const Status shown = s.code() == Status::Code::kInvalidArgument ? Status::IoError(s.message()) : s;
    return ReportError(shown, s.code() == Status::Code::kFailedPrecondition
                                  ? "nothing was copied; the destination is as it was"
                                  : "the copy was rolled back: the destination is as it was");
  }

  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.2f", seconds);
  if (ctx.json) {
    boost::json::array tables;
    for (const store::CopiedTable& t : report->tables) {
      tables.push_back(boost::json::object{
          {"table", t.table}, {"source_rows", t.source_rows}, {"destination_rows", t.destination_rows}});
    }
    PrintJson(boost::json::object{{"from", from_shown},
                                  {"to", to_shown},
                                  {"rows", report->rows},
                                  {"seconds", seconds},
                                  {"tables", tables},
                                  {"check", boost::json::object{{"ok", report->check.ok()},
                                                                {"schema_version", report->check.schema_version}}}});
    return kExitOk;
  }
  std::vector<TableRow> rows;
  for (const store::CopiedTable& t : report->tables) {
    if (t.source_rows > 0) rows.push_back({t.table, std::to_string(t.source_rows), std::to_string(t.destination_rows)});
  }
  PrintTable(std::cout, {"TABLE", "SOURCE", "COPIED"}, rows);
  std::cout << "copied " << report->rows << " rows (" << report->tables.size() << " tables) from " << from_shown
            << " to " << to_shown << " in " << elapsed << " s\n"
            << "verified: every table's row count equals the source's; check on the destination: ok (schema "
               "version "
            << report->check.schema_version << ")\n";
  return kExitOk;
}

}  // namespace

void AddCopyCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<CopyArgs>();
  CLI::App* copy = app.add_subcommand(
      "copy",
      "Copy the whole store (every user, org, key, memory, version, usage row...) into another database, "
      "SQLite or PostgreSQL either way: all or nothing, into an empty one, verified by row counts and check");
  copy->add_option("--to", args->to, "The destination: a file path or a postgresql:// URL (must hold no data)")
      ->required()
      ->type_name("DB");
  OnSelected(copy, ctx, [&ctx, args] { return RunCopy(ctx, *args); });
}

}  // namespace rm::app
