#include "store/used_request_states.h"

#include <string>

namespace rm::store {

Status RecordUsedRequestState(Connection& conn, std::string_view state_id, std::int64_t expires_at,
                              std::int64_t now) {
  // An expired state is refused before it gets here, so its row is no longer needed.
  Statement& purge = conn.Prepare("DELETE FROM used_request_states WHERE expires_at <= ?1");
  purge.Bind(1, now);
  RM_RETURN_IF_ERROR(purge.Run());
  Statement& insert = conn.Prepare(
      "INSERT INTO used_request_states(state_id, expires_at) VALUES (?1, ?2) ON CONFLICT(state_id) DO NOTHING");
  insert.Bind(1, std::string(state_id)).Bind(2, expires_at);
  RM_RETURN_IF_ERROR(insert.Run());
  if (conn.Changes() == 0) {
    return Status::FailedPrecondition("this requestState was already used");
  }
  return Status::Ok();
}

}  // namespace rm::store
