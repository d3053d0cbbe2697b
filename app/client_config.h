// The MCP clients `reflect-memory connect` configures, their config files, and the
// pure parts of connecting (no files, no database): the server entry each client
// expects, merging it into a client's JSON document, pretty-printing, and the
// one-click install links of Cursor and VS Code.
//
// Where each client keeps its servers:
//   claude-code     user: ~/.claude.json "mcpServers"; local: ~/.claude.json
//                   "projects"[DIR]."mcpServers"; project: DIR/.mcp.json "mcpServers"
//   claude-desktop  user: ~/.config/Claude/claude_desktop_config.json "mcpServers" (Linux;
//                   ~/Library/Application Support/Claude on macOS); stdio servers only
//   cursor          user: ~/.cursor/mcp.json; project: DIR/.cursor/mcp.json ("mcpServers")
//   vscode          user: ~/.config/Code/User/mcp.json; project: DIR/.vscode/mcp.json
//                   ("servers", not "mcpServers")
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace rm::app {

enum class Client { kClaudeCode, kClaudeDesktop, kCursor, kVsCode };
enum class Scope { kUser, kProject, kLocal };

inline constexpr std::string_view kDefaultServerName = "reflect-memory";

std::vector<Client> AllClients();
std::string_view ClientName(Client client);      // "claude-code", ...
std::string_view ClientTitle(Client client);     // "Claude Code", ...
std::optional<Client> ParseClient(std::string_view name);
std::string_view ScopeName(Scope scope);         // "user", "project", "local"
std::optional<Scope> ParseScope(std::string_view name);
// The vendor (SPEC §2) a client's calls are made as: claude, cursor, copilot.
std::string_view ClientVendor(Client client);
// The scopes a client has, its default first.
std::vector<Scope> ClientScopes(Client client);

// Where one client keeps its servers for one scope.
struct ConfigLocation {
  std::string file;          // the JSON file
  std::string client_folder; // must exist (the client is installed / the project is there)
  bool create_folder = false;  // project scope: create .cursor/ or .vscode/ inside it
  // The keys leading to the servers object: {"mcpServers"}, {"servers"}, or
  // {"projects", DIR, "mcpServers"} for Claude Code's local scope.
  std::vector<std::string> servers_path;
};

// `home`: the user's home folder; `config_home`: $XDG_CONFIG_HOME or home + "/.config";
// `project`: the project folder, absolute.
Result<ConfigLocation> LocateConfig(Client client, Scope scope, const std::string& home,
                                    const std::string& config_home, const std::string& project);

// What the client should run or call.
struct ServerSpec {
  // stdio (when url is empty): the binary, the database and the vendor.
  std::string binary;
  std::string db;
  std::string vendor;
  // HTTP: the MCP endpoint and the bearer key.
  std::string url;
  std::string key;
};

// The entry for one server in the client's own format.
boost::json::object ServerEntry(Client client, const ServerSpec& spec);

// The bearer key of an HTTP entry ("Authorization: Bearer rm_live_…"), if any.
std::optional<std::string> EntryBearerKey(const boost::json::object& entry);

// Parses a client's config file. Comments and trailing commas are accepted (VS Code's
// mcp.json is JSONC); `lenient_only` tells that the text needed them (they are not kept).
// Empty text is an empty object.
Result<boost::json::object> ParseConfigText(std::string_view text, bool* lenient_only = nullptr);

enum class MergeChange { kAdded, kUpdated, kUnchanged };
std::string_view MergeChangeName(MergeChange change);  // "added", "updated", "unchanged"

// Sets doc[path...][name] = entry, creating the objects on the way and leaving every other
// key as it was. Fails if something on the path is not an object.
Result<MergeChange> MergeServer(boost::json::object& doc, const std::vector<std::string>& servers_path,
                                std::string_view name, const boost::json::object& entry);

// The server entry named `name` at `servers_path`, if there is one.
const boost::json::object* FindServer(const boost::json::object& doc,
                                      const std::vector<std::string>& servers_path, std::string_view name);

// JSON with two-space indentation and a final newline, keys in their order.
std::string PrettyJson(const boost::json::value& value);

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(std::string_view bytes);
// Percent-encodes everything but RFC 3986 unreserved characters (as encodeURIComponent,
// which also keeps !'()*; those are encoded here, which decoders accept alike).
std::string UrlEncode(std::string_view text);

// cursor://anysphere.cursor-deeplink/mcp/install?name=NAME&config=BASE64(entry JSON)
std::string CursorInstallLink(std::string_view name, const boost::json::object& cursor_entry);
// vscode:mcp/install?URLENCODED({"name":NAME, ...entry})
std::string VsCodeInstallLink(std::string_view name, const boost::json::object& vscode_entry);

}  // namespace rm::app
