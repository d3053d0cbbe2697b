// idempotency_keys (migration 4): the first result of each (user, request_id).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct IdempotencyRecord {
  std::string request_hash;  // what was asked: tool name + canonical arguments, hashed
  std::string result_json;   // what was answered
};

// The record of `request_id` for `user_id`, if one exists.
Result<std::optional<IdempotencyRecord>> FindIdempotencyRecord(Connection& conn,
                                                               std::string_view user_id,
                                                               std::string_view request_id);

// Records the first result. AlreadyExists if the key is taken (the caller looked first,
// inside the same transaction, so this means a bug).
Status SaveIdempotencyRecord(Connection& conn, std::string_view user_id,
                             std::string_view request_id, const IdempotencyRecord& record,
                             std::string_view created_at);

}  // namespace rm::store
