#include "app/config_file.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "app/database_location.h"

namespace rm::app {

std::vector<std::string> ConfigFiles(const std::string& config_flag) {
  if (!config_flag.empty()) return {config_flag};
  if (const char* env = std::getenv("REFLECT_CONFIG"); env != nullptr && *env != '\0') return {env};
  // The user's file sits beside the default database (~/.reflect-memory/).
  const std::string user = std::filesystem::path(DefaultDatabasePath()).parent_path() / "config.toml";
  return {kSystemConfigFile, user};
}

Result<std::map<std::string, FileSetting>> LoadConfigFiles(const std::string& config_flag) {
  const bool explicit_file = !config_flag.empty() || (std::getenv("REFLECT_CONFIG") && *std::getenv("REFLECT_CONFIG"));
  std::map<std::string, FileSetting> settings;
  for (const std::string& file : ConfigFiles(config_flag)) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      if (explicit_file) return Status::InvalidArgument("config file " + file + " does not exist");
      continue;
    }
    std::vector<CLI::ConfigItem> items;
    try {
      items = CLI::ConfigTOML().from_file(file);
    } catch (const CLI::Error& e) {
      return Status::InvalidArgument("config file " + file + ": " + e.what());
    }
    for (const CLI::ConfigItem& item : items) {
      if (item.name == "--") continue;  // the end of a [section]
      if (!item.parents.empty()) {
        return Status::InvalidArgument("config file " + file + ": " + item.fullname() +
                                       ": sections are not used; write `name = value` at the top level");
      }
      std::string name = item.name;
      for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      settings[name] = FileSetting{item.inputs, file};
    }
  }
  return settings;
}

std::string SettingEnvName(const std::string& name) {
  std::string env = "REFLECT_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

std::string MaskSecret(const std::string& name, const std::string& value) {
  if (name == "api-key") return value.size() > 16 ? value.substr(0, 16) + "..." : std::string("****");
  const auto scheme = value.find("://");
  if (scheme == std::string::npos) return value;
  const auto at = value.find('@', scheme + 3);
  const auto colon = value.find(':', scheme + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return value;
  return value.substr(0, colon + 1) + "****" + value.substr(at);
}

}  // namespace rm::app
