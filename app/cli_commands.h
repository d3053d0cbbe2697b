// The command groups of `reflect-memory`, one file each. main.cc calls each
// Add*Commands once; adding a group (e.g. serve, export, import) is one new file
// plus one line in main.cc and one in app/CMakeLists.txt.
#pragma once

#include <CLI/CLI.hpp>

#include "app/cli_context.h"

namespace rm::app {

void AddUserCommands(CLI::App& app, CliContext& ctx);         // user add | list
void AddKeyCommands(CLI::App& app, CliContext& ctx);          // key create | list | revoke
void AddOrgCommands(CLI::App& app, CliContext& ctx);          // org create | add-member, team create
void AddUsageCommand(CLI::App& app, CliContext& ctx);         // usage
void AddMaintenanceCommands(CLI::App& app, CliContext& ctx);  // migrate, check
void AddServeCommand(CLI::App& app, CliContext& ctx);         // serve (app/cli_serve.cc)
void AddExportImportCommands(CLI::App& app, CliContext& ctx); // export, import (app/cli_export_import.cc)
void AddConnectCommand(CLI::App& app, CliContext& ctx);       // connect CLIENT (app/cli_connect.cc)
void AddLlmKeyCommands(CLI::App& app, CliContext& ctx);       // llm-key set | list | remove (app/cli_llm_key.cc)
void AddSignInCommands(CLI::App& app, CliContext& ctx);       // user set-password, signin-link (app/cli_signin.cc)
void AddGrantCommands(CLI::App& app, CliContext& ctx);        // grant list | revoke (app/cli_grant.cc)
void AddReindexCommand(CLI::App& app, CliContext& ctx);       // reindex [--user] (app/cli_reindex.cc)
void AddCopyCommand(CLI::App& app, CliContext& ctx);          // copy --to DB (app/cli_copy.cc)

}  // namespace rm::app
