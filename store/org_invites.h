// Org invites (issue 16, Build 5): a single-use link that lets a person join an org, and
// optionally one of its teams. The token is shown once; the org_invites.token column keeps only
// its SHA-256, so a leaked database holds no usable invite. Every function takes the Connection
// of a Database::Read or Database::Write.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "store/users.h"
#include "util/status.h"

namespace rm::store {

inline constexpr std::chrono::hours kInviteLifetime{24 * 7};

struct OrgInvite {
  std::string id;  // UUIDv4
  std::string org_id;
  std::optional<std::string> email;  // nullopt: anyone holding the link may join
  std::string invited_by;            // a user id
  std::string status;                // pending | accepted | expired (as stored)
  std::optional<std::string> target_team_id;
  std::string created_at;
  std::string expires_at;
};

struct NewOrgInvite {
  std::string org_id;
  std::optional<std::string> email = std::nullopt;
  std::optional<std::string> team_id = std::nullopt;  // must be a team of org_id
  std::string invited_by;                             // an owner or admin of org_id
};

struct CreatedInvite {
  OrgInvite invite;
  std::string token;  // 64 hex chars; shown once, never stored
};

// NotFound for an unknown org, team or inviter; PermissionDenied unless the inviter is an owner
// or admin of the org; InvalidArgument for a bad email or a team of another org; AlreadyExists
// if that email is already a member of the org.
Result<CreatedInvite> CreateOrgInvite(Connection& conn, const NewOrgInvite& invite,
                                      std::chrono::seconds ttl = kInviteLifetime);

// The org's invites that can still be accepted (pending, not expired), newest first.
Result<std::vector<OrgInvite>> ListPendingInvites(Connection& conn, std::string_view org_id);

// Withdraws a pending invite of `org_id` (status 'expired'). NotFound if the org has no such
// pending invite (another org's invite id is not confirmed to exist).
Status RevokeInvite(Connection& conn, std::string_view org_id, std::string_view invite_id);

// The invite of a token if it can still be accepted; NotFound when unknown, used, revoked or
// expired (one message for all: a token's history is nobody's business).
Result<OrgInvite> FindUsableInvite(Connection& conn, std::string_view token);

// Uses the invite up: the user joins its org as a member (and its team, if any), through
// SetMembership (store/orgs.h), in the caller's transaction. NotFound as FindUsableInvite;
// PermissionDenied if the invite names another email; Conflict if the user is already in
// this org or belongs to another one. Nothing changes on failure.
Result<User> AcceptInvite(Connection& conn, std::string_view token, std::string_view user_id);

}  // namespace rm::store
