// Managing an org's members (issue 16, Build 5; SPEC §3): change a member's role or team,
// remove a member, leave an org. The rules live here, not only on the pages:
//
//  - the actor must be an owner or admin of the org (PermissionDenied otherwise);
//  - the member must be in that org (NotFound otherwise, with one message whether the id is
//    unknown or belongs to someone of another org: other orgs' people are not confirmed to exist);
//  - only owners make someone owner, or demote or remove an owner (PermissionDenied for admins);
//  - the org's last owner cannot be demoted, removed or leave (FailedPrecondition: make someone
//    else owner first).
//
// Removing and leaving clear users.org_id, org_role and team_id. When the member named by
// orgs.owner_id stops being an owner, orgs.owner_id moves to another owner (the earliest to
// join), so that it always names a current owner (SetMembership relies on it).
//
// Memories are not touched: what a member shared with the org or a team stays shared with it
// (SPEC §3: a shared memory belongs to its author and is visible to the pool; nothing defines
// taking it back on departure). The former member still reads and edits their own memories, and
// no longer sees the pools. Every function takes the Connection of a Database::Write.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "store/users.h"
#include "util/status.h"

namespace rm::store {

// Sets the member's org_role (owner | admin | member; InvalidArgument otherwise). Returns the
// updated member.
Result<User> SetMemberRole(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                           std::string_view member_user_id, std::string_view role);

// Puts the member in a team of the org, or in none (nullopt). NotFound for a team that is not
// one of this org's (unknown or another org's: not told apart). Admins may move owners between
// teams: a team is not a role. Returns the updated member.
Result<User> SetMemberTeam(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                           std::string_view member_user_id, const std::optional<std::string>& team_id);

// Takes the member out of the org. An actor may remove themself under the same rules (the
// last owner cannot).
Status RemoveMember(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                    std::string_view member_user_id);

// The user leaves their org. NotFound if they are in none.
Status LeaveOrg(Connection& conn, std::string_view user_id);

}  // namespace rm::store
