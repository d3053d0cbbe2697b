// PgConnection: one libpq connection to PostgreSQL, closed (PQfinish) when it goes.
//
// A thin RAII layer of our own over libpq rather than libpqxx: libpqxx is not in
// the project's chosen stack and would be one more dependency to package, while
// libpq is what Debian's libpq-dev gives and is all we need — open, run a script,
// run one parameterized statement, map errors to rm::Status (store/postgres/pg_status.h).
//
// Values never enter SQL text: Query() sends them as separate parameters
// ($1, $2, ... through PQexecParams), so a quote in a value is just a character.
//
// A connection serves one thread at a time (libpq's rule); give each thread its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_rows.h"
#include "util/status.h"

struct pg_conn;    // libpq's PGconn, kept out of this header
struct pg_cancel;  // libpq's PGcancel

namespace rm::store::postgres {

// One text parameter; std::nullopt is SQL NULL.
using PgParam = std::optional<std::string>;

class PgConnection {
 public:
  // Connects with a libpq conninfo ("host=... port=... dbname=..." or a
  // postgresql:// URL). Unavailable when the server cannot be reached.
  static Result<PgConnection> Open(const std::string& conninfo);

  PgConnection(PgConnection&& other) noexcept;
  PgConnection& operator=(PgConnection&& other) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs `sql`, which may hold several statements (a migration script, BEGIN,
  // COMMIT). No parameters: for SQL written entirely by us.
  Status Exec(const std::string& sql);

  // Runs one statement with text parameters $1..$N and returns its rows (none
  // for INSERT/UPDATE without RETURNING). The server infers each parameter's type;
  // cast in the SQL where it cannot ($1::bigint).
  Result<PgRows> Query(const std::string& sql, const std::vector<PgParam>& params = {});
  // The same with each parameter's type oid (0: inferred by the server), one per parameter.
  Result<PgRows> Query(const std::string& sql, const std::vector<PgParam>& params,
                       const std::vector<unsigned>& types);

  // Prepares `sql` as the named statement `name` of this session (PQprepare), with one type
  // oid per parameter (0: inferred); QueryPrepared runs it. Parsed and planned once, run
  // many times: what a repository's hot statement wants.
  Status PrepareNamed(const std::string& name, const std::string& sql, const std::vector<unsigned>& types);
  Result<PgRows> QueryPrepared(const std::string& name, const std::vector<PgParam>& params);

  // True inside a transaction block (BEGIN ... COMMIT), failed ones included.
  bool InTransaction() const;

  // True once the connection to the server is lost (it went away, restarted, or
  // terminated this session); every statement fails until Reconnect() succeeds.
  bool Broken() const;
  // Connects again with the same parameters (PQreset). The new session starts clean:
  // no prepared statements, session settings back to their defaults. Unavailable while
  // the server cannot be reached.
  Status Reconnect();

  // Asks the server to stop the statement this connection is running (PQcancel): it then
  // fails with query_canceled; a request that arrives when none runs is ignored. Safe to
  // call from another thread than the one using the connection — the one thing that is.
  // False if the request could not be sent.
  bool RequestCancel() const;

 private:
  explicit PgConnection(pg_conn* conn);
  // The Status for a failed result (or a missing one: out of memory, connection lost).
  Status ErrorOf(const struct pg_result* result) const;

  pg_conn* conn_ = nullptr;
  pg_cancel* cancel_ = nullptr;  // made once per session: PQgetCancel is not for other threads
};

}  // namespace rm::store::postgres
