#include "app/client_config.h"

#include <boost/json.hpp>

namespace rm::app {

namespace json = boost::json;

std::vector<Client> AllClients() {
  return {Client::kClaudeCode, Client::kClaudeDesktop, Client::kCursor, Client::kVsCode};
}

std::string_view ClientName(Client client) {
  switch (client) {
    case Client::kClaudeCode: return "claude-code";
    case Client::kClaudeDesktop: return "claude-desktop";
    case Client::kCursor: return "cursor";
    case Client::kVsCode: return "vscode";
  }
  return "";
}

std::string_view ClientTitle(Client client) {
  switch (client) {
    case Client::kClaudeCode: return "Claude Code";
    case Client::kClaudeDesktop: return "Claude Desktop";
    case Client::kCursor: return "Cursor";
    case Client::kVsCode: return "VS Code";
  }
  return "";
}

std::optional<Client> ParseClient(std::string_view name) {
  for (Client c : AllClients()) {
    if (ClientName(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kUser: return "user";
    case Scope::kProject: return "project";
    case Scope::kLocal: return "local";
  }
  return "";
}

std::optional<Scope> ParseScope(std::string_view name) {
  for (Scope s : {Scope::kUser, Scope::kProject, Scope::kLocal}) {
    if (ScopeName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view ClientVendor(Client client) {
  switch (client) {
    case Client::kClaudeCode:
    case Client::kClaudeDesktop: return "claude";
    case Client::kCursor: return "cursor";
    case Client::kVsCode: return "copilot";
  }
  return "local";
}

std::vector<Scope> ClientScopes(Client client) {
  switch (client) {
    case Client::kClaudeCode: return {Scope::kUser, Scope::kProject, Scope::kLocal};
    case Client::kClaudeDesktop: return {Scope::kUser};
    case Client::kCursor:
    case Client::kVsCode: return {Scope::kUser, Scope::kProject};
  }
  return {};
}

Result<ConfigLocation> LocateConfig(Client client, Scope scope, const std::string& home,
                                    const std::string& config_home, const std::string& project) {
  bool has_scope = false;
  for (Scope s : ClientScopes(client)) has_scope |= s == scope;
  if (!has_scope) {
    std::string scopes;
    for (Scope s : ClientScopes(client)) scopes += (scopes.empty() ? "" : ", ") + std::string(ScopeName(s));
    return Status::InvalidArgument(std::string(ClientTitle(client)) + " has no " + std::string(ScopeName(scope)) +
                                   " scope (it has: " + scopes + ")");
  }
  ConfigLocation loc;
  switch (client) {
    case Client::kClaudeCode:
      if (scope == Scope::kProject) {
        loc.file = project + "/.mcp.json";
        loc.client_folder = project;
        loc.servers_path = {"mcpServers"};
      } else {
        // Claude Code keeps its settings in ~/.claude.json beside the folder ~/.claude.
        loc.file = home + "/.claude.json";
        loc.client_folder = home + "/.claude";
        loc.servers_path = scope == Scope::kLocal ? std::vector<std::string>{"projects", project, "mcpServers"}
                                                  : std::vector<std::string>{"mcpServers"};
      }
      break;
    case Client::kClaudeDesktop:
#ifdef __APPLE__
      loc.client_folder = home + "/Library/Application Support/Claude";
#else
      loc.client_folder = config_home + "/Claude";
#endif
      loc.file = loc.client_folder + "/claude_desktop_config.json";
      loc.servers_path = {"mcpServers"};
      break;
    case Client::kCursor:
      if (scope == Scope::kProject) {
        loc.client_folder = project;
        loc.file = project + "/.cursor/mcp.json";
        loc.create_folder = true;
      } else {
        loc.client_folder = home + "/.cursor";
        loc.file = loc.client_folder + "/mcp.json";
      }
      loc.servers_path = {"mcpServers"};
      break;
    case Client::kVsCode:
      if (scope == Scope::kProject) {
        loc.client_folder = project;
        loc.file = project + "/.vscode/mcp.json";
        loc.create_folder = true;
      } else {
#ifdef __APPLE__
        loc.client_folder = home + "/Library/Application Support/Code/User";
#else
        loc.client_folder = config_home + "/Code/User";
#endif
        loc.file = loc.client_folder + "/mcp.json";
      }
      loc.servers_path = {"servers"};
      break;
  }
  return loc;
}

json::object ServerEntry(Client client, const ServerSpec& spec) {
  json::object entry;
  if (spec.url.empty()) {
    // Claude Code and VS Code name the transport; Claude Desktop and Cursor infer it.
    if (client == Client::kClaudeCode || client == Client::kVsCode) entry["type"] = "stdio";
    entry["command"] = spec.binary;
    json::array args{"serve", "--stdio"};
    if (!spec.db.empty()) {
      args.emplace_back("--db");
      args.emplace_back(spec.db);
    }
    if (!spec.vendor.empty()) {
      args.emplace_back("--vendor");
      args.emplace_back(spec.vendor);
    }
    entry["args"] = std::move(args);
  } else {
    if (client != Client::kCursor) entry["type"] = "http";
    entry["url"] = spec.url;
    entry["headers"] = json::object{{"Authorization", "Bearer " + spec.key}};
  }
  return entry;
}

std::optional<std::string> EntryBearerKey(const json::object& entry) {
  const json::value* headers = entry.if_contains("headers");
  if (headers == nullptr || !headers->is_object()) return std::nullopt;
  const json::value* auth = headers->get_object().if_contains("Authorization");
  if (auth == nullptr || !auth->is_string()) return std::nullopt;
  std::string_view text = auth->get_string();
  constexpr std::string_view kBearer = "Bearer ";
  if (!text.starts_with(kBearer)) return std::nullopt;
  return std::string(text.substr(kBearer.size()));
}

Result<json::object> ParseConfigText(std::string_view text, bool* lenient_only) {
  if (lenient_only) *lenient_only = false;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object{};
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) {
    json::parse_options lenient;
    lenient.allow_comments = true;
    lenient.allow_trailing_commas = true;
    json::error_code lenient_ec;
    value = json::parse(text, lenient_ec, {}, lenient);
    if (lenient_ec) return Status::InvalidArgument("not valid JSON: " + ec.message());
    if (lenient_only) *lenient_only = true;
  }
  if (!value.is_object()) return Status::InvalidArgument("the top level is not a JSON object");
  return std::move(value.get_object());
}

std::string_view MergeChangeName(MergeChange change) {
  switch (change) {
    case MergeChange::kAdded: return "added";
    case MergeChange::kUpdated: return "updated";
    case MergeChange::kUnchanged: return "unchanged";
  }
  return "";
}

Result<MergeChange> MergeServer(json::object& doc, const std::vector<std::string>& servers_path,
                                std::string_view name, const json::object& entry) {
  json::object* at = &doc;
  std::string where;
  for (const std::string& key : servers_path) {
    where += where.empty() ? key : "." + key;
    json::value& next = (*at)[key];  // null when it was not there
    if (next.is_null()) next = json::object{};
    if (!next.is_object()) return Status::InvalidArgument("\"" + where + "\" is not a JSON object");
    at = &next.get_object();
  }
  json::value* existing = at->if_contains(name);
  if (existing == nullptr) {
    (*at)[name] = entry;
    return MergeChange::kAdded;
  }
  if (existing->is_object() && existing->get_object() == entry) return MergeChange::kUnchanged;
  *existing = entry;
  return MergeChange::kUpdated;
}

const json::object* FindServer(const json::object& doc, const std::vector<std::string>& servers_path,
                               std::string_view name) {
  const json::object* at = &doc;
  for (const std::string& key : servers_path) {
    const json::value* next = at->if_contains(key);
    if (next == nullptr || !next->is_object()) return nullptr;
    at = &next->get_object();
  }
  const json::value* entry = at->if_contains(name);
  return entry != nullptr && entry->is_object() ? &entry->get_object() : nullptr;
}

namespace {

void Pretty(std::string& out, const json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close_pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    const json::object& o = v.get_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& [key, value] : o) {
      if (!first) out += ",\n";
      first = false;
      out += pad + json::serialize(json::string(key)) + ": ";
      Pretty(out, value, indent + 2);
    }
    out += "\n" + close_pad + "}";
  } else if (v.is_array()) {
    const json::array& a = v.get_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const json::value& item : a) {
      if (!first) out += ",\n";
      first = false;
      out += pad;
      Pretty(out, item, indent + 2);
    }
    out += "\n" + close_pad + "]";
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

std::string PrettyJson(const json::value& value) {
  std::string out;
  Pretty(out, value, 0);
  out += "\n";
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string CursorInstallLink(std::string_view name, const json::object& cursor_entry) {
  // The config parameter is the base64 of the entry's JSON; its + / = are percent-encoded so
  // that no URL parser reads a + as a space.
  return "cursor://anysphere.cursor-deeplink/mcp/install?name=" + UrlEncode(name) +
         "&config=" + UrlEncode(Base64Encode(json::serialize(cursor_entry)));
}

std::string VsCodeInstallLink(std::string_view name, const json::object& vscode_entry) {
  json::object config;
  config["name"] = name;
  for (const auto& [key, value] : vscode_entry) config[key] = value;
  return "vscode:mcp/install?" + UrlEncode(json::serialize(config));
}

}  // namespace rm::app
