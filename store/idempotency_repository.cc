#include "store/idempotency_repository.h"

namespace rm::store {

Result<std::optional<IdempotencyRecord>> FindIdempotencyRecord(Connection& conn,
                                                               std::string_view user_id,
                                                               std::string_view request_id) {
  Statement& s = conn.Prepare(
      "SELECT request_hash, result_json FROM idempotency_keys WHERE user_id = ? AND request_id = ?");
  s.Bind(1, user_id).Bind(2, request_id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  std::optional<IdempotencyRecord> found;
  if (*row) found = IdempotencyRecord{s.Text(0), s.Text(1)};
  s.Reset();
  return found;
}

Status SaveIdempotencyRecord(Connection& conn, std::string_view user_id,
                             std::string_view request_id, const IdempotencyRecord& record,
                             std::string_view created_at) {
  Statement& s = conn.Prepare(
      "INSERT INTO idempotency_keys (user_id, request_id, request_hash, result_json, created_at) "
      "VALUES (?, ?, ?, ?, ?)");
  s.Bind(1, user_id).Bind(2, request_id).Bind(3, record.request_hash);
  s.Bind(4, record.result_json).Bind(5, created_at);
  return s.Run();
}

}  // namespace rm::store
