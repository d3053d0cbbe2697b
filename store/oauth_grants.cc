#include "store/oauth_grants.h"

#include "store/oauth_clients.h"
#include "store/users.h"
#include "store/validation.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/pkce.h"

namespace rm::store {
namespace {

using std::chrono::system_clock;

// Codes and tokens: a prefix (so a leaked one is recognisable) and 256 random bits as hex.
constexpr std::string_view kCodePrefix = "rm_ac_";
constexpr std::size_t kSecretRandomBytes = 32;
// A used code is kept this long after it expired, so a late replay still revokes its grant.
constexpr auto kUsedCodeKeptFor = std::chrono::hours(24);

#define RM_OAUTH_GRANT_COLUMNS                                                                     \
  "g.id, g.user_id, g.client_id, c.client_name, g.vendor, g.scopes, g.resource, g.created_at, " \
  "g.last_used_at, g.revoked_at FROM oauth_grants g JOIN oauth_clients c ON c.client_id = g.client_id"

std::string NewSecret(std::string_view prefix) { return std::string(prefix) + RandomHex(kSecretRandomBytes); }

// Whether `secret` has the shape NewSecret(prefix) gives: anything else is unknown at once.
bool IsWellFormed(std::string_view secret, std::string_view prefix) {
  if (secret.size() != prefix.size() + 2 * kSecretRandomBytes || secret.substr(0, prefix.size()) != prefix) {
    return false;
  }
  for (char c : secret.substr(prefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Times are compared as the ISO text they are stored as (it sorts as it reads).
std::string Now() { return FormatUtc(system_clock::now()); }
std::string In(std::chrono::seconds ttl) { return FormatUtc(system_clock::now() + ttl); }

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const std::string& scope : scopes) {
    if (!joined.empty()) joined += ' ';
    joined += scope;
  }
  return joined;
}

std::vector<std::string> SplitScopes(std::string_view text) {
  std::vector<std::string> scopes;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) scopes.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return scopes;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
Status CheckScopes(const std::vector<std::string>& scopes) {
  for (const std::string& scope : scopes) {
    bool ok = !scope.empty();
    for (char c : scope) ok = ok && c >= 0x21 && c <= 0x7e && c != '"' && c != '\\';
    if (!ok) return Status::InvalidArgument("'" + scope + "' is not an OAuth scope (RFC 6749 §3.3)");
  }
  return Status::Ok();
}

TokenFailure InvalidGrant(std::string description) {
  return TokenFailure{TokenError::kInvalidGrant, std::move(description)};
}

Status RevokeGrant(Connection& conn, std::string_view grant_id) {
  Statement& s = conn.Prepare("UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  s.Bind(1, NowUtc()).Bind(2, grant_id);
  return s.Run();
}

// A new access + refresh pair for the grant; the grant's expired tokens are dropped on the way.
Result<IssuedTokens> IssueTokens(Connection& conn, const std::string& grant_id, std::vector<std::string> scopes,
                                 const TokenLifetimes& lifetimes) {
  Statement& purge = conn.Prepare("DELETE FROM oauth_tokens WHERE grant_id = ? AND expires_at <= ?");
  purge.Bind(1, grant_id).Bind(2, Now());
  RM_RETURN_IF_ERROR(purge.Run());

  IssuedTokens issued{NewSecret(kAccessTokenPrefix), NewSecret(kRefreshTokenPrefix), lifetimes.access,
                      std::move(scopes), grant_id};
  const std::string created_at = NowUtc();
  Statement& insert = conn.Prepare(
      "INSERT INTO oauth_tokens(token_hash, grant_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
  insert.Bind(1, Sha256Hex(issued.access_token)).Bind(2, grant_id).Bind(3, "access").Bind(4, created_at);
  insert.Bind(5, In(lifetimes.access));
  RM_RETURN_IF_ERROR(insert.Run());
  insert.Reset();
  insert.Bind(1, Sha256Hex(issued.refresh_token)).Bind(2, grant_id).Bind(3, "refresh").Bind(4, created_at);
  insert.Bind(5, In(lifetimes.refresh));
  RM_RETURN_IF_ERROR(insert.Run());
  return issued;
}

OAuthGrant GrantFromRow(const Statement& s) {
  return OAuthGrant{s.Text(0),           s.Text(1), s.Text(2), s.Text(3),          s.OptionalText(4),
                    SplitScopes(s.Text(5)), s.Text(6), s.Text(7), s.OptionalText(8), s.OptionalText(9)};
}

struct StoredCode {
  std::string client_id, user_id, redirect_uri, code_challenge;
  std::optional<std::string> vendor;
  std::string scopes, resource, expires_at;
  std::optional<std::string> used_at, grant_id;
};

}  // namespace

Result<std::string> CreateAuthorizationCode(Connection& conn, const NewAuthorizationCode& request,
                                            std::chrono::seconds ttl) {
  if (request.vendor) RM_RETURN_IF_ERROR(ValidateVendorName(*request.vendor));
  RM_RETURN_IF_ERROR(CheckScopes(request.scopes));
  if (!IsValidPkceChallenge(request.code_challenge)) {
    return Status::InvalidArgument("code_challenge must be an S256 challenge: 43 characters of base64url");
  }
  if (request.redirect_uri.empty()) return Status::InvalidArgument("the redirect_uri is empty");
  if (request.resource.empty()) return Status::InvalidArgument("the resource (RFC 8707) is empty");
  Result<User> user = FindUserById(conn, request.user_id);
  if (!user.ok()) return user.status();
  Result<std::optional<OAuthClient>> client = FindOAuthClient(conn, request.client_id);
  if (!client.ok()) return client.status();
  if (!*client) return Status::NotFound("no OAuth client with id " + request.client_id);

  Statement& purge = conn.Prepare("DELETE FROM oauth_codes WHERE expires_at < ?");
  purge.Bind(1, FormatUtc(system_clock::now() - kUsedCodeKeptFor));
  RM_RETURN_IF_ERROR(purge.Run());

  std::string code = NewSecret(kCodePrefix);
  Statement& insert = conn.Prepare(
      "INSERT INTO oauth_codes(code_hash, client_id, user_id, redirect_uri, code_challenge, vendor, scopes, "
      "resource, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, Sha256Hex(code)).Bind(2, request.client_id).Bind(3, request.user_id);
  insert.Bind(4, request.redirect_uri).Bind(5, request.code_challenge).Bind(6, request.vendor);
  insert.Bind(7, JoinScopes(request.scopes)).Bind(8, request.resource).Bind(9, NowUtc()).Bind(10, In(ttl));
  RM_RETURN_IF_ERROR(insert.Run());
  return code;
}

TokenResult<IssuedTokens> ExchangeAuthorizationCode(Connection& conn, const CodeExchange& request,
                                                    const TokenLifetimes& lifetimes) {
  if (!IsWellFormed(request.code, kCodePrefix)) return InvalidGrant("the authorization code is unknown");
  const std::string code_hash = Sha256Hex(request.code);
  Statement& find = conn.Prepare(
      "SELECT client_id, user_id, redirect_uri, code_challenge, vendor, scopes, resource, expires_at, used_at, "
      "grant_id FROM oauth_codes WHERE code_hash = ?");
  find.Bind(1, code_hash);
  Result<bool> row = find.Step();
  if (!row.ok()) return row.status();
  if (!*row) return InvalidGrant("the authorization code is unknown");
  StoredCode code{find.Text(0),         find.Text(1), find.Text(2), find.Text(3),         find.OptionalText(4),
                  find.Text(5),         find.Text(6), find.Text(7), find.OptionalText(8), find.OptionalText(9)};
  find.Reset();

  // A second use means someone else holds the code: whatever it gave is revoked (OAuth 2.1 §4.1.3).
  if (code.used_at) {
    if (code.grant_id) {
      if (Status s = RevokeGrant(conn, *code.grant_id); !s.ok()) return s;
    }
    return InvalidGrant("the authorization code was already used; the access it gave is revoked");
  }
  if (code.client_id != request.client_id) return InvalidGrant("the authorization code was issued to another client");
  if (code.expires_at <= Now()) return InvalidGrant("the authorization code has expired");
  if (code.redirect_uri != request.redirect_uri) {
    return InvalidGrant("redirect_uri differs from the one the authorization request used");
  }
  if (request.resource && *request.resource != code.resource) {
    return InvalidGrant("resource differs from the one the authorization request used");
  }
  if (!IsValidPkceVerifier(request.code_verifier)) {
    return InvalidGrant("code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)");
  }
  if (!PkceS256Matches(request.code_verifier, code.code_challenge)) {
    return InvalidGrant("code_verifier does not match the code_challenge (PKCE S256)");
  }

  const std::string grant_id = NewUuid();
  const std::string now = NowUtc();
  Statement& grant = conn.Prepare(
      "INSERT INTO oauth_grants(id, user_id, client_id, vendor, scopes, resource, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  grant.Bind(1, grant_id).Bind(2, code.user_id).Bind(3, code.client_id).Bind(4, code.vendor);
  grant.Bind(5, code.scopes).Bind(6, code.resource).Bind(7, now);
  if (Status s = grant.Run(); !s.ok()) return s;
  Statement& use = conn.Prepare("UPDATE oauth_codes SET used_at = ?, grant_id = ? WHERE code_hash = ?");
  use.Bind(1, now).Bind(2, grant_id).Bind(3, code_hash);
  if (Status s = use.Run(); !s.ok()) return s;
  Result<IssuedTokens> issued = IssueTokens(conn, grant_id, SplitScopes(code.scopes), lifetimes);
  if (!issued.ok()) return issued.status();
  return std::move(issued).value();
}

TokenResult<IssuedTokens> RefreshTokens(Connection& conn, std::string_view refresh_token,
                                        std::string_view client_id, const TokenLifetimes& lifetimes) {
  if (!IsWellFormed(refresh_token, kRefreshTokenPrefix)) return InvalidGrant("the refresh token is unknown");
  const std::string token_hash = Sha256Hex(refresh_token);
  Statement& find = conn.Prepare(
      "SELECT t.expires_at, t.used_at, g.id, g.client_id, g.scopes, g.revoked_at FROM oauth_tokens t "
      "JOIN oauth_grants g ON g.id = t.grant_id WHERE t.token_hash = ? AND t.kind = 'refresh'");
  find.Bind(1, token_hash);
  Result<bool> row = find.Step();
  if (!row.ok()) return row.status();
  if (!*row) return InvalidGrant("the refresh token is unknown");
  const std::string expires_at = find.Text(0);
  const bool used = !find.IsNull(1);
  const std::string grant_id = find.Text(2);
  const std::string grant_client = find.Text(3);
  const std::string scopes = find.Text(4);
  const bool revoked = !find.IsNull(5);
  find.Reset();

  // Rotation makes a refresh token single-use, so a second use is a replay: revoke it all.
  if (used) {
    if (Status s = RevokeGrant(conn, grant_id); !s.ok()) return s;
    return InvalidGrant("the refresh token was already used; the access it gave is revoked");
  }
  if (grant_client != client_id) return InvalidGrant("the refresh token was issued to another client");
  if (revoked) return InvalidGrant("the access this refresh token belongs to was revoked");
  if (expires_at <= Now()) return InvalidGrant("the refresh token has expired");

  Statement& use = conn.Prepare("UPDATE oauth_tokens SET used_at = ? WHERE token_hash = ?");
  use.Bind(1, NowUtc()).Bind(2, token_hash);
  if (Status s = use.Run(); !s.ok()) return s;
  Result<IssuedTokens> issued = IssueTokens(conn, grant_id, SplitScopes(scopes), lifetimes);
  if (!issued.ok()) return issued.status();
  return std::move(issued).value();
}

Result<ResolvedAccessToken> ResolveAccessToken(Connection& conn, std::string_view access_token) {
  const Status rejected = Status::Unauthenticated("the access token is unknown, expired or revoked");
  if (!IsWellFormed(access_token, kAccessTokenPrefix)) return rejected;
  // Looked up by its hash through the primary key: the token is never compared byte by byte.
  Statement& s = conn.Prepare(
      "SELECT g.user_id, g.id, g.client_id, g.vendor, g.scopes, g.resource, t.expires_at FROM oauth_tokens t "
      "JOIN oauth_grants g ON g.id = t.grant_id "
      "WHERE t.token_hash = ? AND t.kind = 'access' AND g.revoked_at IS NULL");
  s.Bind(1, Sha256Hex(access_token));
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row || s.Text(6) <= Now()) return rejected;
  return ResolvedAccessToken{s.Text(0), s.Text(1), s.Text(2), s.OptionalText(3), SplitScopes(s.Text(4)), s.Text(5)};
}

Status RevokeOAuthToken(Connection& conn, std::string_view token, std::string_view client_id) {
  if (!IsWellFormed(token, kAccessTokenPrefix) && !IsWellFormed(token, kRefreshTokenPrefix)) return Status::Ok();
  Statement& find = conn.Prepare(
      "SELECT g.id FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id "
      "WHERE t.token_hash = ? AND g.client_id = ?");
  find.Bind(1, Sha256Hex(token)).Bind(2, client_id);
  Result<bool> row = find.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Ok();  // RFC 7009 §2.2: unknown or not this client's — nothing to do
  const std::string grant_id = find.Text(0);
  find.Reset();
  return RevokeGrant(conn, grant_id);
}

Result<std::vector<OAuthGrant>> ListOAuthGrants(Connection& conn, std::string_view user_id) {
  return conn.Prepare("SELECT " RM_OAUTH_GRANT_COLUMNS " WHERE g.user_id = ? ORDER BY g.created_at, g.id")
      .Bind(1, user_id)
      .CollectRows<OAuthGrant>(GrantFromRow);
}

Result<OAuthGrant> RevokeOAuthGrant(Connection& conn, std::string_view grant_id) {
  RM_RETURN_IF_ERROR(RevokeGrant(conn, grant_id));
  return conn.Prepare("SELECT " RM_OAUTH_GRANT_COLUMNS " WHERE g.id = ?")
      .Bind(1, grant_id)
      .FirstRow<OAuthGrant>(GrantFromRow, "no OAuth grant with id " + std::string(grant_id));
}

Result<bool> IsOAuthGrantActive(Connection& conn, std::string_view grant_id) {
  Statement& s = conn.Prepare("SELECT 1 FROM oauth_grants WHERE id = ? AND revoked_at IS NULL");
  s.Bind(1, grant_id);
  return s.Step();
}

Status TouchOAuthGrant(Connection& conn, std::string_view grant_id) {
  Statement& s = conn.Prepare("UPDATE oauth_grants SET last_used_at = ? WHERE id = ?");
  s.Bind(1, NowUtc()).Bind(2, grant_id);
  return s.Run();
}

}  // namespace rm::store
