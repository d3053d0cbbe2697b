// `reflect-memory connect`, run as a user runs it against a temporary HOME: each client's
// own file is written or merged (valid JSON, other servers and settings kept), a second
// run changes nothing, the file as it was is kept as FILE.bak, the written stdio command
// starts and lists the tools, --http creates an agent key once, --print and --link write
// nothing, and a client that is not installed is a clear error. Also the pure helpers of
// app/client_config.h: merging, pretty JSON, and the install links decoded back.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "app/client_config.h"
#include "tests/cli/cli_runner.h"
#include "tests/stdio/child_process.h"
#include "tests/stdio/json_rpc_lines.h"
#include "tests/store/temp_dir.h"

namespace rm::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using app::Client;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  EXPECT_FALSE(ec) << "not valid JSON: " << text;
  if (ec || !v.is_object()) return {};
  return v.get_object();
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Base64Decode(std::string_view text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const auto pos = alphabet.find(c);
    if (pos == std::string::npos) {
      ADD_FAILURE() << "not base64: " << text;
      return {};
    }
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// The value of query parameter `name` in `url` (still percent-encoded).
std::string QueryParameter(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  if (query == std::string::npos) return {};
  std::istringstream params(url.substr(query + 1));
  std::string param;
  while (std::getline(params, param, '&')) {
    if (param.starts_with(name + "=")) return param.substr(name.size() + 1);
  }
  return {};
}

// Each client: where its user-scope folder and file are under HOME, and its servers key.
struct ClientCase {
  std::string name;
  std::string folder;  // relative to HOME
  std::string file;    // relative to HOME
  std::string servers_key;
};

const std::vector<ClientCase>& Clients() {
  static const std::vector<ClientCase> cases = {
      {"claude-code", ".claude", ".claude.json", "mcpServers"},
      {"claude-desktop", ".config/Claude", ".config/Claude/claude_desktop_config.json", "mcpServers"},
      {"cursor", ".cursor", ".cursor/mcp.json", "mcpServers"},
      {"vscode", ".config/Code/User", ".config/Code/User/mcp.json", "servers"},
  };
  return cases;
}

class ConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::unsetenv("XDG_CONFIG_HOME");  // the clients' folders are under the temporary HOME
    ::unsetenv("REFLECT_API_KEY");
    ::unsetenv("REFLECT_VENDOR");
    fs::create_directories(home());
    fs::create_directories(project());
  }

  fs::path home() const { return dir_.path() / "home"; }
  fs::path project() const { return dir_.path() / "project"; }
  std::string db() const { return (dir_.path() / "memory.db").string(); }

  CliResult Run(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db(), "--project", project().string()});
    return RunCli(args, {home().string(), ""});
  }

  // An admin command on this test's database.
  CliResult Admin(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db()});
    return RunCli(args, {home().string(), ""});
  }

  // Lists the tools through the server that `entry` (a stdio entry) starts.
  std::vector<std::string> ToolsThrough(const json::object& entry) {
    std::vector<std::string> argv = {std::string(entry.at("command").as_string())};
    for (const json::value& a : entry.at("args").as_array()) argv.emplace_back(a.as_string());
    testing_support::ChildProcess server(argv, /*capture_stderr=*/false);
    server.io().WriteLine(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"connect-test","version":"1"}}})");
    server.io().WriteLine(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    server.io().WriteLine(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
    std::vector<std::string> tools;
    for (int i = 0; i < 4 && tools.empty(); ++i) {
      auto line = server.io().ReadLine();
      if (!line) break;
      json::object message = testing_support::JsonRpcMessage(*line);
      const json::value* id = message.if_contains("id");
      if (id == nullptr || *id != 2) continue;
      for (const json::value& tool : message.at("result").at("tools").as_array()) {
        tools.emplace_back(tool.at("name").as_string());
      }
    }
    server.io().CloseWrite();
    EXPECT_EQ(server.Wait(), 0);
    return tools;
  }

  TempDir dir_;
};

TEST_F(ConnectTest, EachClientMergesKeepsOtherServersIsIdempotentKeepsABackupAndTheCommandAnswersToolsList) {
  for (const ClientCase& c : Clients()) {
    SCOPED_TRACE(c.name);
    const fs::path file = home() / c.file;
    fs::create_directories(home() / c.folder);
    const std::string original = "{\"theme\": \"dark\", \"" + c.servers_key +
                                 "\": {\"other\": {\"command\": \"/usr/bin/other\", \"args\": [\"x\"]}}}\n";
    Spit(file, original);

    CliResult first = Run({"connect", c.name});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_TRUE(Contains(first.out, "added")) << first.out;
    EXPECT_TRUE(Contains(first.out, file.string())) << first.out;

    const std::string written = Slurp(file);
    json::object doc = ParseObject(written);
    EXPECT_EQ(doc.at("theme"), "dark") << "other settings are kept";
    const json::object& servers = doc.at(c.servers_key).as_object();
    EXPECT_EQ(servers.at("other").at("command"), "/usr/bin/other") << "other servers are kept";
    const json::object& entry = servers.at("reflect-memory").as_object();
    const json::array& args = entry.at("args").as_array();
    EXPECT_TRUE(fs::path(std::string(entry.at("command").as_string())).is_absolute());
    ASSERT_GE(args.size(), 6u);
    EXPECT_EQ(args[0], "serve");
    EXPECT_EQ(args[1], "--stdio");
    EXPECT_EQ(std::string(args[3].as_string()), db());
    EXPECT_EQ(args[5], c.name == "vscode" ? "copilot" : c.name == "cursor" ? "cursor" : "claude");
    if (c.name == "vscode" || c.name == "claude-code") {
      EXPECT_EQ(entry.at("type"), "stdio");
    }

    EXPECT_EQ(Slurp(file.string() + ".bak"), original) << "the file as it was is kept";

    CliResult second = Run({"connect", c.name});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_TRUE(Contains(second.out, "unchanged")) << second.out;
    EXPECT_EQ(Slurp(file), written) << "a second run changes nothing";
    EXPECT_EQ(Slurp(file.string() + ".bak"), original);

    const std::vector<std::string> tools = ToolsThrough(entry);
    EXPECT_NE(std::find(tools.begin(), tools.end(), "search_memories"), tools.end())
        << "the written command serves the memory tools";
  }
}

TEST_F(ConnectTest, ANewFileIsCreatedWhenTheClientHasNone) {
  fs::create_directories(home() / ".cursor");
  CliResult r = Run({"connect", "cursor"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object doc = ParseObject(Slurp(home() / ".cursor/mcp.json"));
  EXPECT_TRUE(doc.at("mcpServers").as_object().contains("reflect-memory"));
  EXPECT_FALSE(fs::exists(home() / ".cursor/mcp.json.bak")) << "nothing to back up";
}

TEST_F(ConnectTest, AClientThatIsNotInstalledIsAClearErrorAndWritesNothing) {
  for (const ClientCase& c : Clients()) {
    SCOPED_TRACE(c.name);
    CliResult r = Run({"connect", c.name});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(Contains(r.err, "does not look installed")) << r.err;
    EXPECT_TRUE(Contains(r.err, "fix:")) << r.err;
    EXPECT_FALSE(fs::exists(home() / c.file));
  }
  EXPECT_FALSE(fs::exists(db())) << "no key, no database";
}

TEST_F(ConnectTest, ProjectScopeWritesTheProjectsFile) {
  ASSERT_EQ(Run({"connect", "cursor", "--scope", "project"}).exit_code, 0);
  ASSERT_EQ(Run({"connect", "vscode", "--scope", "project"}).exit_code, 0);
  ASSERT_EQ(Run({"connect", "claude-code", "--scope", "project"}).exit_code, 0);
  EXPECT_TRUE(ParseObject(Slurp(project() / ".cursor/mcp.json")).at("mcpServers").as_object().contains("reflect-memory"));
  EXPECT_TRUE(ParseObject(Slurp(project() / ".vscode/mcp.json")).at("servers").as_object().contains("reflect-memory"));
  EXPECT_TRUE(ParseObject(Slurp(project() / ".mcp.json")).at("mcpServers").as_object().contains("reflect-memory"));

  CliResult desktop = Run({"connect", "claude-desktop", "--scope", "project"});
  EXPECT_EQ(desktop.exit_code, 2) << "Claude Desktop has no project scope";
  EXPECT_TRUE(Contains(desktop.err, "no project scope")) << desktop.err;
}

TEST_F(ConnectTest, ClaudeCodeLocalScopeGoesUnderTheProjectInClaudeJson) {
  Spit(home() / ".claude.json", R"({"numStartups": 3, "projects": {"/elsewhere": {"mcpServers": {}}}})");
  ASSERT_EQ(Run({"connect", "claude-code", "--scope", "local"}).exit_code, 0);
  json::object doc = ParseObject(Slurp(home() / ".claude.json"));
  EXPECT_EQ(doc.at("numStartups"), 3);
  EXPECT_TRUE(doc.at("projects").as_object().contains("/elsewhere"));
  EXPECT_TRUE(doc.at("projects").at(project().string()).at("mcpServers").as_object().contains("reflect-memory"));
  EXPECT_FALSE(doc.contains("mcpServers")) << "local scope is not user scope";
}

TEST_F(ConnectTest, CommentsInAJsoncFileAreAcceptedAndKeptInTheBackup) {
  const std::string jsonc = "// my servers\n{\n  \"servers\": {\n    \"other\": {\"type\": \"stdio\", \"command\": \"x\"}, // mine\n  },\n}\n";
  Spit(home() / ".config/Code/User/mcp.json", jsonc);
  CliResult r = Run({"connect", "vscode"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "comments were not kept")) << r.out;
  json::object doc = ParseObject(Slurp(home() / ".config/Code/User/mcp.json"));
  EXPECT_TRUE(doc.at("servers").as_object().contains("other"));
  EXPECT_EQ(Slurp(home() / ".config/Code/User/mcp.json.bak"), jsonc);
}

TEST_F(ConnectTest, AFileThatIsNotJsonIsLeftAlone) {
  Spit(home() / ".cursor/mcp.json", "{ not json");
  CliResult r = Run({"connect", "cursor"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Contains(r.err, "not valid JSON")) << r.err;
  EXPECT_EQ(Slurp(home() / ".cursor/mcp.json"), "{ not json");
}

TEST_F(ConnectTest, PrintShowsTheConfigAndWritesNothing) {
  CliResult r = Run({"connect", "vscode", "--print"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object doc = ParseObject(r.out);
  EXPECT_EQ(doc.at("servers").at("reflect-memory").at("type"), "stdio");
  EXPECT_FALSE(fs::exists(home() / ".config")) << "--print writes no file, even where the client is missing";
}

TEST_F(ConnectTest, HttpWritesANewAgentKeyForTheClientsVendorOnceAndAFilePrivateToItsOwner) {
  fs::create_directories(home() / ".cursor");
  CliResult first = Run({"connect", "cursor", "--http", "http://127.0.0.1:8765/mcp"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(Contains(first.err, "created agent key")) << first.err;
  const fs::path file = home() / ".cursor/mcp.json";
  const std::string written = Slurp(file);
  const json::object entry = ParseObject(written).at("mcpServers").at("reflect-memory").as_object();
  EXPECT_EQ(entry.at("url"), "http://127.0.0.1:8765/mcp");
  const std::string auth(entry.at("headers").at("Authorization").as_string());
  ASSERT_TRUE(auth.starts_with("Bearer rm_live_")) << auth;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the file holds a key";

  CliResult keys = Admin({"key", "list", "--user", "local@localhost", "--json"});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  json::value list = json::parse(keys.out);
  ASSERT_EQ(list.as_array().size(), 1u);
  EXPECT_EQ(list.at(0).at("vendor"), "cursor");
  EXPECT_EQ(std::string(list.at(0).at("key_prefix").as_string()), auth.substr(7, 16));

  CliResult second = Run({"connect", "cursor", "--http", "http://127.0.0.1:8765/mcp"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(Contains(second.out, "unchanged")) << second.out;
  EXPECT_FALSE(Contains(second.err, "created agent key")) << "the working key is kept";
  EXPECT_EQ(Slurp(file), written);

  CliResult other = Run({"connect", "cursor", "--http", "http://127.0.0.1:8765/mcp", "--key-vendor", "windsurf"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_TRUE(Contains(other.out, "updated")) << other.out;
  EXPECT_EQ(json::parse(Admin({"key", "list", "--user", "local@localhost", "--json"}).out).as_array().size(), 2u);
}

TEST_F(ConnectTest, UsageErrorsExitTwo) {
  fs::create_directories(home() / ".config/Claude");
  EXPECT_EQ(Run({"connect", "claude-desktop", "--http", "http://127.0.0.1:8765/mcp"}).exit_code, 2);
  EXPECT_EQ(Run({"connect", "cursor", "--http", "ftp://x"}).exit_code, 2);
  EXPECT_EQ(Run({"connect", "notepad"}).exit_code, 2);
  EXPECT_EQ(Run({"connect", "claude-code", "--link"}).exit_code, 2);
  EXPECT_EQ(Run({"connect", "cursor", "--vendor", "Bad Name!", "--print"}).exit_code, 2);
  EXPECT_EQ(Run({"connect"}).exit_code, 2);
}

TEST_F(ConnectTest, ListShowsWhichClientsAreConfigured) {
  fs::create_directories(home() / ".cursor");
  ASSERT_EQ(Run({"connect", "cursor"}).exit_code, 0);
  CliResult r = Run({"connect", "--list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  bool cursor_user = false;
  const json::value rows = json::parse(r.out);
  for (const json::value& row : rows.as_array()) {
    const std::string status(row.at("status").as_string());
    if (row.at("client") == "cursor" && row.at("scope") == "user") {
      cursor_user = true;
      EXPECT_TRUE(status.starts_with("configured: stdio ")) << status;
    } else if (row.at("client") == "claude-desktop") {
      EXPECT_EQ(status, "client not found");
    } else {
      EXPECT_FALSE(status.starts_with("configured")) << row;
    }
  }
  EXPECT_TRUE(cursor_user);
  EXPECT_TRUE(Contains(Run({"connect", "--list"}).out, "CLIENT"));
}

TEST_F(ConnectTest, CursorLinkDecodesToTheCursorEntry) {
  CliResult r = Run({"connect", "cursor", "--link"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string link = r.LastLine();
  ASSERT_TRUE(link.starts_with("cursor://anysphere.cursor-deeplink/mcp/install?")) << link;
  EXPECT_EQ(PercentDecode(QueryParameter(link, "name")), "reflect-memory");
  json::object config = ParseObject(Base64Decode(PercentDecode(QueryParameter(link, "config"))));
  EXPECT_EQ(config.at("args").at(0), "serve");
  EXPECT_EQ(std::string(config.at("args").at(3).as_string()), db());
  EXPECT_EQ(config.at("args").at(5), "cursor");
  EXPECT_TRUE(fs::path(std::string(config.at("command").as_string())).is_absolute());
  EXPECT_FALSE(fs::exists(home() / ".cursor")) << "--link writes no file";
}

TEST_F(ConnectTest, VsCodeLinkDecodesToANamedServer) {
  CliResult r = Run({"connect", "vscode", "--link"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string link = r.LastLine();
  const std::string prefix = "vscode:mcp/install?";
  ASSERT_TRUE(link.starts_with(prefix)) << link;
  json::object config = ParseObject(PercentDecode(link.substr(prefix.size())));
  EXPECT_EQ(config.at("name"), "reflect-memory");
  EXPECT_EQ(config.at("type"), "stdio");
  EXPECT_EQ(config.at("args").at(5), "copilot");
  const std::vector<std::string> tools = ToolsThrough(config);
  EXPECT_FALSE(tools.empty()) << "the linked command serves";
}

// The pure helpers.
TEST(ClientConfig, Base64AndUrlEncodingMatchTheirRfcs) {
  EXPECT_EQ(app::Base64Encode(""), "");
  EXPECT_EQ(app::Base64Encode("f"), "Zg==");
  EXPECT_EQ(app::Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(app::Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(app::Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(app::UrlEncode("a b/{\"c\":1}~-_."), "a%20b%2F%7B%22c%22%3A1%7D~-_.");
  const std::string bytes("\xff\x00\x10 any bytes", 13);
  EXPECT_EQ(Base64Decode(app::Base64Encode(bytes)), bytes);
}

TEST(ClientConfig, MergeKeepsOrderAndOtherKeysAndReportsTheChange) {
  auto doc = app::ParseConfigText(R"({"b": 1, "mcpServers": {"z": {}, "a": {"command": "a"}}})");
  ASSERT_TRUE(doc.ok());
  json::object entry{{"command", "rm"}};
  EXPECT_EQ(*app::MergeServer(*doc, {"mcpServers"}, "reflect-memory", entry), app::MergeChange::kAdded);
  EXPECT_EQ(*app::MergeServer(*doc, {"mcpServers"}, "reflect-memory", entry), app::MergeChange::kUnchanged);
  EXPECT_EQ(*app::MergeServer(*doc, {"mcpServers"}, "reflect-memory", {{"command", "rm2"}}),
            app::MergeChange::kUpdated);
  EXPECT_EQ(app::PrettyJson(*doc),
            "{\n  \"b\": 1,\n  \"mcpServers\": {\n    \"z\": {},\n    \"a\": {\n      \"command\": \"a\"\n    },\n"
            "    \"reflect-memory\": {\n      \"command\": \"rm2\"\n    }\n  }\n}\n");
  auto bad = app::ParseConfigText(R"({"mcpServers": []})");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(app::MergeServer(*bad, {"mcpServers"}, "x", entry).ok()) << "a non-object is not replaced";
  EXPECT_FALSE(app::ParseConfigText("[1]").ok());
  EXPECT_TRUE(app::ParseConfigText("  \n").ok()) << "an empty file is an empty object";
}

TEST(ClientConfig, HttpEntriesInEachClientsFormat) {
  app::ServerSpec spec;
  spec.url = "https://memory.example/mcp";
  spec.key = "rm_live_x";
  EXPECT_EQ(app::ServerEntry(Client::kVsCode, spec).at("type"), "http");
  EXPECT_EQ(app::ServerEntry(Client::kClaudeCode, spec).at("type"), "http");
  EXPECT_FALSE(app::ServerEntry(Client::kCursor, spec).contains("type"));
  EXPECT_EQ(app::EntryBearerKey(app::ServerEntry(Client::kCursor, spec)), "rm_live_x");
}

}  // namespace
}  // namespace rm::testing
