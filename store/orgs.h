// Orgs, teams and memberships. An org is a company; a team a sub-unit of one org.
// A user belongs to at most one org (users.org_id, with users.org_role) and at
// most one team of that org (users.team_id), as the canonical schema models it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "store/users.h"
#include "util/status.h"

namespace rm::store {

struct Org {
  std::string id;  // UUIDv4
  std::string name;
  std::string owner_id;
  std::string plan;
  std::string created_at;
  std::string updated_at;
};

struct Team {
  std::string id;  // UUIDv4
  std::string org_id;
  std::string name;  // unique within its org
  std::string created_at;
  std::string updated_at;
};

// Creates an org owned by `owner_user_id`, who becomes its member with org_role
// "owner". NotFound for an unknown owner; Conflict if the owner already belongs
// to another org; InvalidArgument for an empty or over-long name.
Result<Org> CreateOrg(Connection& conn, std::string_view name, std::string_view owner_user_id);
Result<Org> FindOrgById(Connection& conn, std::string_view org_id);

// Creates a team in an org. NotFound for an unknown org; AlreadyExists if the
// org has a team of that name.
Result<Team> CreateTeam(Connection& conn, std::string_view org_id, std::string_view name);
Result<Team> FindTeamById(Connection& conn, std::string_view team_id);

struct Membership {
  std::string org_id;
  std::string user_id;
  std::string org_role = "member";    // owner | admin | member
  std::optional<std::string> team_id = std::nullopt;  // must be a team of org_id
};
// Puts a user in an org (and optionally one of its teams) with a role; for a
// user already in that org, updates role and team. Returns the updated user.
// NotFound for an unknown org, user or team; InvalidArgument for a bad role or a
// team of another org; Conflict if the user belongs to another org, or if the
// org's owner would lose the owner role.
Result<User> SetMembership(Connection& conn, const Membership& membership);

// HoldUserRow (store/users.h) for a limit an org shares (the team plan's memories).
Status HoldOrgRow(Connection& conn, std::string_view org_id);

}  // namespace rm::store
