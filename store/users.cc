#include "store/users.h"

#include <string>

#include "store/user_rows.h"
#include "store/validation.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {

User UserFromRow(const Statement& row) {
  return User{row.Text(0),         row.Text(1),         row.Text(2),
              row.Text(3),         row.OptionalText(4), row.OptionalText(5),
              row.OptionalText(6), row.Text(7),         row.Text(8)};
}

namespace {

// Runs a SELECT of RM_USER_COLUMNS with one text parameter and returns its one row.
Result<User> FindOneUser(Connection& conn, std::string_view sql, std::string_view param,
                         const std::string& not_found) {
  return conn.Prepare(sql).Bind(1, param).FirstRow<User>(UserFromRow, not_found);
}

Status ValidatePlanAndRole(const NewUser& user) {
  if (!IsKnownPlan(user.plan)) {
    return Status::InvalidArgument("unknown plan '" + user.plan +
                                   "': use one of free, builder, pro, team, admin");
  }
  if (!IsKnownUserRole(user.role)) {
    return Status::InvalidArgument("unknown role '" + user.role + "': use user or admin");
  }
  return Status::Ok();
}

}  // namespace

Result<User> InsertUser(Connection& conn, const NewUser& user) {
  Result<std::string> email = NormalizeEmail(user.email);
  if (!email.ok()) return email.status();
  RM_RETURN_IF_ERROR(ValidatePlanAndRole(user));

  User created{NewUuid(), *email, user.role, user.plan, std::nullopt, std::nullopt, std::nullopt,
               NowUtc(), ""};
  created.updated_at = created.created_at;
  Statement& insert = conn.Prepare(
      "INSERT INTO users(id, email, role, plan, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(email) DO NOTHING");
  insert.Bind(1, created.id).Bind(2, created.email).Bind(3, created.role).Bind(4, created.plan);
  insert.Bind(5, created.created_at).Bind(6, created.updated_at);
  RM_RETURN_IF_ERROR(insert.Run());
  if (conn.Changes() == 0) {
    return Status::AlreadyExists("a user with email " + created.email + " already exists");
  }
  return created;
}

Result<User> GetOrInsertUser(Connection& conn, const NewUser& user) {
  Result<User> found = FindUserByEmail(conn, user.email);
  if (found.ok() || found.status().code() != Status::Code::kNotFound) return found;
  return InsertUser(conn, user);
}

Result<User> FindUserByEmail(Connection& conn, std::string_view email) {
  Result<std::string> normalized = NormalizeEmail(email);
  if (!normalized.ok()) return normalized.status();
  return FindOneUser(conn, "SELECT " RM_USER_COLUMNS " FROM users WHERE email = ?",
                     *normalized, "no user with email " + *normalized);
}

Result<User> FindUserById(Connection& conn, std::string_view id) {
  return FindOneUser(conn, "SELECT " RM_USER_COLUMNS " FROM users WHERE id = ?", id,
                     "no user with id " + std::string(id));
}

Result<std::vector<User>> ListUsers(Connection& conn) {
  return conn.Prepare("SELECT " RM_USER_COLUMNS " FROM users ORDER BY created_at, id")
      .CollectRows<User>(UserFromRow);
}

Status HoldUserRow(Connection& conn, std::string_view user_id) {
  if (conn.engine() != Engine::kPostgres) return Status::Ok();
  return conn.Prepare("SELECT 1 FROM users WHERE id = ? FOR UPDATE").Bind(1, user_id).Run();
}

}  // namespace rm::store
