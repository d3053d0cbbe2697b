// How a users row is read, shared by the repositories that return a User
// (users.cc, orgs.cc). Internal to store/.
#pragma once

#include "store/statement.h"
#include "store/users.h"

namespace rm::store {

// The columns to SELECT, in the order UserFromRow reads them. A macro so that
// whole statements stay compile-time literals: "SELECT " RM_USER_COLUMNS " FROM users".
#define RM_USER_COLUMNS "id, email, role, plan, org_id, org_role, team_id, created_at, updated_at"

User UserFromRow(const Statement& row);

}  // namespace rm::store
