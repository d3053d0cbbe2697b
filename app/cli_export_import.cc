// reflect-memory export --user EMAIL [--out FILE]
// reflect-memory import --user EMAIL [--sharing keep|mine|none] FILE
// JSON Lines, one memory per line, versions included (tools/memory_transfer.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/private_file.h"
#include "store/users.h"
#include "tools/memory_transfer.h"

namespace rm::app {
namespace {

struct TransferArgs {
  std::string email;
  std::string file;  // export: --out (empty: stdout); import: the file to read
  std::string sharing = "keep";  // import: see tools::ImportSharing
};

tools::ImportSharing SharingNamed(const std::string& name) {
  if (name == "mine") return tools::ImportSharing::kMine;
  if (name == "none") return tools::ImportSharing::kNone;
  return tools::ImportSharing::kKeep;
}

// The user named on the command line, in `db`.
Result<store::User> UserByEmail(store::Store& db, const std::string& email) {
  return store::ReadValue<store::User>(db, [&](store::Connection& c) { return store::FindUserByEmail(c, email); });
}

int RunExport(const CliContext& ctx, const TransferArgs& args) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  Result<store::User> user = UserByEmail(**db, args.email);
  if (!user.ok()) return ReportError(user.status(), kHintUnknownUser);
  std::ofstream file;
  std::ostream* out = &std::cout;
  // Written to FILE.partial, renamed when complete: a failed export never leaves
  // a truncated FILE behind that looks whole.
  const std::string partial = args.file + ".partial";
  if (!args.file.empty()) {
    // Every memory is in it, as in the database: the owner's only (0600) whatever the
    // umask. Created afresh (a left-over .partial is removed first — if it is a symlink,
    // the link, not its target), never through a link planted at its name.
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    Result<int> fd = CreateExclusiveFile(partial, 0600);
    if (!fd.ok()) return ReportError(fd.status(), "choose an --out path in a folder you can write to");
    ::close(*fd);
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      return ReportError(Status::IoError("cannot write " + partial),
                         "choose an --out path in a folder you can write to");
    }
    out = &file;
  }
  Result<std::int64_t> written = tools::ExportMemories(**db, user->id, *out);
  if (!written.ok()) {
    if (!args.file.empty()) std::filesystem::remove(partial);
    return ReportError(written.status());
  }
  if (!args.file.empty()) {
    file.close();
    std::error_code ec;
    std::filesystem::rename(partial, args.file, ec);
    if (ec) return ReportError(Status::IoError("cannot rename " + partial + " to " + args.file + ": " + ec.message()));
  }
  std::cerr << "exported " << *written << " memories of " << user->email << "\n";
  return kExitOk;
}

int RunImport(const CliContext& ctx, const TransferArgs& args) {
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return ReportError(Status::IoError("cannot read " + args.file), "check the file's path");
  auto db = ctx.OpenStore();
  if (!db.ok()) return ReportError(db.status());
  Result<store::User> user = UserByEmail(**db, args.email);
  if (!user.ok()) return ReportError(user.status(), kHintUnknownUser);
  Result<tools::ImportSummary> summary = tools::ImportMemories(
      **db, user->id, in, [](std::int64_t lines) { std::cerr << "read " << lines << " lines...\n"; },
      SharingNamed(args.sharing));
  if (!summary.ok()) {
    // A bad line is bad data, not a bad command line: exit 1, with the line number.
    const Status& s = summary.status();
    return ReportError(s.code() == Status::Code::kInvalidArgument ? Status::FailedPrecondition(s.message()) : s,
                       "fix that line (or remove it) and import the file again");
  }
  if (ctx.json) {
    PrintJson(boost::json::object{{"memories", summary->memories}, {"versions", summary->versions}});
  } else {
    std::cout << "imported " << summary->memories << " memories (" << summary->versions << " versions) for "
              << user->email << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddExportImportCommands(CLI::App& app, CliContext& ctx) {
  auto export_args = std::make_shared<TransferArgs>();
  CLI::App* exp = app.add_subcommand("export", "Write a user's memories as JSON Lines (one memory per line)");
  exp->add_option("--user", export_args->email, "The user (email)")->required();
  exp->add_option("--out", export_args->file, "The file to write (default: stdout)")->type_name("FILE");
  OnSelected(exp, ctx, [&ctx, export_args] { return RunExport(ctx, *export_args); });

  auto import_args = std::make_shared<TransferArgs>();
  CLI::App* imp = app.add_subcommand(
      "import", "Add memories from a JSON Lines file (as written by export) to a user, all or nothing");
  imp->add_option("--user", import_args->email, "The user (email)")->required();
  imp->add_option("FILE", import_args->file, "The JSON Lines file")->required()->type_name("FILE");
  imp->add_option("--sharing", import_args->sharing,
                  "Memories shared with an org or team: keep their ids (the user must belong to them), "
                  "share them with the user's own org/team here (mine), or make them personal (none)")
      ->check(CLI::IsMember({"keep", "mine", "none"}))
      ->default_str("keep");
  OnSelected(imp, ctx, [&ctx, import_args] { return RunImport(ctx, *import_args); });
}

}  // namespace rm::app
