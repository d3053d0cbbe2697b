#include "store/usage_repository.h"

#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {

const char* UsageOperationName(UsageOperation op) {
  switch (op) {
    case UsageOperation::kMemoryWrite: return "memory_write";
    case UsageOperation::kMemoryRead: return "memory_read";
    case UsageOperation::kQuery: return "query";
  }
  return "memory_read";
}

Status RecordUsage(Connection& conn, const UsageEvent& event) {
  Statement& insert = conn.Prepare(
      "INSERT INTO usage_events (id, user_id, operation, origin, request_id, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, event.id).Bind(2, event.user_id).Bind(3, UsageOperationName(event.operation));
  insert.Bind(4, event.origin).Bind(5, event.request_key).Bind(6, event.created_at);
  RM_RETURN_IF_ERROR(insert.Run());

  const int writes = event.operation == UsageOperation::kMemoryWrite;
  const int reads = event.operation == UsageOperation::kMemoryRead;
  const int queries = event.operation == UsageOperation::kQuery;
  Statement& month = conn.Prepare(
      "INSERT INTO monthly_usage (id, user_id, month, writes, reads, queries, total_ops) "
      "VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (user_id, month) DO UPDATE SET "
      "writes = writes + excluded.writes, reads = reads + excluded.reads, "
      "queries = queries + excluded.queries, total_ops = total_ops + 1");
  month.Bind(1, NewUuid()).Bind(2, event.user_id).Bind(3, MonthOf(event.created_at));
  month.Bind(4, writes).Bind(5, reads).Bind(6, queries);
  return month.Run();
}

Result<MonthUsage> GetMonthUsage(Connection& conn, std::string_view user_id,
                                 std::string_view month) {
  Statement& s = conn.Prepare(
      "SELECT writes, reads, queries, total_ops FROM monthly_usage WHERE user_id = ? AND month = ?");
  s.Bind(1, user_id).Bind(2, month);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  MonthUsage usage;
  if (*row) usage = {s.Int64(0), s.Int64(1), s.Int64(2), s.Int64(3)};
  s.Reset();
  return usage;
}

}  // namespace rm::store
