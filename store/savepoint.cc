#include "store/savepoint.h"

#include <string>

namespace rm::store {

Status RunCallerFunction(const TransactionFn& fn, Connection& conn, const char* kind) {
  try {
    return fn(conn);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("a ") + kind + " function threw: " + e.what());
  } catch (...) {
    return Status::Internal(std::string("a ") + kind + " function threw a non-standard exception");
  }
}

Status RunInSavepoint(Connection& conn, const TransactionFn& fn, const char* kind) {
  RM_RETURN_IF_ERROR(conn.Exec("SAVEPOINT write_fn"));
  Status status = RunCallerFunction(fn, conn, kind);
  conn.ResetStatements();
  if (!conn.InTransaction()) return status;
  if (status.ok()) {
    status = conn.Exec("RELEASE write_fn");
    if (status.ok()) return status;
  }
  conn.Exec("ROLLBACK TO write_fn");  // undo this function's changes only
  conn.Exec("RELEASE write_fn");
  return status;
}

}  // namespace rm::store
