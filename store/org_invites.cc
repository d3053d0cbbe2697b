#include "store/org_invites.h"

#include "store/orgs.h"
#include "store/validation.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

using std::chrono::system_clock;

constexpr std::size_t kTokenBytes = 32;  // 64 hex chars
constexpr const char* kInviteColumns =
    "id, org_id, email, invited_by, status, target_team_id, created_at, expires_at";

// Times are compared as the ISO text they are stored as (it sorts as it reads).
std::string Now() { return FormatUtc(system_clock::now()); }

bool IsWellFormedToken(std::string_view token) {
  if (token.size() != 2 * kTokenBytes) return false;
  for (char c : token) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

OrgInvite InviteFromRow(const Statement& s) {
  return OrgInvite{s.Text(0), s.Text(1), s.OptionalText(2), s.Text(3),
                   s.Text(4), s.OptionalText(5), s.Text(6), s.Text(7)};
}

bool ManagesOrg(const User& user, std::string_view org_id) {
  return user.org_id && *user.org_id == org_id && user.org_role &&
         (*user.org_role == "owner" || *user.org_role == "admin");
}

}  // namespace

Result<CreatedInvite> CreateOrgInvite(Connection& conn, const NewOrgInvite& request, std::chrono::seconds ttl) {
  Result<Org> org = FindOrgById(conn, request.org_id);
  if (!org.ok()) return org.status();
  Result<User> inviter = FindUserById(conn, request.invited_by);
  if (!inviter.ok()) return inviter.status();
  // The store holds the rule too, not only the pages: only owners and admins manage members.
  if (!ManagesOrg(*inviter, org->id)) {
    return Status::PermissionDenied("only owners and admins of org " + org->name + " may invite people to it");
  }
  std::optional<std::string> email;
  if (request.email) {
    Result<std::string> normalized = NormalizeEmail(*request.email);
    if (!normalized.ok()) return normalized.status();
    email = *normalized;
    Result<User> existing = FindUserByEmail(conn, *email);
    if (existing.ok() && existing->org_id == org->id) {
      return Status::AlreadyExists(*email + " is already a member of org " + org->name);
    }
  }
  if (request.team_id) {
    Result<Team> team = FindTeamById(conn, *request.team_id);
    if (!team.ok()) return team.status();
    if (team->org_id != org->id) {
      return Status::InvalidArgument("team " + team->name + " (" + team->id + ") belongs to another org, not to " +
                                     org->name);
    }
  }
  CreatedInvite created;
  created.token = RandomHex(kTokenBytes);
  created.invite = OrgInvite{NewUuid(), org->id, email, inviter->id, "pending", request.team_id, NowUtc(),
                             FormatUtc(system_clock::now() + ttl)};
  const OrgInvite& i = created.invite;
  Statement& insert = conn.Prepare(
      "INSERT INTO org_invites(id, org_id, email, token, invited_by, status, target_team_id, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, i.id).Bind(2, i.org_id).Bind(3, i.email).Bind(4, Sha256Hex(created.token)).Bind(5, i.invited_by);
  insert.Bind(6, i.status).Bind(7, i.target_team_id).Bind(8, i.created_at).Bind(9, i.expires_at);
  RM_RETURN_IF_ERROR(insert.Run());
  return created;
}

Result<std::vector<OrgInvite>> ListPendingInvites(Connection& conn, std::string_view org_id) {
  return conn
      .Prepare(std::string("SELECT ") + kInviteColumns +
               " FROM org_invites WHERE org_id = ? AND status = 'pending' AND expires_at > ? "
               "ORDER BY created_at DESC")
      .Bind(1, org_id)
      .Bind(2, Now())
      .CollectRows<OrgInvite>(InviteFromRow);
}

Status RevokeInvite(Connection& conn, std::string_view org_id, std::string_view invite_id) {
  Statement& s = conn.Prepare(
      "UPDATE org_invites SET status = 'expired' WHERE id = ? AND org_id = ? AND status = 'pending'");
  s.Bind(1, invite_id).Bind(2, org_id);
  RM_RETURN_IF_ERROR(s.Run());
  if (conn.Changes() == 0) return Status::NotFound("no pending invite with id " + std::string(invite_id));
  return Status::Ok();
}

Result<OrgInvite> FindUsableInvite(Connection& conn, std::string_view token) {
  const std::string unusable = "this invite is unknown, expired, revoked or already used; ask for a new one";
  if (!IsWellFormedToken(token)) return Status::NotFound(unusable);
  return conn
      .Prepare(std::string("SELECT ") + kInviteColumns +
               " FROM org_invites WHERE token = ? AND status = 'pending' AND expires_at > ?")
      .Bind(1, Sha256Hex(token))
      .Bind(2, Now())
      .FirstRow<OrgInvite>(InviteFromRow, unusable);
}

Result<User> AcceptInvite(Connection& conn, std::string_view token, std::string_view user_id) {
  Result<OrgInvite> invite = FindUsableInvite(conn, token);
  if (!invite.ok()) return invite.status();
  Result<User> user = FindUserById(conn, user_id);
  if (!user.ok()) return user.status();
  if (invite->email && *invite->email != user->email) {
    return Status::PermissionDenied("this invite is for " + *invite->email + ", not for " + user->email +
                                    ": sign in as " + *invite->email + " to accept it");
  }
  Result<Org> org = FindOrgById(conn, invite->org_id);
  if (!org.ok()) return org.status();
  if (user->org_id == invite->org_id) {
    // Accepting again must not demote an admin to member or move them to another team.
    return Status::Conflict(user->email + " is already a member of org " + org->name);
  }
  if (user->org_id) {
    return Status::Conflict(user->email + " already belongs to another org; a person can belong to one org only, "
                            "so leave that org before accepting this invite");
  }
  // Single use: the status flips from pending in the same transaction as the membership.
  Statement& use = conn.Prepare("UPDATE org_invites SET status = 'accepted' WHERE id = ? AND status = 'pending'");
  use.Bind(1, invite->id);
  RM_RETURN_IF_ERROR(use.Run());
  if (conn.Changes() == 0) return Status::NotFound("this invite was used meanwhile; ask for a new one");
  return SetMembership(conn, {invite->org_id, user->id, "member", invite->target_team_id});
}

}  // namespace rm::store
