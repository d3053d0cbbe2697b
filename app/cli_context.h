// What every CLI command shares: the global options and how to report results.
//
// Each command group lives in its own file (cli_user.cc, cli_key.cc, ...) and
// registers its subcommands with CLI11 through an Add*Commands function declared
// in app/cli_commands.h. A subcommand's CLI11 callback only *selects* the work
// (sets CliContext::command); main() runs it after parsing and exits with its
// return value. So parsing errors (exit 2) never half-run a command.
#pragma once

#include <CLI/App.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/database.h"
#include "util/status.h"

namespace rm::app {

// SPEC §1 exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and failed
inline constexpr int kExitUsage = 2;    // the command line was wrong

struct CliContext {
  std::string db_flag;  // --db (empty: $REFLECT_DB or the default)
  bool json = false;    // --json: print objects and lists as JSON
  std::string config_flag;    // --config FILE (empty: $REFLECT_CONFIG, else the default files)
  bool db_from_file = false;  // db_flag came from the config file (app/config_file.h)
  std::function<int()> command;  // the selected command's work

  // Opens the database per the path rules (app/database_location.h): SQLite only.
  Result<std::unique_ptr<store::Database>> OpenDatabase() const;
  // The same, on either engine (a postgresql:// URL selects PostgreSQL).
  Result<std::unique_ptr<store::Store>> OpenStore() const;
};

// Makes `run` the work of subcommand `sub` when the command line selects it.
void OnSelected(CLI::App* sub, CliContext& ctx, std::function<int()> run);

// Hints that several commands give for the same mistake.
inline constexpr std::string_view kHintUnknownUser =
    "list users with `reflect-memory user list`, or add one with `reflect-memory user add EMAIL`";

// Prints "error: <message>" (and "  fix: <hint>" when given) to stderr and
// returns the exit code: 2 for an invalid argument (a usage error), else 1.
int ReportError(const Status& status, std::string_view hint = {});

}  // namespace rm::app
