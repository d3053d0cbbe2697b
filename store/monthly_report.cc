#include "store/monthly_report.h"

#include "store/validation.h"

namespace rm::store {

Result<std::vector<MonthlyUsageLine>> MonthlyUsageReport(
    Connection& conn, std::string_view month, const std::optional<std::string>& user_id) {
  RM_RETURN_IF_ERROR(ValidateMonth(month));
  Statement& s = conn.Prepare(
      "SELECT u.id, u.email, COALESCE(m.writes, 0), COALESCE(m.reads, 0), "
      "       COALESCE(m.queries, 0), COALESCE(m.total_ops, 0) "
      "FROM users u LEFT JOIN monthly_usage m ON m.user_id = u.id AND m.month = ?1 "
      "WHERE u.id = ?2 OR ?2 IS NULL ORDER BY u.email");  // ?2 IS NULL last: see memory_filters.cc
  s.Bind(1, month).Bind(2, user_id);
  return s.CollectRows<MonthlyUsageLine>([&](const Statement& r) {
    return MonthlyUsageLine{r.Text(0),  r.Text(1),  std::string(month), r.Int64(2),
                            r.Int64(3), r.Int64(4), r.Int64(5)};
  });
}

}  // namespace rm::store
