// Users: the people who own memories, with their plan and org/team membership.
// Every function takes the Connection of a Database::Read or Database::Write.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"
#include "util/status.h"

namespace rm::store {

struct User {
  std::string id;  // UUIDv4
  std::string email;  // lower-case
  std::string role;   // user | admin | private-alpha
  std::string plan;   // free | builder | pro | team | admin
  std::optional<std::string> org_id;
  std::optional<std::string> org_role;  // owner | admin | member, when in an org
  std::optional<std::string> team_id;   // a team of org_id
  std::string created_at;
  std::string updated_at;
};

struct NewUser {
  std::string email;
  std::string plan = "free";
  std::string role = "user";
};

// Adds a user. InvalidArgument for a bad email/plan/role; AlreadyExists if the
// email (compared lower-case) is taken. Needs a write connection.
Result<User> InsertUser(Connection& conn, const NewUser& user);

// The user with `email` (any case), or else adds it: for the stdio local owner.
Result<User> GetOrInsertUser(Connection& conn, const NewUser& user);

// NotFound when absent. FindUserByEmail validates the address first (InvalidArgument).
Result<User> FindUserByEmail(Connection& conn, std::string_view email);
Result<User> FindUserById(Connection& conn, std::string_view id);

// All users, oldest first.
Result<std::vector<User>> ListUsers(Connection& conn);

// Inside a write: makes the writers that count against one of a user's plan limits (its
// memories, its API keys), or an org's shared one, take turns from here until they
// commit, so that two of them cannot both count room for one more and overshoot the
// limit together. On PostgreSQL, where writers run at once, a row lock on the user or
// org; on SQLite nothing to do (one writer at a time already).
Status HoldUserRow(Connection& conn, std::string_view user_id);

}  // namespace rm::store
