// OAuth grants and tokens (SPEC §8): what a person allowed one client, as which vendor.
//
// Consent creates an authorization code (single use, short-lived, PKCE S256). Exchanging it
// creates a *grant* — user, client, vendor (nullopt: the owner, no vendor filter), scopes and
// resource (RFC 8707 audience) — with an access token and a refresh token. Refreshing rotates
// the refresh token; presenting a used refresh token again, or a used code again, revokes the
// whole grant (OAuth 2.1 §4.3.1, replay detection). Tokens are 256 random bits, stored only
// as SHA-256.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

inline constexpr std::string_view kAccessTokenPrefix = "rm_at_";
inline constexpr std::string_view kRefreshTokenPrefix = "rm_rt_";

struct NewAuthorizationCode {
  std::string user_id;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;  // base64url(SHA-256(verifier)), PKCE S256
  std::optional<std::string> vendor;
  std::vector<std::string> scopes;  // e.g. {"mcp:read", "mcp:write"}
  std::string resource;             // e.g. "https://memory.example.com/mcp"
};

// Returns the code (shown once, stored as SHA-256), valid for `ttl`.
Result<std::string> CreateAuthorizationCode(Connection& conn, const NewAuthorizationCode& request,
                                            std::chrono::seconds ttl);

struct TokenLifetimes {
  std::chrono::seconds access{std::chrono::hours(1)};
  std::chrono::seconds refresh{std::chrono::hours(24 * 30)};
};

struct IssuedTokens {
  std::string access_token;   // rm_at_ + 64 hex
  std::string refresh_token;  // rm_rt_ + 64 hex
  std::chrono::seconds expires_in{0};
  std::vector<std::string> scopes;
  std::string grant_id;
};

// Why a token request failed, as RFC 6749 §5.2 names it.
enum class TokenError { kInvalidGrant, kInvalidClient, kInvalidRequest };
struct TokenFailure {
  TokenError error;
  std::string description;
};
template <typename T>
using TokenResult = std::variant<T, TokenFailure, Status /* the database failed */>;

struct CodeExchange {
  std::string code;
  std::string client_id;
  std::string redirect_uri;
  std::string code_verifier;
  std::optional<std::string> resource;  // if sent, must equal the code's
};
// invalid_grant: unknown, expired or already used code (a reuse also revokes the grant the
// code produced), a redirect_uri or client that differs from the code's, or a verifier that
// does not hash to its challenge. Changes nothing on failure, except revoking on reuse.
//
// Run it (and RefreshTokens) inside one Database::Write function, and let that function
// return Ok for a TokenFailure too: a reuse's revocation is a write that must be committed,
// and returning an error status from the function would roll it back.
TokenResult<IssuedTokens> ExchangeAuthorizationCode(Connection& conn, const CodeExchange& request,
                                                    const TokenLifetimes& lifetimes);

// Rotates: the presented refresh token is used up, a new pair is issued for the same grant.
// invalid_grant: unknown, expired, revoked, or another client's; a used one revokes the grant.
TokenResult<IssuedTokens> RefreshTokens(Connection& conn, std::string_view refresh_token,
                                        std::string_view client_id, const TokenLifetimes& lifetimes);

struct ResolvedAccessToken {
  std::string user_id;
  std::string grant_id;
  std::string client_id;
  std::optional<std::string> vendor;
  std::vector<std::string> scopes;
  std::string resource;
};
// Unauthenticated (one message for all) for an unknown, expired or revoked token.
// Works on a read connection.
Result<ResolvedAccessToken> ResolveAccessToken(Connection& conn, std::string_view access_token);

// RFC 7009: revokes the grant of an access or refresh token of `client_id`. Unknown tokens
// and other clients' tokens change nothing and are not an error (the endpoint answers 200).
Status RevokeOAuthToken(Connection& conn, std::string_view token, std::string_view client_id);

struct OAuthGrant {
  std::string id;
  std::string user_id;
  std::string client_id;
  std::string client_name;
  std::optional<std::string> vendor;
  std::vector<std::string> scopes;
  std::string resource;
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};
// The user's grants, revoked ones included, oldest first.
Result<std::vector<OAuthGrant>> ListOAuthGrants(Connection& conn, std::string_view user_id);
// NotFound if unknown; revoking twice is harmless.
Result<OAuthGrant> RevokeOAuthGrant(Connection& conn, std::string_view grant_id);
// False once revoked (or unknown). Read connection; long-lived streams re-check with it.
Result<bool> IsOAuthGrantActive(Connection& conn, std::string_view grant_id);
// Records that the grant was just used (last_used_at); ResolveAccessToken only reads.
Status TouchOAuthGrant(Connection& conn, std::string_view grant_id);

}  // namespace rm::store
