#include "tests/postgres/throwaway_postgres.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "store/postgres/pg_connection.h"

extern char** environ;

namespace rm::testing {
namespace {

// Debian's PostgreSQL 15; RM_PG_BINDIR points elsewhere (another install or version).
const std::filesystem::path kBinDir =
    std::getenv("RM_PG_BINDIR") ? std::getenv("RM_PG_BINDIR") : "/usr/lib/postgresql/15/bin";

// Registered before main() runs, so GoogleTest stops it after the last test.
ThrowawayPostgresServer* const g_server = [] {
  auto* server = new ThrowawayPostgresServer;  // GoogleTest owns it from here
  ::testing::AddGlobalTestEnvironment(server);
  return server;
}();

// A port no one listens on now: the kernel picks it for a socket we then close.
// Another process could take it before PostgreSQL does; Start() then fails clearly.
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `argv` (no shell: every argument is passed as is) in `cwd`, its output
// appended to `log`; as the postgres user when we are root. Returns the exit status.
int Run(std::vector<std::string> argv, const std::filesystem::path& cwd,
        const std::filesystem::path& log) {
  if (geteuid() == 0) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The postgres user may not be able to enter our working directory (initdb and
  // pg_ctl look it up), so the child starts in the server's folder.
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ThrowawayPostgresServer& ThrowawayPostgresServer::Get() { return *g_server; }

std::string ThrowawayPostgresServer::Conninfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=rm dbname=" + dbname +
         " connect_timeout=5";
}

std::string ThrowawayPostgresServer::Url(const std::string& dbname, const std::string& password) const {
  return "postgresql://rm" + (password.empty() ? "" : ":" + password) + "@127.0.0.1:" + std::to_string(port_) + "/" +
         dbname;
}

bool ThrowawayPostgresServer::EnsureStarted() {
  if (attempted_) return running_;
  attempted_ = true;
  auto start = std::chrono::steady_clock::now();
  running_ = UseShared() || Start();
  startup_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (running_) {
    std::printf("[ThrowawayPostgres] PostgreSQL 15 on 127.0.0.1:%d %s in %.2f s\n", port_,
                shared_ ? "(the test run's) reached" : "started", startup_seconds_);
  }
  return running_;
}

bool ThrowawayPostgresServer::UseShared() {
  const char* port = std::getenv("RM_TEST_POSTGRES_PORT");
  if (port == nullptr || *port == '\0') return false;
  port_ = std::atoi(port);
  auto admin = rm::store::postgres::PgConnection::Open(Conninfo("postgres"));
  if (!admin.ok()) {
    error_ = "RM_TEST_POSTGRES_PORT=" + std::string(port) + " but no PostgreSQL answers there: " +
             admin.status().ToString();
    return false;
  }
  shared_ = true;
  return true;
}

bool ThrowawayPostgresServer::Start() {
  if (!std::filesystem::exists(kBinDir / "initdb") || !std::filesystem::exists(kBinDir / "pg_ctl")) {
    binaries_missing_ = true;
    error_ = "PostgreSQL 15 is not installed (no " + kBinDir.string() +
             "/initdb): apt-get install postgresql (scripts/install-deps)";
    return false;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "rm-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    error_ = "cannot create a temporary folder";
    return false;
  }
  dir_ = tmpl;
  if (geteuid() == 0) {
    const passwd* pg = getpwnam("postgres");
    if (pg == nullptr) {
      binaries_missing_ = true;
      error_ = "running as root and there is no 'postgres' user to run PostgreSQL as";
      return false;
    }
    if (chown(dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      error_ = "cannot chown " + dir_.string() + " to postgres";
      return false;
    }
  }
  port_ = FreeLoopbackPort();
  const std::filesystem::path log = dir_ / "setup.log";
  const std::string data = (dir_ / "data").string();
  // --no-sync and the C locale: the fastest initdb, and the data is thrown away.
  int rc = Run({(kBinDir / "initdb").string(), "-D", data, "-A", "trust", "-U", "rm", "-E", "UTF8",
                "--locale=C", "--no-sync", "--no-instructions"},
               dir_, log);
  if (rc != 0) {
    error_ = "initdb failed (" + std::to_string(rc) + "):\n" + ReadFile(log);
    return false;
  }
  // -F: fsync off. -k: the socket in our folder, not /var/run/postgresql.
  std::string options = "-k " + dir_.string() + " -p " + std::to_string(port_) +
                        " -h 127.0.0.1 -F";
  rc = Run({(kBinDir / "pg_ctl").string(), "-D", data, "-l", (dir_ / "server.log").string(), "-w",
            "-t", "30", "-o", options, "start"},
           dir_, log);
  if (rc != 0) {
    error_ = "pg_ctl start failed (" + std::to_string(rc) + "):\n" + ReadFile(log) +
             ReadFile(dir_ / "server.log");
    return false;
  }
  // pg_ctl -w returns once the server accepts connections; check that we can.
  auto admin = rm::store::postgres::PgConnection::Open(Conninfo("postgres"));
  if (!admin.ok()) {
    error_ = "server started but refuses connections: " + admin.status().ToString();
    running_ = true;  // so TearDown stops it
    TearDown();
    return false;
  }
  return true;
}

void ThrowawayPostgresServer::TearDown() {
  if (shared_) {
    // The server is the test run's; only this process's databases go.
    if (auto admin = rm::store::postgres::PgConnection::Open(Conninfo("postgres")); admin.ok()) {
      for (const std::string& name : created_) (void)admin->Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
    created_.clear();
    running_ = false;
    return;
  }
  if (running_) {
    Run({(kBinDir / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "-w",
         "stop"},
        dir_, dir_ / "setup.log");
    running_ = false;
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
}

std::string ThrowawayPostgresServer::NewDatabase() {
  auto admin = rm::store::postgres::PgConnection::Open(Conninfo("postgres"));
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  if (!admin.ok()) return "";
  // A database name is an identifier, which cannot be a parameter; this one is
  // "t", this process's id and a counter, nothing from outside. The process id keeps
  // the test binaries that share one server (RM_TEST_POSTGRES_PORT) apart.
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  last_database_ = name;
  rm::Status created = admin->Exec("CREATE DATABASE " + name);
  EXPECT_TRUE(created.ok()) << created.ToString();
  if (created.ok()) created_.push_back(name);
  return created.ok() ? Conninfo(name) : "";
}

void ThrowawayPostgres::SetUp() {
  ThrowawayPostgresServer& server = ThrowawayPostgresServer::Get();
  server.EnsureStarted();
  if (server.binaries_missing()) GTEST_SKIP() << server.error();
  ASSERT_TRUE(server.running()) << server.error();
  conninfo_ = server.NewDatabase();
  ASSERT_FALSE(conninfo_.empty());
  database_ = server.last_database();
  url_ = server.Url(database_);
}

}  // namespace rm::testing
