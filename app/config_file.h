// The configuration file (issue 19): every `serve` flag can also be set in
// /etc/reflect-memory/config.toml or ~/.reflect-memory/config.toml, one `name = value`
// line per flag (the flag's name without its dashes; `db` for the database):
//
//   http = "127.0.0.1:8765"
//   db = "/var/lib/reflect-memory/memory.db"
//   allow-origin = ["https://a.example", "https://b.example"]
//
// Precedence: a flag on the command line > its environment variable (REFLECT_ and the
// name in capitals, '-' as '_': REFLECT_LOG_LEVEL) > the user's file > the system file >
// the built-in default. `--config FILE` or $REFLECT_CONFIG reads that file instead of both.
// The file is read with CLI11's TOML reader; values are checked by the flags themselves.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace rm::app {

inline constexpr const char* kSystemConfigFile = "/etc/reflect-memory/config.toml";

struct FileSetting {
  std::vector<std::string> values;
  std::string file;  // where it was set
};

// The files read, in increasing precedence: `config_flag` alone if given, else $REFLECT_CONFIG
// alone if set, else the system file and then ~/.reflect-memory/config.toml.
std::vector<std::string> ConfigFiles(const std::string& config_flag);

// The settings of those files by name ("log-level"; `_` is read as `-`), later files winning.
// A file named by --config or $REFLECT_CONFIG must exist; the default ones may be missing.
// A line CLI11 cannot read, or a [section], is an InvalidArgument naming the file.
Result<std::map<std::string, FileSetting>> LoadConfigFiles(const std::string& config_flag);

// The environment variable of a setting: "log-level" -> "REFLECT_LOG_LEVEL".
std::string SettingEnvName(const std::string& name);

// `value` with any secret in it hidden: the password of a URL (postgresql://u:****@h/db),
// or everything after the first 16 characters of an API key.
std::string MaskSecret(const std::string& name, const std::string& value);

}  // namespace rm::app
