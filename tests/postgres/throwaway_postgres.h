// ThrowawayPostgres: a real PostgreSQL 15 for the tests of store/postgres, started
// from Debian's binaries (/usr/lib/postgresql/15/bin, or $RM_PG_BINDIR) in a temporary folder and
// removed afterwards.
//
// One server per test binary (ThrowawayPostgresServer, a GoogleTest global
// environment), because initdb is the slow part (~1.5 s of the ~2 s startup). It
// starts on the first test that asks for it, so a binary (or a ctest run of one
// test) that needs no server pays nothing, and stops after the last test. Each test gets its own fresh
// database on it (ThrowawayPostgres::SetUp), so tests never see each other's tables.
// The server is initdb'd with trust auth for user "rm", listens on a free
// loopback port and a socket in its folder, and runs with fsync off: its data
// is thrown away anyway.
//
// PostgreSQL refuses to run as root, and CI runs as root: then initdb and pg_ctl
// run as the "postgres" system user (created by Debian's postgresql package)
// through runuser, in a folder owned by that user.
// Without the binaries every test skips, saying why; with them, a server that does
// not start fails the tests.
//
// One server for a whole test run: scripts/test starts one (scripts/throwaway-postgres)
// and sets RM_TEST_POSTGRES_PORT; every test binary then creates its databases there
// (named after its process id) and drops them when it ends, instead of starting its own —
// ctest runs each test case in its own process, and initdb for each cost seconds apiece.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace rm::testing {

class ThrowawayPostgresServer : public ::testing::Environment {
 public:
  // The one registered with GoogleTest (by throwaway_postgres.cc).
  static ThrowawayPostgresServer& Get();

  // initdb + pg_ctl start, the first time only; false (see error()) if it failed.
  bool EnsureStarted();
  void TearDown() override;  // pg_ctl stop -m immediate, remove the folder

  bool running() const { return running_; }
  bool binaries_missing() const { return binaries_missing_; }
  const std::string& error() const { return error_; }  // why it is not running
  double startup_seconds() const { return startup_seconds_; }

  // A libpq conninfo for database `dbname` on this server.
  std::string Conninfo(const std::string& dbname) const;
  // The same database as a postgresql:// URL, as a person gives it to --db: user rm, and
  // `password` if not empty (the server trusts every local connection and ignores it).
  std::string Url(const std::string& dbname, const std::string& password = "") const;
  // Creates a new empty database and returns its conninfo; "" with a test failure
  // if that fails.
  std::string NewDatabase();
  // The name of the database NewDatabase made last.
  const std::string& last_database() const { return last_database_; }

 private:
  bool Start();
  // Uses the server on 127.0.0.1:$RM_TEST_POSTGRES_PORT (user rm), if that is set.
  bool UseShared();

  bool attempted_ = false;  // EnsureStarted ran once (it never retries)

  std::filesystem::path dir_;  // the temporary folder: data/, the socket, logs
  int port_ = 0;
  bool running_ = false;
  bool binaries_missing_ = false;
  std::string error_;
  double startup_seconds_ = 0;
  int databases_ = 0;  // how many NewDatabase made (names t<pid>_1, t<pid>_2, ...)
  std::string last_database_;
  bool shared_ = false;  // the test run's server, not started by this process
  std::vector<std::string> created_;  // databases made on a shared server, dropped at the end
};

// Base fixture: a fresh database on the shared server, or a skip/failure saying why not.
class ThrowawayPostgres : public ::testing::Test {
 protected:
  void SetUp() override;

  std::string conninfo_;  // of this test's own database
  std::string database_;  // its name
  std::string url_;       // the same, as a postgresql:// URL (ThrowawayPostgresServer::Url)
};

}  // namespace rm::testing
