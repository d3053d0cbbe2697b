#include "store/web_accounts.h"

#include "store/users.h"
#include "store/validation.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

using std::chrono::system_clock;

constexpr std::size_t kSecretRandomBytes = 32;  // links, session ids and CSRF tokens: 64 hex chars

// Times are compared as the ISO text they are stored as (it sorts as it reads).
std::string Now() { return FormatUtc(system_clock::now()); }
std::string In(std::chrono::seconds ttl) { return FormatUtc(system_clock::now() + ttl); }

bool IsWellFormed(std::string_view secret) {
  if (secret.size() != 2 * kSecretRandomBytes) return false;
  for (char c : secret) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status CheckUserExists(Connection& conn, std::string_view user_id) {
  Result<User> user = FindUserById(conn, user_id);
  return user.ok() ? Status::Ok() : user.status();
}

}  // namespace

Status SetPasswordHash(Connection& conn, std::string_view user_id, std::string_view encoded_hash) {
  if (encoded_hash.substr(0, 10) != "$argon2id$") {
    return Status::InvalidArgument("a password hash must be an encoded Argon2id hash ($argon2id$...)");
  }
  RM_RETURN_IF_ERROR(CheckUserExists(conn, user_id));
  Statement& s = conn.Prepare(
      "INSERT INTO user_passwords(user_id, password_hash, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at");
  s.Bind(1, user_id).Bind(2, encoded_hash).Bind(3, NowUtc());
  return s.Run();
}

Result<std::optional<PasswordAccount>> FindAccountByEmail(Connection& conn, std::string_view email) {
  // Emails are stored lower-cased (NormalizeEmail), so the lower-cased address finds any
  // spelling. Text that is no address at all simply has no account: a sign-in form says
  // "wrong email or password" either way.
  Result<std::string> normalized = NormalizeEmail(email);
  if (!normalized.ok()) return std::optional<PasswordAccount>();
  Statement& s = conn.Prepare(
      "SELECT u.id, u.email, p.password_hash FROM users u LEFT JOIN user_passwords p ON p.user_id = u.id "
      "WHERE u.email = ?");
  s.Bind(1, *normalized);
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<PasswordAccount>();
  return std::optional<PasswordAccount>(PasswordAccount{s.Text(0), s.Text(1), s.OptionalText(2)});
}

Result<std::string> CreateSignInLink(Connection& conn, std::string_view user_id, std::chrono::seconds ttl) {
  RM_RETURN_IF_ERROR(CheckUserExists(conn, user_id));
  // Expired links can never be used: they go as new ones are made.
  Statement& purge = conn.Prepare("DELETE FROM signin_links WHERE expires_at <= ?");
  purge.Bind(1, Now());
  RM_RETURN_IF_ERROR(purge.Run());

  std::string token = RandomHex(kSecretRandomBytes);
  Statement& insert = conn.Prepare(
      "INSERT INTO signin_links(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)");
  insert.Bind(1, Sha256Hex(token)).Bind(2, user_id).Bind(3, NowUtc()).Bind(4, In(ttl));
  RM_RETURN_IF_ERROR(insert.Run());
  return token;
}

Result<std::string> UseSignInLink(Connection& conn, std::string_view token) {
  const Status rejected = Status::Unauthenticated(
      "this sign-in link is unknown, expired or already used; ask for a new one "
      "(`reflect-memory signin-link --user EMAIL`)");
  if (!IsWellFormed(token)) return rejected;
  const std::string token_hash = Sha256Hex(token);
  Statement& find = conn.Prepare(
      "SELECT user_id FROM signin_links WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?");
  find.Bind(1, token_hash).Bind(2, Now());
  Result<bool> row = find.Step();
  if (!row.ok()) return row.status();
  if (!*row) return rejected;
  std::string user_id = find.Text(0);
  find.Reset();
  Statement& use = conn.Prepare("UPDATE signin_links SET used_at = ? WHERE token_hash = ?");
  use.Bind(1, NowUtc()).Bind(2, token_hash);
  RM_RETURN_IF_ERROR(use.Run());
  return user_id;
}

Result<WebSession> CreateWebSession(Connection& conn, std::string_view user_id, std::chrono::seconds ttl) {
  RM_RETURN_IF_ERROR(CheckUserExists(conn, user_id));
  Statement& purge = conn.Prepare("DELETE FROM web_sessions WHERE expires_at <= ?");
  purge.Bind(1, Now());
  RM_RETURN_IF_ERROR(purge.Run());

  WebSession session{RandomHex(kSecretRandomBytes), std::string(user_id), RandomHex(kSecretRandomBytes)};
  Statement& insert = conn.Prepare(
      "INSERT INTO web_sessions(id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
  insert.Bind(1, Sha256Hex(session.id)).Bind(2, session.user_id).Bind(3, session.csrf_token);
  insert.Bind(4, NowUtc()).Bind(5, In(ttl));
  RM_RETURN_IF_ERROR(insert.Run());
  return session;
}

Result<WebSession> FindWebSession(Connection& conn, std::string_view id) {
  const Status rejected = Status::Unauthenticated("the session is unknown or expired; sign in again");
  if (!IsWellFormed(id)) return rejected;
  Statement& s = conn.Prepare(
      "SELECT user_id, csrf_token FROM web_sessions WHERE id_hash = ? AND expires_at > ?");
  s.Bind(1, Sha256Hex(id)).Bind(2, Now());
  Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return rejected;
  return WebSession{std::string(id), s.Text(0), s.Text(1)};
}

Status EndWebSession(Connection& conn, std::string_view id) {
  if (!IsWellFormed(id)) return Status::Ok();
  Statement& s = conn.Prepare("DELETE FROM web_sessions WHERE id_hash = ?");
  s.Bind(1, Sha256Hex(id));
  return s.Run();
}

}  // namespace rm::store
