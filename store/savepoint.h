// RunInSavepoint: one function's work inside a transaction that others share.
#pragma once

#include <functional>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

using TransactionFn = std::function<Status(Connection&)>;

// Runs `fn` on `conn` (inside an open transaction) in its own SAVEPOINT: if it fails
// or throws, only its own changes are rolled back, and the failure (a throw becomes
// Internal) is returned. `kind` names the function in that message ("write").
// If `fn` or SQLite ended the transaction, the caller finds it no longer open.
Status RunInSavepoint(Connection& conn, const TransactionFn& fn, const char* kind);

// `fn` (conn), with a throw turned into an Internal status naming `kind`.
Status RunCallerFunction(const TransactionFn& fn, Connection& conn, const char* kind);

}  // namespace rm::store
