#include "store/usage_daily.h"

#include "store/usage_repository.h"

namespace rm::store {
namespace {

void Add(MonthUsage& usage, const std::string& operation, std::int64_t n) {
  if (operation == UsageOperationName(UsageOperation::kMemoryWrite)) usage.writes += n;
  if (operation == UsageOperationName(UsageOperation::kMemoryRead)) usage.reads += n;
  if (operation == UsageOperationName(UsageOperation::kQuery)) usage.queries += n;
  usage.total_ops += n;
}

}  // namespace

Result<std::vector<OriginUsage>> MonthUsageByOrigin(Connection& conn, std::string_view user_id,
                                                    std::string_view month) {
  // The month's events are those from its first instant to the next month's, a range the
  // (user_id, created_at) index answers (as GetMonthUsageOfOrigin does).
  Statement& s = conn.Prepare(
      "SELECT origin, operation, count(*) FROM usage_events WHERE user_id = ? AND created_at >= ? "
      "AND created_at < ? GROUP BY origin, operation ORDER BY origin");
  s.Bind(1, user_id).Bind(2, MonthStart(month)).Bind(3, MonthStart(NextMonth(month)));
  std::vector<OriginUsage> origins;
  Status read = s.ForEachRow([&](const Statement& row) {
    const std::string origin = row.Text(0);
    if (origins.empty() || origins.back().origin != origin) origins.push_back({origin, {}});
    Add(origins.back().usage, row.Text(1), row.Int64(2));
  });
  if (!read.ok()) return read;
  return origins;
}

Result<std::vector<DayUsage>> DailyUsage(Connection& conn, std::string_view user_id, std::string_view first_day,
                                         std::string_view last_day) {
  // From the first day's first instant to the last day's last millisecond (the store's
  // precision). The day of a timestamp: the first ten characters of SQLite's ISO 8601 text;
  // PostgreSQL's TIMESTAMPTZ is formatted in UTC (the session's time zone) to the same text.
  const char* day = conn.engine() == Engine::kPostgres ? "to_char(created_at, 'YYYY-MM-DD')" : "substr(created_at, 1, 10)";
  Statement& s = conn.Prepare(std::string("SELECT ") + day +
                              " AS day, operation, count(*) FROM usage_events WHERE user_id = ? "
                              "AND created_at >= ? AND created_at <= ? GROUP BY day, operation ORDER BY day");
  s.Bind(1, user_id).Bind(2, std::string(first_day) + "T00:00:00.000Z").Bind(3, std::string(last_day) + "T23:59:59.999Z");
  std::vector<DayUsage> days;
  Status read = s.ForEachRow([&](const Statement& row) {
    const std::string day = row.Text(0);
    if (days.empty() || days.back().day != day) days.push_back({day, {}});
    Add(days.back().usage, row.Text(1), row.Int64(2));
  });
  if (!read.ok()) return read;
  return days;
}

}  // namespace rm::store
