// API keys (SPEC §2): "rm_live_" + 48 hex chars from the CSPRNG. Only the
// SHA-256 hash is stored; the full key is returned once, at creation. A key with
// a vendor is an agent key (every call is that vendor); without, an owner key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

inline constexpr std::string_view kApiKeyPrefix = "rm_live_";

struct ApiKey {
  std::string id;          // UUIDv4
  std::string user_id;
  std::string key_prefix;  // "rm_live_" + the first 8 hex chars, for display
  std::string label;
  std::optional<std::string> vendor;  // set: agent key
  std::optional<std::string> last_used_at;
  std::string created_at;
  std::optional<std::string> revoked_at;  // set: the key no longer works
};

struct NewApiKey {
  std::string user_id;
  std::string label = "Default";
  std::optional<std::string> vendor = std::nullopt;
};

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // the full key: shown once, never stored
};

// Creates a key for an existing user. InvalidArgument for a bad vendor or label;
// NotFound for an unknown user; QuotaExceeded when the user's plan allows no more
// active keys (free 2, builder/pro 5, team 10, admin unlimited).
Result<CreatedApiKey> CreateApiKey(Connection& conn, const NewApiKey& request);

// The user's keys, revoked ones included, oldest first.
Result<std::vector<ApiKey>> ListApiKeys(Connection& conn, std::string_view user_id);

struct RevokedApiKey {
  ApiKey key;
  bool was_already_revoked = false;  // revoking twice is harmless; this says so
};
// Revokes the key with id `key_id` (its id, not the secret). NotFound if unknown.
Result<RevokedApiKey> RevokeApiKey(Connection& conn, std::string_view key_id);

// Who a presented key belongs to.
struct ResolvedApiKey {
  std::string user_id;
  std::string key_id;
  std::optional<std::string> vendor;  // set: an agent key bound to this vendor
};
// Unauthenticated for a malformed, unknown or revoked key (one message for all:
// a caller learns nothing about which). Works on a read connection.
Result<ResolvedApiKey> ResolveApiKey(Connection& conn, std::string_view secret);

// Whether the key with id `key_id` still works: false once revoked, or if there is no such
// key. Works on a read connection; long-lived streams re-check with it (SPEC §2: a revoked
// key stops working within a second).
Result<bool> IsApiKeyActive(Connection& conn, std::string_view key_id);

// Records that the key was just used (last_used_at = now). Needs a write connection.
Status TouchApiKey(Connection& conn, std::string_view key_id);

}  // namespace rm::store
