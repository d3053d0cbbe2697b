// Per-user settings that change how the tools behave (migration 9): for now,
// whether write_memory merges a near-identical recent memory by default.
#pragma once

#include <string_view>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

// write_memory's merge_similar default for the user (false for an unknown user).
Result<bool> UserMergesSimilar(Connection& conn, std::string_view user_id);

// Sets it. NotFound for an unknown user. Needs a write connection.
Status SetUserMergesSimilar(Connection& conn, std::string_view user_id, bool merge);

}  // namespace rm::store
