#include "store/api_keys.h"

#include "store/plans.h"
#include "store/users.h"
#include "store/validation.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

constexpr std::size_t kSecretRandomBytes = 24;  // 48 hex chars
constexpr std::size_t kPrefixHexChars = 8;
constexpr std::size_t kMaxLabelChars = 100;

#define RM_API_KEY_COLUMNS \
  "id, user_id, key_prefix, label, vendor, last_used_at, created_at, revoked_at"

ApiKey ApiKeyFromRow(const Statement& row) {
  return ApiKey{row.Text(0),         row.Text(1),         row.Text(2), row.Text(3),
                row.OptionalText(4), row.OptionalText(5), row.Text(6), row.OptionalText(7)};
}

Result<std::int64_t> CountActiveKeys(Connection& conn, std::string_view user_id) {
  Statement& s =
      conn.Prepare("SELECT COUNT(*) FROM api_keys WHERE user_id = ? AND revoked_at IS NULL");
  s.Bind(1, user_id);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int64(0);
}

Status CheckKeyQuota(Connection& conn, const User& user) {
  std::optional<PlanLimits> limits = LimitsOfPlan(user.plan);
  if (!limits) return Status::Internal("user " + user.email + " has an unknown plan " + user.plan);
  if (!limits->max_api_keys) return Status::Ok();
  // Two key creations at once on PostgreSQL must not both count room for one more.
  RM_RETURN_IF_ERROR(HoldUserRow(conn, user.id));
  Result<std::int64_t> active = CountActiveKeys(conn, user.id);
  if (!active.ok()) return active.status();
  if (*active < *limits->max_api_keys) return Status::Ok();
  return Status::QuotaExceeded(
      "API key limit reached: plan '" + user.plan + "' allows " +
      std::to_string(*limits->max_api_keys) + " active API keys and " + user.email + " has " +
      std::to_string(*active) + "; revoke a key or move the user to a larger plan");
}

}  // namespace

Result<CreatedApiKey> CreateApiKey(Connection& conn, const NewApiKey& request) {
  if (request.vendor) RM_RETURN_IF_ERROR(ValidateVendorName(*request.vendor));
  Result<std::string> label = NormalizeDisplayName("the key label", request.label, kMaxLabelChars);
  if (!label.ok()) return label.status();
  Result<User> user = FindUserById(conn, request.user_id);
  if (!user.ok()) return user.status();
  RM_RETURN_IF_ERROR(CheckKeyQuota(conn, *user));

  std::string hex = RandomHex(kSecretRandomBytes);
  CreatedApiKey created;
  created.secret = std::string(kApiKeyPrefix) + hex;
  created.key = ApiKey{NewUuid(),      user->id, std::string(kApiKeyPrefix) + hex.substr(0, kPrefixHexChars),
                       *label,         request.vendor, std::nullopt, NowUtc(), std::nullopt};
  Statement& insert = conn.Prepare(
      "INSERT INTO api_keys(id, user_id, key_hash, key_prefix, label, vendor, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, created.key.id).Bind(2, created.key.user_id).Bind(3, Sha256Hex(created.secret));
  insert.Bind(4, created.key.key_prefix).Bind(5, created.key.label).Bind(6, created.key.vendor);
  insert.Bind(7, created.key.created_at);
  RM_RETURN_IF_ERROR(insert.Run());
  return created;
}

Result<std::vector<ApiKey>> ListApiKeys(Connection& conn, std::string_view user_id) {
  return conn.Prepare("SELECT " RM_API_KEY_COLUMNS
                      " FROM api_keys WHERE user_id = ? ORDER BY created_at, id")
      .Bind(1, user_id)
      .CollectRows<ApiKey>(ApiKeyFromRow);
}

Result<RevokedApiKey> RevokeApiKey(Connection& conn, std::string_view key_id) {
  Statement& revoke = conn.Prepare(
      "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  revoke.Bind(1, NowUtc()).Bind(2, key_id);
  RM_RETURN_IF_ERROR(revoke.Run());
  bool changed = conn.Changes() > 0;

  Result<ApiKey> key = conn.Prepare("SELECT " RM_API_KEY_COLUMNS " FROM api_keys WHERE id = ?")
                           .Bind(1, key_id)
                           .FirstRow<ApiKey>(ApiKeyFromRow, "no API key with id " + std::string(key_id));
  if (!key.ok()) return key.status();
  return RevokedApiKey{std::move(*key), !changed};
}

Result<bool> IsApiKeyActive(Connection& conn, std::string_view key_id) {
  Statement& s = conn.Prepare("SELECT 1 FROM api_keys WHERE id = ? AND revoked_at IS NULL");
  s.Bind(1, key_id);
  return s.Step();
}

Result<ResolvedApiKey> ResolveApiKey(Connection& conn, std::string_view secret) {
  const Status rejected =
      Status::Unauthenticated("the API key is unknown or revoked; create one with "
                              "`reflect-memory key create --user EMAIL`");
  bool well_formed = secret.size() == kApiKeyPrefix.size() + 2 * kSecretRandomBytes &&
                     secret.substr(0, kApiKeyPrefix.size()) == kApiKeyPrefix;
  if (!well_formed) return rejected;
  // Only the hash is compared, through the unique index: no secret is ever
  // compared byte by byte in our code, so there is no timing oracle on the key.
  Statement& s = conn.Prepare(
      "SELECT id, user_id, vendor FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL");
  s.Bind(1, Sha256Hex(secret));
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return rejected;
  return ResolvedApiKey{s.Text(1), s.Text(0), s.OptionalText(2)};
}

Status TouchApiKey(Connection& conn, std::string_view key_id) {
  Statement& s = conn.Prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
  s.Bind(1, NowUtc()).Bind(2, key_id);
  return s.Run();
}

}  // namespace rm::store
