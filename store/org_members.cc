#include "store/org_members.h"

#include "store/orgs.h"
#include "store/validation.h"
#include "util/clock.h"

namespace rm::store {
namespace {

std::string RoleOf(const User& user) { return user.org_role.value_or("member"); }

// The actor, if they manage `org_id`. An actor of another org (or none) is refused without
// saying whether `org_id` exists.
Result<User> RequireManager(Connection& conn, std::string_view org_id, std::string_view actor_user_id) {
  Result<User> actor = FindUserById(conn, actor_user_id);
  if (!actor.ok() && actor.status().code() != Status::Code::kNotFound) return actor.status();
  if (!actor.ok() || !actor->org_id || *actor->org_id != org_id ||
      (RoleOf(*actor) != "owner" && RoleOf(*actor) != "admin")) {
    return Status::PermissionDenied("only the org's owners and admins manage its members");
  }
  return actor;
}

// The member, if in `org`: an unknown id and someone of another org get the same answer.
Result<User> RequireMember(Connection& conn, const Org& org, std::string_view member_user_id) {
  Result<User> member = FindUserById(conn, member_user_id);
  if (!member.ok() && member.status().code() != Status::Code::kNotFound) return member.status();
  if (!member.ok() || !member->org_id || *member->org_id != org.id) {
    return Status::NotFound("org " + org.name + " has no member with id " + std::string(member_user_id));
  }
  return member;
}

Result<std::int64_t> CountOwners(Connection& conn, std::string_view org_id) {
  Statement& s = conn.Prepare("SELECT count(*) FROM users WHERE org_id = ? AND org_role = 'owner'");
  s.Bind(1, org_id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  return *row ? s.Int64(0) : 0;
}

// FailedPrecondition if `member` is the org's only owner: an org always keeps one.
Status RefuseIfLastOwner(Connection& conn, const Org& org, const User& member, std::string_view what) {
  if (RoleOf(member) != "owner") return Status::Ok();
  Result<std::int64_t> owners = CountOwners(conn, org.id);
  if (!owners.ok()) return owners.status();
  if (*owners > 1) return Status::Ok();
  return Status::FailedPrecondition(member.email + " is the last owner of org " + org.name + " and cannot " +
                                    std::string(what) + ": make someone else owner first");
}

// Called once `former_owner` is no longer an owner of `org`: orgs.owner_id moves to another
// owner (the oldest account among them), so it always names a current owner.
Status MoveOrgOwnerIfNeeded(Connection& conn, const Org& org, std::string_view former_owner) {
  if (org.owner_id != former_owner) return Status::Ok();
  Statement& pick = conn.Prepare(
      "SELECT id FROM users WHERE org_id = ? AND org_role = 'owner' AND id <> ? ORDER BY created_at, id LIMIT 1");
  pick.Bind(1, org.id).Bind(2, former_owner);
  Result<bool> row = pick.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::FailedPrecondition("org " + org.name + " has no other owner: make someone else owner first");
  const std::string next_owner = pick.Text(0);
  Statement& update = conn.Prepare("UPDATE orgs SET owner_id = ?, updated_at = ? WHERE id = ?");
  update.Bind(1, next_owner).Bind(2, NowUtc()).Bind(3, org.id);
  return update.Run();
}

// Out of the org: no org, role or team. Memories stay as they are (see org_members.h).
Status ClearMembership(Connection& conn, const Org& org, const User& member) {
  Statement& s = conn.Prepare(
      "UPDATE users SET org_id = NULL, org_role = NULL, team_id = NULL, updated_at = ? WHERE id = ?");
  s.Bind(1, NowUtc()).Bind(2, member.id);
  RM_RETURN_IF_ERROR(s.Run());
  return MoveOrgOwnerIfNeeded(conn, org, member.id);
}

// What every change to a member starts with: the actor may manage the org, and the member
// is in it.
struct MemberChange {
  User actor;
  Org org;
  User member;
};

Result<MemberChange> StartMemberChange(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                                       std::string_view member_user_id) {
  Result<User> actor = RequireManager(conn, org_id, actor_user_id);
  if (!actor.ok()) return actor.status();
  Result<Org> org = FindOrgById(conn, org_id);
  if (!org.ok()) return org.status();
  Result<User> member = RequireMember(conn, *org, member_user_id);
  if (!member.ok()) return member.status();
  return MemberChange{std::move(*actor), std::move(*org), std::move(*member)};
}

}  // namespace

Result<User> SetMemberRole(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                           std::string_view member_user_id, std::string_view role) {
  if (!IsKnownOrgRole(role)) {
    return Status::InvalidArgument("unknown org role '" + std::string(role) + "': use owner, admin or member");
  }
  Result<MemberChange> change = StartMemberChange(conn, org_id, actor_user_id, member_user_id);
  if (!change.ok()) return change.status();
  auto& [actor, org, member] = *change;
  const std::string current = RoleOf(member);
  if (RoleOf(actor) != "owner" && (role == "owner" || current == "owner")) {
    return Status::PermissionDenied("only an owner of org " + org.name +
                                    " can make someone owner or change an owner's role");
  }
  if (current == role) return member;
  if (current == "owner") RM_RETURN_IF_ERROR(RefuseIfLastOwner(conn, org, member, "stop being owner"));
  Statement& s = conn.Prepare("UPDATE users SET org_role = ?, updated_at = ? WHERE id = ?");
  s.Bind(1, role).Bind(2, NowUtc()).Bind(3, member.id);
  RM_RETURN_IF_ERROR(s.Run());
  if (current == "owner") RM_RETURN_IF_ERROR(MoveOrgOwnerIfNeeded(conn, org, member.id));
  return FindUserById(conn, member.id);
}

Result<User> SetMemberTeam(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                           std::string_view member_user_id, const std::optional<std::string>& team_id) {
  Result<MemberChange> change = StartMemberChange(conn, org_id, actor_user_id, member_user_id);
  if (!change.ok()) return change.status();
  auto& [actor, org, member] = *change;
  if (team_id) {
    Result<Team> team = FindTeamById(conn, *team_id);
    if (!team.ok() && team.status().code() != Status::Code::kNotFound) return team.status();
    if (!team.ok() || team->org_id != org.id) {
      return Status::NotFound("org " + org.name + " has no team with id " + *team_id);
    }
  }
  // Memories shared with the member's former team stay shared with that team (org_members.h).
  Statement& s = conn.Prepare("UPDATE users SET team_id = ?, updated_at = ? WHERE id = ?");
  s.Bind(1, team_id).Bind(2, NowUtc()).Bind(3, member.id);
  RM_RETURN_IF_ERROR(s.Run());
  return FindUserById(conn, member.id);
}

Status RemoveMember(Connection& conn, std::string_view org_id, std::string_view actor_user_id,
                    std::string_view member_user_id) {
  Result<MemberChange> change = StartMemberChange(conn, org_id, actor_user_id, member_user_id);
  if (!change.ok()) return change.status();
  auto& [actor, org, member] = *change;
  if (RoleOf(actor) != "owner" && RoleOf(member) == "owner") {
    return Status::PermissionDenied("only an owner of org " + org.name + " can remove an owner");
  }
  RM_RETURN_IF_ERROR(RefuseIfLastOwner(conn, org, member, "be removed"));
  return ClearMembership(conn, org, member);
}

Status LeaveOrg(Connection& conn, std::string_view user_id) {
  Result<User> user = FindUserById(conn, user_id);
  if (!user.ok()) return user.status();
  if (!user->org_id) return Status::NotFound("user " + user->email + " is not in an org");
  Result<Org> org = FindOrgById(conn, *user->org_id);
  if (!org.ok()) return org.status();
  RM_RETURN_IF_ERROR(RefuseIfLastOwner(conn, *org, *user, "leave it"));
  return ClearMembership(conn, *org, *user);
}

}  // namespace rm::store
