#include "store/orgs.h"

#include "store/user_rows.h"
#include "store/validation.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

constexpr std::size_t kMaxNameChars = 200;

// Writes the membership columns of one user.
Status UpdateMembershipColumns(Connection& conn, std::string_view user_id, std::string_view org_id,
                               std::string_view org_role,
                               const std::optional<std::string>& team_id) {
  Statement& s = conn.Prepare(
      "UPDATE users SET org_id = ?, org_role = ?, team_id = ?, updated_at = ? WHERE id = ?");
  s.Bind(1, org_id).Bind(2, org_role).Bind(3, team_id).Bind(4, NowUtc()).Bind(5, user_id);
  return s.Run();
}

Status RefuseIfInAnotherOrg(const User& user, std::string_view org_id) {
  if (!user.org_id || *user.org_id == org_id) return Status::Ok();
  return Status::Conflict("user " + user.email + " already belongs to org " + *user.org_id +
                          "; a user can belong to one org only");
}

}  // namespace

Result<Org> CreateOrg(Connection& conn, std::string_view name, std::string_view owner_user_id) {
  Result<std::string> clean_name = NormalizeDisplayName("the org name", name, kMaxNameChars);
  if (!clean_name.ok()) return clean_name.status();
  Result<User> owner = FindUserById(conn, owner_user_id);
  if (!owner.ok()) return owner.status();
  if (owner->org_id) {
    return Status::Conflict("user " + owner->email + " already belongs to org " + *owner->org_id +
                            "; a user can belong to one org only");
  }
  Org org{NewUuid(), *clean_name, owner->id, "team", NowUtc(), ""};
  org.updated_at = org.created_at;
  Statement& insert = conn.Prepare(
      "INSERT INTO orgs(id, name, owner_id, plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, org.id).Bind(2, org.name).Bind(3, org.owner_id).Bind(4, org.plan);
  insert.Bind(5, org.created_at).Bind(6, org.updated_at);
  RM_RETURN_IF_ERROR(insert.Run());
  RM_RETURN_IF_ERROR(UpdateMembershipColumns(conn, owner->id, org.id, "owner", std::nullopt));
  return org;
}

Result<Org> FindOrgById(Connection& conn, std::string_view org_id) {
  return conn
      .Prepare("SELECT id, name, owner_id, plan, created_at, updated_at FROM orgs WHERE id = ?")
      .Bind(1, org_id)
      .FirstRow<Org>(
          [](const Statement& s) {
            return Org{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
          },
          "no org with id " + std::string(org_id));
}

Result<Team> CreateTeam(Connection& conn, std::string_view org_id, std::string_view name) {
  Result<std::string> clean_name = NormalizeDisplayName("the team name", name, kMaxNameChars);
  if (!clean_name.ok()) return clean_name.status();
  Result<Org> org = FindOrgById(conn, org_id);
  if (!org.ok()) return org.status();
  Team team{NewUuid(), org->id, *clean_name, NowUtc(), ""};
  team.updated_at = team.created_at;
  Statement& insert = conn.Prepare(
      "INSERT INTO teams(id, org_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT(org_id, name) DO NOTHING");
  insert.Bind(1, team.id).Bind(2, team.org_id).Bind(3, team.name).Bind(4, team.created_at);
  insert.Bind(5, team.updated_at);
  RM_RETURN_IF_ERROR(insert.Run());
  if (conn.Changes() == 0) {
    return Status::AlreadyExists("org " + org->name + " already has a team named '" + team.name +
                                 "'");
  }
  return team;
}

Result<Team> FindTeamById(Connection& conn, std::string_view team_id) {
  return conn.Prepare("SELECT id, org_id, name, created_at, updated_at FROM teams WHERE id = ?")
      .Bind(1, team_id)
      .FirstRow<Team>(
          [](const Statement& s) {
            return Team{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
          },
          "no team with id " + std::string(team_id));
}

Result<User> SetMembership(Connection& conn, const Membership& m) {
  if (!IsKnownOrgRole(m.org_role)) {
    return Status::InvalidArgument("unknown org role '" + m.org_role +
                                   "': use owner, admin or member");
  }
  Result<Org> org = FindOrgById(conn, m.org_id);
  if (!org.ok()) return org.status();
  Result<User> user = FindUserById(conn, m.user_id);
  if (!user.ok()) return user.status();
  RM_RETURN_IF_ERROR(RefuseIfInAnotherOrg(*user, org->id));
  if (user->id == org->owner_id && m.org_role != "owner") {
    return Status::Conflict("user " + user->email + " owns org " + org->name +
                            " and must keep the owner role");
  }
  if (m.team_id) {
    Result<Team> team = FindTeamById(conn, *m.team_id);
    if (!team.ok()) return team.status();
    if (team->org_id != org->id) {
      return Status::InvalidArgument("team " + team->name + " (" + team->id +
                                     ") belongs to another org, not to " + org->name);
    }
  }
  RM_RETURN_IF_ERROR(UpdateMembershipColumns(conn, user->id, org->id, m.org_role, m.team_id));
  return FindUserById(conn, user->id);
}

Status HoldOrgRow(Connection& conn, std::string_view org_id) {
  if (conn.engine() != Engine::kPostgres) return Status::Ok();
  return conn.Prepare("SELECT 1 FROM orgs WHERE id = ? FOR UPDATE").Bind(1, org_id).Run();
}

}  // namespace rm::store
