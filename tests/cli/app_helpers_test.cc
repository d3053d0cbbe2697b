// app/ helpers that `serve` reuses: where the database is, and the local owner.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "app/database_location.h"
#include "app/local_owner.h"
#include "store/database.h"

namespace rm::app {
namespace {

// Sets an environment variable for one test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value, 1); else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1); else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DatabaseLocation, FlagThenEnvironmentThenHome) {
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv db("REFLECT_DB", nullptr);
    EXPECT_EQ(ResolveDatabasePath(""), "/home/someone/.reflect-memory/memory.db");
    EXPECT_EQ(ResolveDatabasePath("/x/y.db"), "/x/y.db");
  }
  ScopedEnv db("REFLECT_DB", "/env/memory.db");
  EXPECT_EQ(ResolveDatabasePath(""), "/env/memory.db");
  EXPECT_EQ(ResolveDatabasePath("/flag.db"), "/flag.db");
}

TEST(LocalOwner, IsCreatedOnceWithPlanAdmin) {
  auto db = store::Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto first = EnsureLocalOwner(**db);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->email, "local@localhost");
  EXPECT_EQ(first->plan, "admin");
  auto second = EnsureLocalOwner(**db);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  auto users = store::ReadValue<std::vector<store::User>>(
      **db, [](store::Connection& c) { return store::ListUsers(c); });
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 1u);
}

}  // namespace
}  // namespace rm::app
