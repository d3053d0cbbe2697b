// The store's tests on both engines: a GoogleTest parameter saying which, and a
// fresh, migrated store of that engine for each test.
//
//   class MyTest : public rm::testing::BothEnginesTest {};
//   TEST_P(MyTest, ...) { store().Write(...); }
//   RM_ON_BOTH_ENGINES(MyTest);
//
// SQLite: a throwaway database file (Database::Open(":memory:")). PostgreSQL: a new
// database on the test binary's throwaway PostgreSQL 15 (tests/postgres/throwaway_postgres.h);
// without Debian's PostgreSQL binaries the PostgreSQL cases skip, saying why.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store.h"

namespace rm::testing {

class BothEnginesTest : public ::testing::TestWithParam<store::Engine> {
 protected:
  void SetUp() override;
  store::Store& store() { return *store_; }

 private:
  std::unique_ptr<store::Store> store_;
};

std::string EngineName(const ::testing::TestParamInfo<store::Engine>& info);

}  // namespace rm::testing

#define RM_ON_BOTH_ENGINES(fixture)                                                                      \
  INSTANTIATE_TEST_SUITE_P(Engines, fixture,                                                            \
                           ::testing::Values(::rm::store::Engine::kSqlite, ::rm::store::Engine::kPostgres), \
                           ::rm::testing::EngineName)
