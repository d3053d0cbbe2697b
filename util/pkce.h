// PKCE (RFC 7636), S256 only (OAuth 2.1 forbids "plain"): the code challenge a client
// sends to /oauth/authorize, and the check of the verifier it later sends to /oauth/token.
#pragma once

#include <string>
#include <string_view>

namespace rm {

// 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
bool IsValidPkceVerifier(std::string_view verifier);

// 43 characters of base64url without padding: what an S256 challenge looks like.
bool IsValidPkceChallenge(std::string_view challenge);

// BASE64URL(SHA-256(verifier)) without '=' padding (RFC 7636 §4.2).
std::string PkceS256Challenge(std::string_view verifier);

// Whether `verifier` is well formed and hashes to `challenge`; the comparison takes the
// same time wherever the two differ.
bool PkceS256Matches(std::string_view verifier, std::string_view challenge);

}  // namespace rm
