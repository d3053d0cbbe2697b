// reflect-memory: the executable. Parses the command line (CLI11) and runs the
// selected command; each command group is registered from its own file.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_commands.h"
#include "app/config_file.h"
#include "app/logging.h"

namespace {

// Subcommand help does not list the parent's options; say where they are.
void AddGlobalOptionsFooter(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->footer("Global options (before or after the command): --db PATH, --json, --config FILE. "
                "See reflect-memory --help.");
    AddGlobalOptionsFooter(*sub);
  }
}

// The deepest subcommand the parser selected ("user" in `user frob`), or `app` itself.
const CLI::App& DeepestSelected(const CLI::App& app) {
  const CLI::App* deepest = &app;
  while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
  return *deepest;
}

// The words that select `command` after the program's name: "user" ("" for the program).
std::string CommandWords(const CLI::App& command) {
  std::string words;
  for (const CLI::App* c = &command; c->get_parent() != nullptr; c = c->get_parent()) {
    words = words.empty() ? c->get_name() : c->get_name() + " " + words;
  }
  return words;
}

// CLI11 reports `reflect-memory frobnicate` as "A subcommand is required", which hides the
// typo. When a command that needs a subcommand got none but a word was left over, that
// word is the unknown command: say so, with the help that lists the real ones.
std::optional<int> ReportUnknownCommand(const CLI::App& app, const CLI::ParseError& error) {
  if (dynamic_cast<const CLI::RequiredError*>(&error) == nullptr) return std::nullopt;
  const CLI::App& command = DeepestSelected(app);
  if (command.get_require_subcommand_min() == 0) return std::nullopt;  // a missing option, say
  const std::vector<std::string> leftovers = app.remaining();
  if (leftovers.empty() || leftovers.front().starts_with('-')) return std::nullopt;
  const std::string words = CommandWords(command);
  const std::string typed = words.empty() ? leftovers.front() : words + " " + leftovers.front();
  const std::string help = app.get_name() + (words.empty() ? "" : " " + words) + " --help";
  return rm::app::ReportError(rm::Status::InvalidArgument("unknown command '" + typed + "'"),
                              "run `" + help + "` to see the commands");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rm::app;
  // Before anything can log: spdlog's default logger writes to stdout, which over
  // stdio belongs to the protocol. `serve` raises the level with --log-level.
  (void)ConfigureLogging("warn", false);
  CliContext ctx;
  CLI::App app{"Reflect Memory: one memory store that all your AI tools share (MCP server and admin)",
               "reflect-memory"};
  app.set_version_flag("--version", std::string(RM_VERSION));
  // Global options may also come after a subcommand: `reflect-memory user list --db x.db`.
  // Set before adding subcommands, which inherit it.
  app.fallthrough();
  app.add_option("--db", ctx.db_flag,
                 "Database file (default: $REFLECT_DB, else ~/.reflect-memory/memory.db)")
      ->type_name("PATH");
  app.add_flag("--json", ctx.json, "Print results as JSON");
  app.add_option("--config", ctx.config_flag,
                 "Settings file (default: $REFLECT_CONFIG, else /etc/reflect-memory/config.toml and "
                 "~/.reflect-memory/config.toml)")
      ->type_name("FILE");
  app.require_subcommand(1);

  AddUserCommands(app, ctx);
  AddKeyCommands(app, ctx);
  AddOrgCommands(app, ctx);
  AddUsageCommand(app, ctx);
  AddMaintenanceCommands(app, ctx);
  AddServeCommand(app, ctx);
  AddExportImportCommands(app, ctx);
  AddConnectCommand(app, ctx);
  AddLlmKeyCommands(app, ctx);
  AddSignInCommands(app, ctx);  // after AddUserCommands: it adds `user set-password`
  AddGrantCommands(app, ctx);
  AddReindexCommand(app, ctx);
  AddCopyCommand(app, ctx);
  AddGlobalOptionsFooter(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (auto code = ReportUnknownCommand(app, e)) return *code;
    int code = app.exit(e);  // prints help/version to stdout, errors to stderr
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!ctx.command) {
    std::cerr << app.help();
    return kExitUsage;
  }
  // `db = PATH` in the config file counts for every command, after --db and $REFLECT_DB.
  if (ctx.db_flag.empty() && (std::getenv("REFLECT_DB") == nullptr || *std::getenv("REFLECT_DB") == '\0')) {
    auto settings = LoadConfigFiles(ctx.config_flag);
    if (!settings.ok()) return ReportError(settings.status(), "fix the file, or name another with --config FILE");
    if (auto it = settings->find("db"); it != settings->end() && !it->second.values.empty()) {
      ctx.db_flag = it->second.values.front();
      ctx.db_from_file = true;
    }
  }
  try {
    return ctx.command();
  } catch (const std::exception& e) {
    return ReportError(rm::Status::Internal(std::string("unexpected failure: ") + e.what()));
  }
}
