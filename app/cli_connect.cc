// reflect-memory connect CLIENT [--scope user|project|local] [--http URL [--key-vendor NAME]]
//                               [--print | --link] | connect --list
//
// Writes (merges) Reflect Memory into an MCP client's own config file: over stdio by default
// (this binary's absolute path, the database, the client's vendor), or over HTTP with an agent
// key for the client's vendor created on the spot. Other servers in the file are kept, the file
// as it was is kept beside it as FILE.bak, and a second run changes nothing.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/client_config.h"
#include "app/database_location.h"
#include "app/local_owner.h"
#include "app/private_file.h"
#include "store/api_keys.h"
#include "store/users.h"
#include "store/validation.h"
#include "util/crypto.h"

namespace rm::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct ConnectArgs {
  std::string client;
  std::string scope;  // empty: the client's default (user)
  std::string project;  // empty: the current folder
  std::string name = std::string(kDefaultServerName);
  std::string vendor;      // stdio: --vendor
  std::string http_url;    // --http URL
  std::string key_vendor;  // --key-vendor
  std::string user;        // --user EMAIL (HTTP keys; default: the local owner)
  bool print = false;
  bool link = false;
  bool list = false;
};

std::string HomeFolder() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return home;
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  return ".";
}

std::string ConfigHome() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg == '/') return xdg;
  return HomeFolder() + "/.config";
}

std::string ProjectFolder(const ConnectArgs& args) {
  std::error_code ec;
  fs::path p = args.project.empty() ? fs::current_path(ec) : fs::absolute(args.project, ec);
  return p.lexically_normal().string();
}

Result<std::string> ReadFile(const std::string& path, bool& exists) {
  std::error_code ec;
  exists = fs::exists(path, ec);
  if (!exists) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}


bool IsHttpUrl(std::string_view url) {
  return (url.starts_with("http://") && url.size() > 7) || (url.starts_with("https://") && url.size() > 8);
}

// The command line the client runs, for people to read.
std::string CommandLine(const json::object& entry) {
  std::string line;
  if (const json::value* cmd = entry.if_contains("command"); cmd && cmd->is_string()) {
    line = std::string(cmd->get_string());
  }
  if (const json::value* args = entry.if_contains("args"); args && args->is_array()) {
    for (const json::value& a : args->get_array()) {
      if (a.is_string()) line += " " + std::string(a.get_string());
    }
  }
  return line;
}

std::string Describe(const json::object& entry) {
  if (const json::value* url = entry.if_contains("url"); url && url->is_string()) {
    return "http " + std::string(url->get_string());
  }
  return "stdio " + CommandLine(entry);
}

// An agent key for `vendor` in the database the HTTP server uses: the key already in the
// client's entry if it still works for that vendor, else a new one.
struct AgentKey {
  std::string secret;
  std::string id;
  bool created = false;
};

Result<AgentKey> ObtainAgentKey(const CliContext& ctx, const ConnectArgs& args, Client client,
                                const std::string& vendor, const std::optional<std::string>& existing) {
  auto db = ctx.OpenStore();
  if (!db.ok()) return db.status();
  if (existing) {
    auto resolved = store::ReadValue<store::ResolvedApiKey>(
        **db, [&](store::Connection& c) { return store::ResolveApiKey(c, *existing); });
    if (resolved.ok() && resolved->vendor == vendor) return AgentKey{*existing, resolved->key_id, false};
  }
  std::string user_id;
  if (args.user.empty()) {
    Result<store::User> owner = EnsureLocalOwner(**db);
    if (!owner.ok()) return owner.status();
    user_id = owner->id;
  } else {
    Result<std::string> email = store::NormalizeEmail(args.user);
    if (!email.ok()) return email.status();
    auto user = store::ReadValue<store::User>(
        **db, [&](store::Connection& c) { return store::FindUserByEmail(c, *email); });
    if (!user.ok()) return user.status();
    user_id = user->id;
  }
  auto created = store::WriteValue<store::CreatedApiKey>(**db, [&](store::Connection& c) {
    return store::CreateApiKey(c, {user_id, "connect " + std::string(ClientName(client)), vendor});
  });
  if (!created.ok()) return created.status();
  return AgentKey{created->secret, created->key.id, true};
}

int RunList(const CliContext& ctx, const ConnectArgs& args) {
  const std::string home = HomeFolder(), config_home = ConfigHome(), project = ProjectFolder(args);
  std::vector<TableRow> rows;
  json::array out;
  for (Client client : AllClients()) {
    for (Scope scope : ClientScopes(client)) {
      Result<ConfigLocation> loc = LocateConfig(client, scope, home, config_home, project);
      if (!loc.ok()) continue;
      std::string status;
      std::error_code ec;
      bool exists = false;
      Result<std::string> text = ReadFile(loc->file, exists);
      if (!exists) {
        const bool installed = fs::is_directory(loc->client_folder, ec) ||
                               (client == Client::kClaudeCode && scope != Scope::kProject && fs::exists(loc->file, ec));
        status = installed || scope == Scope::kProject ? "not configured (no file)" : "client not found";
      } else if (!text.ok()) {
        status = "unreadable";
      } else {
        Result<json::object> doc = ParseConfigText(*text);
        if (!doc.ok()) {
          status = "invalid JSON";
        } else if (const json::object* entry = FindServer(*doc, loc->servers_path, args.name)) {
          status = "configured: " + Describe(*entry);
        } else {
          status = "not configured";
        }
      }
      rows.push_back({std::string(ClientName(client)), std::string(ScopeName(scope)), loc->file, status});
      out.push_back(json::object{{"client", ClientName(client)}, {"scope", ScopeName(scope)},
                                 {"file", loc->file}, {"status", status}});
    }
  }
  if (ctx.json) {
    PrintJson(out);
  } else {
    PrintTable(std::cout, {"CLIENT", "SCOPE", "FILE", "STATUS"}, rows);
  }
  return kExitOk;
}

int RunConnect(const CliContext& ctx, const ConnectArgs& args) {
  if (args.list) {
    if (!args.client.empty()) {
      return ReportError(Status::InvalidArgument("--list takes no CLIENT"), "run `reflect-memory connect --list`");
    }
    return RunList(ctx, args);
  }
  if (args.client.empty()) {
    return ReportError(Status::InvalidArgument("connect needs a CLIENT: claude-code, claude-desktop, cursor or vscode"),
                       "run `reflect-memory connect --help`");
  }
  const Client client = *ParseClient(args.client);  // CLI11 checked it
  const Scope scope = args.scope.empty() ? Scope::kUser : *ParseScope(args.scope);
  const bool http = !args.http_url.empty();

  if (args.print && args.link) return ReportError(Status::InvalidArgument("--print and --link go alone: pick one"));
  if (args.link && client != Client::kCursor && client != Client::kVsCode) {
    return ReportError(Status::InvalidArgument("--link is for cursor and vscode (their one-click install links)"),
                       "run `reflect-memory connect " + args.client + "` to write its config file");
  }
  if (http && client == Client::kClaudeDesktop) {
    return ReportError(
        Status::InvalidArgument("Claude Desktop's config file runs stdio servers only"),
        "drop --http (Claude Desktop then starts this binary itself), or add the URL as a custom connector "
        "in Claude Desktop's Settings > Connectors");
  }
  if (http && !IsHttpUrl(args.http_url)) {
    return ReportError(Status::InvalidArgument("--http " + args.http_url + ": expected the MCP endpoint's URL"),
                       "e.g. --http http://127.0.0.1:8765/mcp");
  }
  if (http && !args.vendor.empty()) {
    return ReportError(Status::InvalidArgument("--vendor is for stdio; over HTTP the key's vendor counts"),
                       "use --key-vendor NAME");
  }
  if (!http && (!args.key_vendor.empty() || !args.user.empty())) {
    return ReportError(Status::InvalidArgument("--key-vendor and --user go with --http URL"),
                       "over stdio use --vendor NAME");
  }
  const std::string vendor = !args.key_vendor.empty() ? args.key_vendor
                             : !args.vendor.empty()    ? args.vendor
                                                       : std::string(ClientVendor(client));
  if (Status s = store::ValidateVendorName(vendor); !s.ok()) return ReportError(s);

  Result<ConfigLocation> loc = LocateConfig(client, scope, HomeFolder(), ConfigHome(), ProjectFolder(args));
  if (!loc.ok()) return ReportError(loc.status());

  // The client's file as it is now (not needed for --link).
  bool exists = false, lenient = false;
  json::object doc;
  std::string before;
  if (!args.link) {
    Result<std::string> text = ReadFile(loc->file, exists);
    if (!text.ok()) return ReportError(text.status());
    before = *text;
    Result<json::object> parsed = ParseConfigText(before, &lenient);
    if (!parsed.ok()) {
      return ReportError(Status::IoError(loc->file + " is " + parsed.status().message()),
                         "fix or move that file, then run this again");
    }
    doc = std::move(parsed).value();
  }
  std::error_code ec;
  if (!args.print && !args.link && !fs::is_directory(loc->client_folder, ec) &&
      !(client == Client::kClaudeCode && scope != Scope::kProject && exists)) {
    const bool project_scope = scope == Scope::kProject;
    return ReportError(
        Status::NotFound(project_scope ? "the project folder " + loc->client_folder + " does not exist"
                                       : std::string(ClientTitle(client)) + " does not look installed: " +
                                             loc->client_folder + " does not exist"),
        project_scope ? "pass an existing folder with --project DIR"
                      : "install and start " + std::string(ClientTitle(client)) + " once" +
                            (ClientScopes(client).size() > 1 ? ", or use --scope project" : "") +
                            ", or print the config with --print and add it by hand");
  }

  ServerSpec spec;
  std::optional<AgentKey> key;
  if (http) {
    const json::object* existing = FindServer(doc, loc->servers_path, args.name);
    std::optional<std::string> existing_key;
    if (existing != nullptr) {
      const json::value* url = existing->if_contains("url");
      if (url && url->is_string() && url->get_string() == args.http_url) existing_key = EntryBearerKey(*existing);
    }
    Result<AgentKey> obtained = ObtainAgentKey(ctx, args, client, vendor, existing_key);
    if (!obtained.ok()) return ReportError(obtained.status());
    key = *obtained;
    spec.url = args.http_url;
    spec.key = key->secret;
  } else {
    spec.binary = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec) return ReportError(Status::Internal("cannot find this binary's path: " + ec.message()));
    spec.db = fs::absolute(ResolveDatabasePath(ctx.db_flag), ec).lexically_normal().string();
    spec.vendor = vendor;
  }
  const json::object entry = ServerEntry(client, spec);
  if (key && key->created) {
    std::cerr << "created agent key " << key->id << " for vendor " << vendor
              << " (revoke it with `reflect-memory key revoke " << key->id << "`)\n";
  }

  if (args.link) {
    std::cout << (client == Client::kCursor ? CursorInstallLink(args.name, entry) : VsCodeInstallLink(args.name, entry))
              << "\n";
    return kExitOk;
  }
  if (args.print) {
    json::object snippet;
    (void)MergeServer(snippet, {loc->servers_path.back()}, args.name, entry);
    std::cout << PrettyJson(snippet);
    std::cerr << "not written; `reflect-memory connect " << args.client << "` merges it into " << loc->file << "\n";
    return kExitOk;
  }

  Result<MergeChange> change = MergeServer(doc, loc->servers_path, args.name, entry);
  if (!change.ok()) {
    return ReportError(Status::IoError(loc->file + ": " + change.status().message()),
                       "fix or move that file, then run this again");
  }
  std::string backup;
  if (*change != MergeChange::kUnchanged) {
    if (loc->create_folder) fs::create_directories(fs::path(loc->file).parent_path(), ec);
    // A file that holds a key is its owner's alone; otherwise keep the file's own mode.
    mode_t mode = http ? 0600 : 0644;
    struct stat st {};
    if (exists && ::stat(loc->file.c_str(), &st) == 0) mode = http ? (st.st_mode & 0700) : (st.st_mode & 07777);
    if (exists) {
      backup = loc->file + ".bak";
      if (Status s = WriteFileAtomically(backup, before, st.st_mode & 07777); !s.ok()) {
        return ReportError(s);
      }
    }
    if (Status s = WriteFileAtomically(loc->file, PrettyJson(doc), mode); !s.ok()) return ReportError(s);
  }

  if (ctx.json) {
    PrintJson(json::object{{"client", ClientName(client)}, {"scope", ScopeName(scope)}, {"file", loc->file},
                           {"name", args.name}, {"change", MergeChangeName(*change)},
                           {"backup", backup.empty() ? json::value(nullptr) : json::value(backup)},
                           {"entry", entry}});
    return kExitOk;
  }
  std::cout << ClientName(client) << ": " << MergeChangeName(*change) << " \"" << args.name << "\" in "
            << loc->file << " (" << ScopeName(scope) << " scope)\n"
            << "  " << Describe(entry) << "\n";
  if (!backup.empty()) std::cout << "  the file as it was: " << backup << "\n";
  if (lenient && *change != MergeChange::kUnchanged) {
    std::cout << "  note: the file's comments were not kept (they are in the backup)\n";
  }
  if (http && scope == Scope::kProject && *change != MergeChange::kUnchanged) {
    std::cout << "  warning: " << loc->file << " now holds an API key: keep it out of version control\n";
  }
  if (*change != MergeChange::kUnchanged) {
    std::cout << "  restart " << ClientTitle(client) << " (or reload its MCP servers) to use it\n";
  }
  return kExitOk;
}

}  // namespace

void AddConnectCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ConnectArgs>();
  CLI::App* connect = app.add_subcommand(
      "connect", "Add Reflect Memory to an MCP client's config file (claude-code, claude-desktop, cursor, vscode)");
  connect->add_option("CLIENT", args->client, "claude-code | claude-desktop | cursor | vscode")
      ->check(CLI::IsMember({"claude-code", "claude-desktop", "cursor", "vscode"}));
  connect->add_option("--scope", args->scope,
                      "user (default: every project), project (a file in --project DIR, to share), or local "
                      "(claude-code: this project, for you only)")
      ->check(CLI::IsMember({"user", "project", "local"}));
  connect->add_option("--project", args->project, "The project folder for --scope project|local (default: here)")
      ->type_name("DIR");
  connect->add_option("--name", args->name, "The server's name in the client")->capture_default_str();
  connect->add_option("--vendor", args->vendor,
                      "stdio: the vendor the client calls as (default: claude, cursor or copilot)")
      ->type_name("NAME");
  connect->add_option("--http", args->http_url,
                      "Connect over HTTP to this MCP endpoint with a new agent key, e.g. http://127.0.0.1:8765/mcp")
      ->type_name("URL");
  connect->add_option("--key-vendor", args->key_vendor, "HTTP: the new key's vendor (default: the client's)")
      ->type_name("NAME");
  connect->add_option("--user", args->user, "HTTP: whose key (default: the local owner, local@localhost)")
      ->type_name("EMAIL");
  connect->add_flag("--print", args->print, "Print the config instead of writing the client's file");
  connect->add_flag("--link", args->link, "cursor, vscode: print the one-click install link");
  connect->add_flag("--list", args->list, "Show which clients have Reflect Memory configured");
  OnSelected(connect, ctx, [&ctx, args] { return RunConnect(ctx, *args); });
}

}  // namespace rm::app
