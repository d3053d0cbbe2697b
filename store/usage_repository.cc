#include "store/usage_repository.h"

#include <cstdio>

#include <map>
#include <utility>

#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {

// "2026-12" -> "2026-12-01T00:00:00.000Z", the store's timestamp form.
std::string MonthStart(std::string_view month) { return std::string(month) + "-01T00:00:00.000Z"; }

// "2026-12" -> "2027-01". `month` is a validated YYYY-MM.
std::string NextMonth(std::string_view month) {
  int year = std::stoi(std::string(month.substr(0, 4)));
  int mon = std::stoi(std::string(month.substr(5, 2))) + 1;
  if (mon == 13) {
    mon = 1;
    ++year;
  }
  char out[32];  // room for any int pair, so the compiler knows nothing is cut
  std::snprintf(out, sizeof out, "%04d-%02d", year, mon);
  return out;
}

namespace {

}  // namespace


const char* UsageOperationName(UsageOperation op) {
  switch (op) {
    case UsageOperation::kMemoryWrite: return "memory_write";
    case UsageOperation::kMemoryRead: return "memory_read";
    case UsageOperation::kQuery: return "query";
  }
  return "memory_read";
}

namespace {

Status InsertUsageEvent(Connection& conn, const UsageEvent& event) {
  Statement& insert = conn.Prepare(
      "INSERT INTO usage_events (id, user_id, operation, origin, request_id, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, event.id).Bind(2, event.user_id).Bind(3, UsageOperationName(event.operation));
  insert.Bind(4, event.origin).Bind(5, event.request_key).Bind(6, event.created_at);
  return insert.Run();
}

void Count(MonthUsage& usage, UsageOperation operation) {
  usage.writes += operation == UsageOperation::kMemoryWrite;
  usage.reads += operation == UsageOperation::kMemoryRead;
  usage.queries += operation == UsageOperation::kQuery;
  usage.total_ops += 1;
}

Status AddToMonthlyUsage(Connection& conn, const std::string& user_id, const std::string& month,
                         const MonthUsage& add) {
  Statement& upsert = conn.Prepare(
      "INSERT INTO monthly_usage (id, user_id, month, writes, reads, queries, total_ops) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, month) DO UPDATE SET "
      // Qualified: PostgreSQL reads a bare `writes` as ambiguous (the row or excluded).
      "writes = monthly_usage.writes + excluded.writes, reads = monthly_usage.reads + excluded.reads, "
      "queries = monthly_usage.queries + excluded.queries, total_ops = monthly_usage.total_ops + excluded.total_ops");
  upsert.Bind(1, NewUuid()).Bind(2, user_id).Bind(3, month);
  upsert.Bind(4, add.writes).Bind(5, add.reads).Bind(6, add.queries).Bind(7, add.total_ops);
  return upsert.Run();
}

}  // namespace

Status RecordUsage(Connection& conn, const UsageEvent& event) {
  RM_RETURN_IF_ERROR(InsertUsageEvent(conn, event));
  MonthUsage add;
  Count(add, event.operation);
  return AddToMonthlyUsage(conn, event.user_id, MonthOf(event.created_at), add);
}

Status RecordUsageBatch(Connection& conn, const std::vector<UsageEvent>& events) {
  // One monthly_usage update per user and month, not per event: the totals are the same.
  std::map<std::pair<std::string, std::string>, MonthUsage> months;
  for (const UsageEvent& event : events) {
    RM_RETURN_IF_ERROR(InsertUsageEvent(conn, event));
    Count(months[{event.user_id, MonthOf(event.created_at)}], event.operation);
  }
  for (const auto& [user_and_month, add] : months) {
    RM_RETURN_IF_ERROR(AddToMonthlyUsage(conn, user_and_month.first, user_and_month.second, add));
  }
  return Status::Ok();
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

namespace {

// Adds the rows of `s` (operation, count) to a MonthUsage.
Result<MonthUsage> SumOperations(Statement& s) {
  MonthUsage usage;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string operation = s.Text(0);
    const std::int64_t n = s.Int64(1);
    if (operation == UsageOperationName(UsageOperation::kMemoryWrite)) usage.writes += n;
    if (operation == UsageOperationName(UsageOperation::kMemoryRead)) usage.reads += n;
    if (operation == UsageOperationName(UsageOperation::kQuery)) usage.queries += n;
    usage.total_ops += n;
  }
  return usage;
}

}  // namespace

Result<MonthUsage> GetMonthUsageOfOrigin(Connection& conn, std::string_view user_id, std::string_view origin,
                                         std::string_view month) {
  // The month's events are those from its first instant to the next month's, a range the
  // (user_id, created_at) index answers; written as timestamps, which both engines compare
  // (SQLite as ISO 8601 text, PostgreSQL as TIMESTAMPTZ).
  Statement& s = conn.Prepare(
      "SELECT operation, count(*) FROM usage_events WHERE user_id = ? AND created_at >= ? AND created_at < ? "
      "AND origin = ? GROUP BY operation");
  s.Bind(1, user_id).Bind(2, MonthStart(month)).Bind(3, MonthStart(NextMonth(month))).Bind(4, origin);
  return SumOperations(s);
}

Result<MonthUsage> CountMonthUsageEvents(Connection& conn, std::string_view user_id, std::string_view month) {
  Statement& s = conn.Prepare(
      "SELECT operation, count(*) FROM usage_events WHERE user_id = ? AND created_at >= ? AND created_at < ? "
      "GROUP BY operation");
  s.Bind(1, user_id).Bind(2, MonthStart(month)).Bind(3, MonthStart(NextMonth(month)));
  return SumOperations(s);
}

}  // namespace rm::store
