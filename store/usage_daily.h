// Usage as the dashboard shows it (SPEC §9): this month's calls per origin (vendor) and the
// calls of each day, both read from usage_events (monthly_usage has no origin or day).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/usage_repository.h"
#include "util/status.h"

namespace rm::store {

struct OriginUsage {
  std::string origin;  // a vendor, "api" (owner keys over HTTP), "dashboard", …
  MonthUsage usage;
};
// The user's calls in `month` ("YYYY-MM"), one entry per origin that made any, by origin.
Result<std::vector<OriginUsage>> MonthUsageByOrigin(Connection& conn, std::string_view user_id,
                                                    std::string_view month);

struct DayUsage {
  std::string day;  // "YYYY-MM-DD" (UTC)
  MonthUsage usage;
};
// The user's calls on each day from `first_day` to `last_day` ("YYYY-MM-DD", both included),
// oldest first; days without calls are left out.
Result<std::vector<DayUsage>> DailyUsage(Connection& conn, std::string_view user_id, std::string_view first_day,
                                         std::string_view last_day);

}  // namespace rm::store
