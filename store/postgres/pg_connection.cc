#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <utility>

#include "store/postgres/pg_status.h"

namespace rm::store::postgres {
namespace {

// libpq's messages end with a newline (and may span lines); a Status message is one line.
std::string Trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Results that mean the statement ran; everything else is a failure.
bool Succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

// Notices ("relation ... already exists, skipping") are not errors, and libpq's
// default prints them to stderr; the store reports through Status and its log.
void IgnoreNotice(void*, const char*) {}

// What every new session needs, on connecting and on reconnecting.
Status StartSession(PGconn* conn) {
  if (PQstatus(conn) != CONNECTION_OK) return Status::Unavailable(Trimmed(PQerrorMessage(conn)));
  // Every string the store reads or writes is UTF-8, whatever the server's default.
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    return Status::Internal("cannot set client_encoding to UTF8: " + Trimmed(PQerrorMessage(conn)));
  }
  return Status::Ok();
}

}  // namespace

Result<PgConnection> PgConnection::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Status::Unavailable("libpq could not allocate a connection");
  if (Status started = StartSession(conn); !started.ok()) {
    PQfinish(conn);
    return started;
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return PgConnection(conn);
}

PgConnection::PgConnection(pg_conn* conn) : conn_(conn), cancel_(PQgetCancel(conn)) {}

bool PgConnection::RequestCancel() const {
  if (cancel_ == nullptr) return false;
  char error[256];
  return PQcancel(cancel_, error, sizeof error) == 1;
}

bool PgConnection::Broken() const { return conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD; }

Status PgConnection::Reconnect() {
  if (conn_ == nullptr) return Status::Internal("use of a moved-from PgConnection");
  PQreset(conn_);
  // A new session has a new backend process and cancel key.
  if (cancel_ != nullptr) PQfreeCancel(cancel_);
  cancel_ = PQgetCancel(conn_);
  return StartSession(conn_);
}

PgConnection::PgConnection(PgConnection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), cancel_(std::exchange(other.cancel_, nullptr)) {}

PgConnection& PgConnection::operator=(PgConnection&& other) noexcept {
  if (this != &other) {
    if (cancel_ != nullptr) PQfreeCancel(cancel_);
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
    cancel_ = std::exchange(other.cancel_, nullptr);
  }
  return *this;
}

PgConnection::~PgConnection() {
  if (cancel_ != nullptr) PQfreeCancel(cancel_);
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgConnection::ErrorOf(const PGresult* result) const {
  bool bad = PQstatus(conn_) == CONNECTION_BAD;
  if (result == nullptr) return PgErrorStatus("", Trimmed(PQerrorMessage(conn_)), bad);
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary ? primary : Trimmed(PQresultErrorMessage(result));
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
    message += " (" + std::string(detail) + ")";
  }
  if (sqlstate) message += " [SQLSTATE " + std::string(sqlstate) + "]";
  return PgErrorStatus(sqlstate ? sqlstate : "", message, bad);
}

Status PgConnection::Exec(const std::string& sql) {
  if (conn_ == nullptr) return Status::Internal("use of a moved-from PgConnection");
  PgRows rows(PQexec(conn_, sql.c_str()));
  // PQexec returns the last statement's result; an earlier failure stops the script there.
  const PGresult* result = rows.raw();
  if (result != nullptr && Succeeded(result)) return Status::Ok();
  return ErrorOf(result);
}

Result<PgRows> PgConnection::Query(const std::string& sql, const std::vector<PgParam>& params) {
  return Query(sql, params, std::vector<unsigned>(params.size(), 0));
}

Result<PgRows> PgConnection::Query(const std::string& sql, const std::vector<PgParam>& params,
                                   const std::vector<unsigned>& types) {
  if (conn_ == nullptr) return Status::Internal("use of a moved-from PgConnection");
  if (types.size() != params.size()) return Status::Internal("one type per parameter, please");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Text parameters and text results; a type of 0 lets the server infer it (libpq's Oid is unsigned int).
  PgRows rows(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), types.data(), values.data(),
                           nullptr, nullptr, 0));
  const PGresult* result = rows.raw();
  if (result != nullptr && Succeeded(result)) return rows;
  return ErrorOf(result);
}

Status PgConnection::PrepareNamed(const std::string& name, const std::string& sql,
                                  const std::vector<unsigned>& types) {
  if (conn_ == nullptr) return Status::Internal("use of a moved-from PgConnection");
  PgRows rows(PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data()));
  const PGresult* result = rows.raw();
  if (result != nullptr && Succeeded(result)) return Status::Ok();
  return ErrorOf(result);
}

Result<PgRows> PgConnection::QueryPrepared(const std::string& name, const std::vector<PgParam>& params) {
  if (conn_ == nullptr) return Status::Internal("use of a moved-from PgConnection");
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgRows rows(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
  const PGresult* result = rows.raw();
  if (result != nullptr && Succeeded(result)) return rows;
  return ErrorOf(result);
}

bool PgConnection::InTransaction() const {
  if (conn_ == nullptr) return false;
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

}  // namespace rm::store::postgres
