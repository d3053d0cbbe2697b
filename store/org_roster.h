// Who and what an org holds, for the org page: its members and its teams.
#pragma once

#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/orgs.h"
#include "store/users.h"
#include "util/status.h"

namespace rm::store {

// The org's members: owner first, then admins, then members, each by email.
Result<std::vector<User>> ListOrgMembers(Connection& conn, std::string_view org_id);

// The org's teams by name.
Result<std::vector<Team>> ListTeamsOfOrg(Connection& conn, std::string_view org_id);

}  // namespace rm::store
