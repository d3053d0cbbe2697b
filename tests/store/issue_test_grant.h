// IssueTestGrant: an OAuth grant made the way consent and the token endpoint make one — an
// authorization code, exchanged at once with its PKCE verifier — for tests that need a
// connection (a grant and its tokens) without walking through the pages.
//
//   Result<store::IssuedTokens> tokens = IssueTestGrant(conn, {user_id, client_id,
//       "https://claude.ai/cb", "", "claude", {"mcp:read", "mcp:write"}, resource});
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include "store/connection.h"
#include "store/oauth_grants.h"
#include "util/pkce.h"
#include "util/status.h"

namespace rm::testing {

// `code.code_challenge` is ignored: the code is made for a verifier of this helper's own.
// Run it inside a Database::Write function.
inline Result<store::IssuedTokens> IssueTestGrant(store::Connection& conn, store::NewAuthorizationCode code) {
  const std::string verifier(64, 'v');
  code.code_challenge = PkceS256Challenge(verifier);
  Result<std::string> made = store::CreateAuthorizationCode(conn, code, std::chrono::seconds(60));
  if (!made.ok()) return made.status();
  auto exchanged = store::ExchangeAuthorizationCode(
      conn, {*made, code.client_id, code.redirect_uri, verifier, std::nullopt}, store::TokenLifetimes{});
  if (const auto* tokens = std::get_if<store::IssuedTokens>(&exchanged)) return *tokens;
  if (const auto* failure = std::get_if<store::TokenFailure>(&exchanged)) {
    return Status::Internal("the code exchange failed: " + failure->description);
  }
  return std::get<Status>(exchanged);
}

}  // namespace rm::testing
