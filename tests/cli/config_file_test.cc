// The config file (app/config_file.h): for `serve` settings, a flag beats its environment
// variable, which beats the user's file, which beats the system file, which beats the default;
// `config show` tells each value's source with secrets masked; a bad file is a usage error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/cli/cli_runner.h"
#include "tests/store/temp_dir.h"

namespace rm::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class ConfigFileTest : public ::testing::Test {
 protected:
  fs::path home() const { return dir_.path() / "home"; }
  std::string user_file() const { return (home() / ".reflect-memory/config.toml").string(); }
  std::string db() const { return dir_.File("memory.db"); }

  void WriteFile(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }

  CliResult Run(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
    fs::create_directories(home());
    env.push_back("REFLECT_CONFIG=");  // the default files, not one named by the caller's environment
    return RunCli(args, {home().string(), "", env});
  }

  // `config show --json` as name -> {value, source}.
  std::map<std::string, std::pair<std::string, std::string>> Show(std::vector<std::string> env = {},
                                                                   std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"config", "show", "--json"});
    CliResult r = Run(args, std::move(env));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::pair<std::string, std::string>> out;
    const json::value rows = json::parse(r.out);
    for (const json::value& row : rows.as_array()) {
      out[std::string(row.at("name").as_string())] = {std::string(row.at("value").as_string()),
                                                       std::string(row.at("source").as_string())};
    }
    return out;
  }

  TempDir dir_;
};

TEST_F(ConfigFileTest, PrecedenceTable) {
  struct Row {
    std::string file;                  // the user's config.toml ("" : none)
    std::vector<std::string> env;      // environment
    std::vector<std::string> flags;    // serve flags
    bool info_logged;                  // the effective level lets info lines through
  };
  // log-level decides whether `serve` prints its info line "serving MCP over stdio".
  const std::vector<Row> table = {
      {"", {}, {}, true},                                                             // default: info
      {"log-level = \"warn\"\n", {}, {}, false},                                     // file > default
      {"log_level = \"warn\"\n", {}, {}, false},                                     // _ reads as -
      {"log-level = \"warn\"\n", {"REFLECT_LOG_LEVEL=info"}, {}, true},              // env > file
      {"", {"REFLECT_LOG_LEVEL=warn"}, {}, false},                                   // env > default
      {"log-level = \"info\"\n", {"REFLECT_LOG_LEVEL=info"}, {"--log-level", "warn"}, false},  // flag > env
      {"log-level = \"warn\"\n", {}, {"--log-level", "info"}, true},                 // flag > file
  };
  for (std::size_t i = 0; i < table.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    fs::remove(user_file());
    if (!table[i].file.empty()) WriteFile(user_file(), table[i].file);
    std::vector<std::string> args = {"serve", "--db", db()};
    args.insert(args.end(), table[i].flags.begin(), table[i].flags.end());
    CliResult r = Run(args, table[i].env);  // stdin is empty: the session ends at once
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Contains(r.err, "serving MCP over stdio"), table[i].info_logged) << r.err;
  }
}

TEST_F(ConfigFileTest, ConfigShowTellsEachSourceAndMasksSecrets) {
  auto shown = Show();
  EXPECT_EQ(shown["rate-limit"], std::make_pair(std::string("100"), std::string("default")));
  EXPECT_EQ(shown["db"].second, "default");

  WriteFile(user_file(), "# mine\nrate-limit = 50\ndb = \"postgresql://rm:hunter2@db.example/rm\"\n"
                         "allow-origin = [\"https://a.example\", \"https://b.example\"]\n");
  shown = Show({"REFLECT_API_KEY=rm_live_0123456789abcdef0123456789abcdef0123456789abcdef"});
  EXPECT_EQ(shown["rate-limit"], std::make_pair(std::string("50"), user_file()));
  EXPECT_EQ(shown["allow-origin"].first, "https://a.example,https://b.example");
  EXPECT_EQ(shown["db"].first, "postgresql://rm:****@db.example/rm") << "the password is masked";
  EXPECT_EQ(shown["api-key"].first, "rm_live_01234567...") << "the key is masked";

  shown = Show({"REFLECT_RATE_LIMIT=70", "REFLECT_DB=/tmp/env.db"});
  EXPECT_EQ(shown["rate-limit"], std::make_pair(std::string("70"), std::string("env REFLECT_RATE_LIMIT")));
  EXPECT_EQ(shown["db"], std::make_pair(std::string("/tmp/env.db"), std::string("env REFLECT_DB")));
  shown = Show({"REFLECT_DB=/tmp/env.db"}, {"--db", "/tmp/flag.db"});
  EXPECT_EQ(shown["db"], std::make_pair(std::string("/tmp/flag.db"), std::string("flag")));
}

TEST_F(ConfigFileTest, ConfigFlagAndEnvironmentNameTheFile) {
  const std::string file = dir_.File("other.toml");
  WriteFile(file, "rate-limit = 7\n");
  WriteFile(user_file(), "rate-limit = 50\n");
  EXPECT_EQ(Show({}, {"--config", file})["rate-limit"], std::make_pair(std::string("7"), file));
  EXPECT_EQ(Show({"REFLECT_CONFIG=" + file})["rate-limit"], std::make_pair(std::string("7"), file));
}

TEST_F(ConfigFileTest, TheDatabaseFromTheFileCountsForEveryCommand) {
  WriteFile(user_file(), "db = \"" + db() + "\"\n");
  CliResult add = Run({"user", "add", "a@example.com"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_TRUE(fs::exists(db()));
  EXPECT_FALSE(fs::exists(home() / ".reflect-memory/memory.db"));
}

TEST_F(ConfigFileTest, ABadFileIsAUsageErrorNamingIt) {
  const std::string file = dir_.File("bad.toml");
  for (const char* text : {"bogus = 1\n", "rate-limit = \"fast\"\n", "[serve]\nrate-limit = 5\n",
                                  "log-level = \"loud\"\n"}) {
    SCOPED_TRACE(text);
    WriteFile(file, text);
    CliResult r = Run({"serve", "--db", db(), "--config", file});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(Contains(r.err, file)) << r.err;
  }
  CliResult missing = Run({"serve", "--db", db(), "--config", dir_.File("none.toml")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "does not exist")) << missing.err;
}

}  // namespace
}  // namespace rm::testing
