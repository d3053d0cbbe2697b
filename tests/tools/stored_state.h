// What the database holds, read back for tests that must show a call changed
// nothing (StoredState) or was metered exactly (UsageEventsByCaller).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <tuple>

#include "tests/tools/memory_test_env.h"

namespace rm::testing {

// Every row of the tables a tool call may change — memories, their versions,
// usage_events, monthly_usage and idempotency_keys — as text, one line per row.
// Two equal dumps mean nothing was written. Reads' usage rows are committed a
// moment after their answer, so they are flushed first: a metered failure shows.
inline std::string StoredState(MemoryTestEnv& env) {
  env.db().FlushWritesLater();
  std::string dump;
  Status status = env.db().Read([&](store::Connection& c) -> Status {
    for (const char* table : {"memories", "memory_versions", "usage_events", "monthly_usage", "idempotency_keys"}) {
      dump += std::string("== ") + table + "\n";
      store::Statement& rows = c.Prepare(std::string("SELECT * FROM ") + table + " ORDER BY 1");
      while (true) {
        Result<bool> row = rows.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        for (int i = 0; i < rows.ColumnCount(); ++i) dump += (rows.IsNull(i) ? "NULL" : rows.Text(i)) + "|";
        dump += "\n";
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) throw std::runtime_error("reading the stored state: " + status.ToString());
  return dump;
}

// usage_events counted by (user_id, operation, origin), after flushing pending reads.
using UsageTally = std::map<std::tuple<std::string, std::string, std::string>, int>;

inline UsageTally UsageEventsByCaller(MemoryTestEnv& env) {
  env.db().FlushWritesLater();
  UsageTally tally;
  Status status = env.db().Read([&](store::Connection& c) -> Status {
    store::Statement& s =
        c.Prepare("SELECT user_id, operation, origin, count(*) FROM usage_events GROUP BY 1, 2, 3");
    while (true) {
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      tally[{s.Text(0), s.Text(1), s.Text(2)}] = static_cast<int>(s.Int64(3));
    }
  });
  if (!status.ok()) throw std::runtime_error("reading usage_events: " + status.ToString());
  return tally;
}

}  // namespace rm::testing
