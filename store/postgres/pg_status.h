// How a PostgreSQL failure becomes an rm::Status (util/status.h), so code above the
// store branches on the same codes whichever engine answered.
//
// The SQLSTATE decides, not the message text: messages are translated by the
// server's lc_messages, SQLSTATEs are stable (PostgreSQL manual, Appendix A).
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace rm::store::postgres {

// `sqlstate` is the five-character code ("" when the server sent none, e.g. the
// connection broke); `connection_bad` is PQstatus(conn) == CONNECTION_BAD.
//   40001 serialization failure, 40P01 deadlock  -> Conflict, "... retry ..."
//     (the transaction was rolled back whole, so running it again is safe)
//   08xxx connection exceptions, 57P01-57P03 server shutting down or starting,
//     or a bad connection                          -> Unavailable
//   23505 unique violation                         -> AlreadyExists
//   other 23xxx integrity violations (FK, CHECK, NOT NULL) -> InvalidArgument
//   anything else                                  -> Internal (a bug in our SQL)
Status PgErrorStatus(std::string_view sqlstate, const std::string& message, bool connection_bad);

}  // namespace rm::store::postgres
