#include "store/usage_daily.h"

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
  // created_at is ISO 8601: the month's events sort between "YYYY-MM-" and "YYYY-MM-~", a range
  // the (user_id, created_at) index answers (as GetMonthUsageOfOrigin does).
  Statement& s = conn.Prepare(
      "SELECT origin, operation, count(*) FROM usage_events WHERE user_id = ? AND created_at >= ? "
      "AND created_at < ? GROUP BY origin, operation ORDER BY origin");
  s.Bind(1, user_id).Bind(2, std::string(month) + "-").Bind(3, std::string(month) + "-~");
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
  // "YYYY-MM-DD" sorts before that day's timestamps and "YYYY-MM-DD~" after them.
  Statement& s = conn.Prepare(
      "SELECT substr(created_at, 1, 10) AS day, operation, count(*) FROM usage_events WHERE user_id = ? "
      "AND created_at >= ? AND created_at < ? GROUP BY day, operation ORDER BY day");
  s.Bind(1, user_id).Bind(2, first_day).Bind(3, std::string(last_day) + "~");
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
