#include "store/server_secrets.h"

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

}  // namespace rm::store
