// Runs the real reflect-memory binary and captures what it printed, for the CLI tests.
#pragma once

#include <string>
#include <vector>

namespace rm::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  // The last non-empty line of stdout (where create commands print the new id).
  std::string LastLine() const;
};

struct CliEnvironment {
  std::string home;        // $HOME for the child ("" keeps ours)
  std::string reflect_db;  // $REFLECT_DB for the child ("" unsets it)
  std::vector<std::string> extra = {};  // more NAME=value variables, replacing inherited ones
  std::string stdin_text = {};           // what the child reads on stdin ("" : /dev/null)
};

// Runs RM_CLI_BINARY with `args` (each passed as one argument, no shell parsing).
CliResult RunCli(const std::vector<std::string>& args, const CliEnvironment& env = {});

}  // namespace rm::testing
