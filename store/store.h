// Store: the transactions of the store's database, whichever engine holds it.
//
//   Status s = store.Write([&](Connection& c) { return InsertUser(c, ...).status(); });
//   Result<User> u = ReadValue<User>(store, [&](Connection& c) { return FindUserById(c, id); });
//
// A function given to Write() runs atomically (it all commits, or none of it does);
// one given to Read() sees one consistent snapshot. The engines: Database (SQLite,
// store/database.h: group commit, a reader pool) and PgDatabase (PostgreSQL,
// store/postgres/pg_database.h: a transaction per call on a connection pool).
// The repositories (store/*.h) take the Connection& these hand out.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "store/connection.h"
#include "store/savepoint.h"
#include "util/status.h"

namespace rm::store {

class Store {
 public:
  virtual ~Store() = default;

  virtual Engine engine() const = 0;
  // Runs `fn` atomically; returns once committed (or failed, with nothing of fn kept).
  virtual Status Write(const TransactionFn& fn) = 0;
  // Runs `fn` inside one read transaction.
  virtual Status Read(const TransactionFn& fn) = 0;
  // Read() for a caller who may give up meanwhile (an MCP request the client cancelled):
  // once `should_stop` answers true the read ends with kCancelled — before it starts (fn
  // does not run) or, where the engine can, while fn steps a statement.
  virtual Status Read(const TransactionFn& fn, const std::function<bool()>& should_stop) = 0;
  // Queues `fn` to be committed soon, for writes the caller need not wait for (read
  // metering). A failure is logged, not reported.
  virtual void WriteLater(TransactionFn fn) = 0;
  // Returns once everything WriteLater() queued before the call is committed.
  virtual void FlushWritesLater() = 0;
};

// Write()/Read() for a function that produces a value: runs `fn`
// (Connection& -> Result<T>) and returns its value, or the failure — for a
// write, only once the value's transaction is committed:
//   Result<User> user = WriteValue<User>(db, [&](Connection& c) { return InsertUser(c, u); });
namespace internal {
// Runs `fn` through `run` (&Store::Write or &Store::Read), keeping its value.
template <typename T, typename Fn>
Result<T> RunForValue(Store& store, Status (Store::*run)(const TransactionFn&), Fn& fn) {
  std::optional<T> value;
  Status status = (store.*run)([&](Connection& conn) -> Status {
    Result<T> result = fn(conn);
    if (!result.ok()) return result.status();
    value.emplace(std::move(result).value());
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*value);
}
}  // namespace internal

template <typename T, typename Fn>
Result<T> WriteValue(Store& store, Fn&& fn) {
  return internal::RunForValue<T>(store, &Store::Write, fn);
}

template <typename T, typename Fn>
Result<T> ReadValue(Store& store, Fn&& fn) {
  return internal::RunForValue<T>(store, &Store::Read, fn);
}

}  // namespace rm::store
