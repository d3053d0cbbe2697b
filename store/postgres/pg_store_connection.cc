#include "store/postgres/pg_store_connection.h"

namespace rm::store::postgres {

namespace {
// Timestamps come back as "... +00", which PgStatement writes in the store's form.
constexpr const char* kSessionSettings = "SET TIME ZONE 'UTC'";
}  // namespace

Result<std::unique_ptr<PgStoreConnection>> PgStoreConnection::Open(const std::string& conninfo) {
  Result<PgConnection> conn = PgConnection::Open(conninfo);
  if (!conn.ok()) return conn.status();
  std::unique_ptr<PgStoreConnection> store(new PgStoreConnection(std::move(*conn)));
  RM_RETURN_IF_ERROR(store->conn_.Exec(kSessionSettings));
  return store;
}

Status PgStoreConnection::Reconnect() {
  cache_.clear();  // named statements of the old session; none is in use between transactions
  RM_RETURN_IF_ERROR(conn_.Reconnect());
  return conn_.Exec(kSessionSettings);
}

PgStatement& PgStoreConnection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto statement = std::make_unique<PgStatement>(conn_, std::string(sql), "rm" + std::to_string(cache_.size() + 1),
                                                   [this](std::int64_t changed, const Status& failure) {
      changes_ = changed;
      if (failure.code() == Status::Code::kAlreadyExists || failure.code() == Status::Code::kConflict) {
        lost_a_race_ = true;
      }
    });
    it = cache_.emplace(std::string(sql), std::move(statement)).first;
  } else {
    it->second->Reset();
  }
  if (on_statement_) on_statement_(sql);
  return *it->second;
}

Status PgStoreConnection::ExecScript(const std::string& sql) { return conn_.Exec(sql); }

void PgStoreConnection::ResetStatements() {
  for (auto& [sql, statement] : cache_) {
    if (statement->busy()) statement->Reset();
  }
}

void PgStoreConnection::TraceStatements(std::function<void(std::string_view sql)> on_statement) {
  on_statement_ = std::move(on_statement);
}

}  // namespace rm::store::postgres
