#include "tests/cli/cli_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/crypto.h"

extern char** environ;

namespace rm::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Our environment with HOME/REFLECT_DB replaced as asked.
std::vector<std::string> ChildEnvironment(const CliEnvironment& env) {
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (var.rfind("REFLECT_DB=", 0) == 0) continue;
    if (!env.home.empty() && var.rfind("HOME=", 0) == 0) continue;
    bool replaced = false;
    for (const std::string& e : env.extra) replaced |= var.rfind(e.substr(0, e.find('=') + 1), 0) == 0;
    if (replaced) continue;
    vars.push_back(var);
  }
  if (!env.home.empty()) vars.push_back("HOME=" + env.home);
  if (!env.reflect_db.empty()) vars.push_back("REFLECT_DB=" + env.reflect_db);
  vars.insert(vars.end(), env.extra.begin(), env.extra.end());
  return vars;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> ptrs;
  for (std::string& s : strings) ptrs.push_back(s.data());
  ptrs.push_back(nullptr);
  return ptrs;
}

}  // namespace

std::string CliResult::LastLine() const {
  std::istringstream lines(out);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

CliResult RunCli(const std::vector<std::string>& args, const CliEnvironment& env) {
  std::string base = "/tmp/rm-cli-" + RandomHex(8);
  std::string out_path = base + ".out", err_path = base + ".err";

  std::vector<std::string> argv_strings = {RM_CLI_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = ChildEnvironment(env);
  std::vector<char*> argv = Pointers(argv_strings), envp = Pointers(env_strings);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string in_path = base + ".in";
  if (!env.stdin_text.empty()) std::ofstream(in_path, std::ios::binary) << env.stdin_text;
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, env.stdin_text.empty() ? "/dev/null" : in_path.c_str(),
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_strings[0]);

  int status = 0;
  waitpid(pid, &status, 0);
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  std::remove((base + ".in").c_str());
  return result;
}

}  // namespace rm::testing
