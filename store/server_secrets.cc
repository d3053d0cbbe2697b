#include "store/server_secrets.h"

#include <algorithm>

#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {

Result<std::string> LoadOrCreateServerSecret(Connection& conn, std::string_view name) {
  Statement& insert = conn.Prepare(
      "INSERT INTO server_secrets(name, secret, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(name) DO NOTHING");
  insert.Bind(1, std::string(name)).Bind(2, RandomHex(32)).Bind(3, NowUtc());
  RM_RETURN_IF_ERROR(insert.Run());
  Statement& select = conn.Prepare("SELECT secret FROM server_secrets WHERE name = ?1");
  select.Bind(1, std::string(name));
  Result<bool> row = select.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::Internal("server secret '" + std::string(name) + "' could not be stored");
  std::string secret = select.Text(0);
  select.Reset();
  return secret;
}

Result<std::optional<std::string>> FindServerSecret(Connection& conn, std::string_view name) {
  Statement& select = conn.Prepare("SELECT secret FROM server_secrets WHERE name = ?1");
  select.Bind(1, std::string(name));
  Result<bool> row = select.Step();
  if (!row.ok()) return row.status();
  std::optional<std::string> secret;
  if (*row) secret = select.Text(0);
  select.Reset();
  return secret;
}

Status DeleteServerSecretsExcept(Connection& conn, std::string_view prefix, const std::vector<std::string>& keep) {
  Statement& select = conn.Prepare("SELECT name FROM server_secrets WHERE substr(name, 1, length(?1)) = ?1");
  select.Bind(1, std::string(prefix));
  Result<std::vector<std::string>> names =
      select.CollectRows<std::string>([](const Statement& row) { return row.Text(0); });
  select.Reset();
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (std::find(keep.begin(), keep.end(), name) != keep.end()) continue;
    Statement& remove = conn.Prepare("DELETE FROM server_secrets WHERE name = ?1");
    remove.Bind(1, name);
    RM_RETURN_IF_ERROR(remove.Run());
  }
  return Status::Ok();
}

}  // namespace rm::store
