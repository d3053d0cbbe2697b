#include "store/plans.h"

namespace rm::store {

std::optional<PlanLimits> LimitsOfPlan(std::string_view plan) {
  if (plan == "free") return PlanLimits{200, 2, false};
  if (plan == "builder" || plan == "pro") return PlanLimits{400, 5, false};
  if (plan == "team") return PlanLimits{4000, 10, true};
  if (plan == "admin") return PlanLimits{std::nullopt, std::nullopt, false};
  return std::nullopt;
}

}  // namespace rm::store
