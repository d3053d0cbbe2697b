// Request states already acted on (migration 8): a sealed multi-round-trip state
// (tools/request_state.h) may be used once, across every process serving the store.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

// Records that the state `state_id` (32 hex characters) is used, to be remembered
// until `expires_at` (unix seconds), and forgets the states expired at `now`.
// FailedPrecondition if it was used before. Call inside the write transaction that
// acts on the state, so the record and the action commit (or roll back) together.
Status RecordUsedRequestState(Connection& conn, std::string_view state_id, std::int64_t expires_at,
                              std::int64_t now);

}  // namespace rm::store
