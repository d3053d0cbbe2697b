// Plan limits (SPEC §3): how many memories and active API keys a plan allows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rm::store {

struct PlanLimits {
  std::optional<std::int64_t> max_memories;  // nullopt: unlimited
  std::optional<std::int64_t> max_api_keys;  // active (not revoked) keys per user; nullopt: unlimited
  bool memories_counted_per_org = false;     // team: the memory limit is shared by the org
};

// free 200 / 2, builder and pro 400 / 5, team 4,000 per org / 10, admin unlimited.
// Unknown plans (not in the users.plan CHECK) get nullopt.
std::optional<PlanLimits> LimitsOfPlan(std::string_view plan);

}  // namespace rm::store
