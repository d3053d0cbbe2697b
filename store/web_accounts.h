// Signing in to the web pages (SPEC §8): passwords, one-time sign-in links, browser sessions.
// Password hashing is util/password_hash.h's (Argon2id); the store keeps the encoded hash.
// Links and session ids are random, stored only as SHA-256.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

// Sets (or replaces) the user's password hash (an Argon2id encoded string). NotFound: no user.
Status SetPasswordHash(Connection& conn, std::string_view user_id, std::string_view encoded_hash);

struct PasswordAccount {
  std::string user_id;
  std::string email;
  std::optional<std::string> password_hash;  // nullopt: no password set
};
// The account of `email` (case-insensitive), or nullopt. Read connection.
Result<std::optional<PasswordAccount>> FindAccountByEmail(Connection& conn, std::string_view email);

// A one-time sign-in link's token (shown once), valid for `ttl`. NotFound: no user.
Result<std::string> CreateSignInLink(Connection& conn, std::string_view user_id, std::chrono::seconds ttl);
// Uses the link up and returns its user. Unauthenticated: unknown, expired or used.
Result<std::string> UseSignInLink(Connection& conn, std::string_view token);

struct WebSession {
  std::string id;  // the cookie value: shown once, stored as SHA-256
  std::string user_id;
  std::string csrf_token;  // every form of this session carries it
};
Result<WebSession> CreateWebSession(Connection& conn, std::string_view user_id, std::chrono::seconds ttl);
// The session of a cookie value; Unauthenticated if unknown or expired. Read connection.
Result<WebSession> FindWebSession(Connection& conn, std::string_view id);
// Ends it (signing out); unknown ids are no error.
Status EndWebSession(Connection& conn, std::string_view id);

}  // namespace rm::store
