#include "store/postgres/pg_status.h"

namespace rm::store::postgres {

Status PgErrorStatus(std::string_view sqlstate, const std::string& message, bool connection_bad) {
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return Status::Conflict("transaction aborted by a concurrent one, retry: " + message);
  }
  // A lost connection has no SQLSTATE at all; 57P0x are admin_shutdown,
  // crash_shutdown and cannot_connect_now: the server, not our SQL, is the problem.
  bool unavailable = connection_bad || sqlstate.starts_with("08") || sqlstate == "57P01" ||
                     sqlstate == "57P02" || sqlstate == "57P03";
  if (unavailable) return Status::Unavailable(message);
  if (sqlstate == "23505") return Status::AlreadyExists(message);
  if (sqlstate.starts_with("23")) return Status::InvalidArgument(message);
  return Status::Internal(message);
}

}  // namespace rm::store::postgres
