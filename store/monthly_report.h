// The monthly usage report the admin CLI prints (`reflect-memory usage`).
// Reads monthly_usage, which the memory tools keep up to date (store/usage_*).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct MonthlyUsageLine {
  std::string user_id;
  std::string email;
  std::string month;  // YYYY-MM
  std::int64_t writes = 0;
  std::int64_t reads = 0;
  std::int64_t queries = 0;
  std::int64_t total_ops = 0;
};

// One line per user (or only `user_id`), with zeros for users without usage
// that month, ordered by email. InvalidArgument for a malformed month.
Result<std::vector<MonthlyUsageLine>> MonthlyUsageReport(Connection& conn, std::string_view month,
                                                         const std::optional<std::string>& user_id);

}  // namespace rm::store
