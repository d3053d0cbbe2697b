// Users, API keys, orgs, teams and memberships, as stored.
#include <gtest/gtest.h>

#include <string>

#include "store/api_keys.h"
#include "store/database.h"
#include "store/orgs.h"
#include "store/plans.h"
#include "store/users.h"
#include "store/validation.h"
#include "tests/store/both_engines.h"
#include "tests/store/text_shapes.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

// Every case runs on SQLite and on PostgreSQL (tests/store/both_engines.h).
class IdentityTest : public rm::testing::BothEnginesTest {
 protected:
  template <typename T, typename Fn>
  Result<T> InWrite(Fn fn) { return WriteValue<T>(store(), fn); }
  template <typename T, typename Fn>
  Result<T> InRead(Fn fn) { return ReadValue<T>(store(), fn); }

  User AddUser(const std::string& email, const std::string& plan = "free") {
    auto u = InWrite<User>([&](Connection& c) { return InsertUser(c, {email, plan, "user"}); });
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : User{};
  }
  Result<CreatedApiKey> AddKey(const User& u, std::optional<std::string> vendor = std::nullopt) {
    return InWrite<CreatedApiKey>(
        [&](Connection& c) { return CreateApiKey(c, {u.id, "Default", vendor}); });
  }
  std::int64_t Count(const std::string& table) {
    auto n = InRead<std::int64_t>([&](Connection& c) -> Result<std::int64_t> {
      Statement& s = c.Prepare("SELECT COUNT(*) FROM " + table);
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      return s.Int64(0);
    });
    return n.ok() ? *n : -1;
  }
};
RM_ON_BOTH_ENGINES(IdentityTest);

// ------------------------------------------------------------------ users

TEST_P(IdentityTest, AddedUserIsFoundByEmailInAnyCaseAndById) {
  User u = AddUser("Ada@Example.COM", "pro");
  EXPECT_EQ(u.email, "ada@example.com");
  EXPECT_EQ(u.plan, "pro");
  EXPECT_EQ(u.role, "user");
  auto by_email = InRead<User>([](Connection& c) { return FindUserByEmail(c, "ADA@example.com"); });
  ASSERT_TRUE(by_email.ok());
  EXPECT_EQ(by_email->id, u.id);
  auto by_id = InRead<User>([&](Connection& c) { return FindUserById(c, u.id); });
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->email, "ada@example.com");
}

TEST_P(IdentityTest, DuplicateEmailIsAlreadyExistsAndAddsNothing) {
  AddUser("a@example.com");
  auto dup = InWrite<User>([](Connection& c) { return InsertUser(c, {"A@example.com"}); });
  EXPECT_EQ(dup.status().code(), Status::Code::kAlreadyExists);
  EXPECT_NE(dup.status().message().find("a@example.com"), std::string::npos);
  EXPECT_EQ(Count("users"), 1);
}

TEST_P(IdentityTest, InvalidEmailPlanOrRoleIsRejected) {
  for (const char* bad : {"", "no-at-sign", "two@@example.com", "@example.com", "a@", "a b@x.com",
                          "a@.example.com", "a@example..com"}) {
    auto r = InWrite<User>([&](Connection& c) { return InsertUser(c, {bad}); });
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << bad;
  }
  auto plan = InWrite<User>([](Connection& c) { return InsertUser(c, {"a@x.com", "gold"}); });
  EXPECT_EQ(plan.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("free, builder, pro, team, admin"), std::string::npos);
  auto role = InWrite<User>([](Connection& c) { return InsertUser(c, {"a@x.com", "free", "root"}); });
  EXPECT_EQ(role.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Count("users"), 0);
}

TEST_P(IdentityTest, UnknownUserIsNotFound) {
  auto r = InRead<User>([](Connection& c) { return FindUserByEmail(c, "ghost@example.com"); });
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

TEST_P(IdentityTest, ListUsersReturnsAllOldestFirst) {
  AddUser("b@example.com");
  AddUser("a@example.com");
  auto list = InRead<std::vector<User>>([](Connection& c) { return ListUsers(c); });
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].email, "b@example.com");
  EXPECT_EQ((*list)[1].email, "a@example.com");
}

TEST_P(IdentityTest, GetOrInsertUserCreatesOnceThenReturnsTheSameUser) {
  auto first = InWrite<User>(
      [](Connection& c) { return GetOrInsertUser(c, {"local@localhost", "admin", "user"}); });
  auto second = InWrite<User>(
      [](Connection& c) { return GetOrInsertUser(c, {"local@localhost", "admin", "user"}); });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->id, second->id);
  EXPECT_EQ(first->plan, "admin");
  EXPECT_EQ(Count("users"), 1);
}

// ------------------------------------------------------------------ API keys

TEST_P(IdentityTest, KeyIsRandomAndOnlyItsHashAndPrefixAreStored) {
  User u = AddUser("a@example.com");
  auto key = AddKey(u, "cursor");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(rm::testing::IsApiKey(key->secret)) << key->secret;
  EXPECT_EQ(key->key.key_prefix, key->secret.substr(0, 16));  // rm_live_ + 8 hex
  EXPECT_EQ(key->key.vendor, "cursor");

  auto stored = InRead<std::string>([&](Connection& c) -> Result<std::string> {
    Statement& s = c.Prepare("SELECT key_hash || '|' || key_prefix || '|' || vendor FROM api_keys");
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    return s.Text(0);
  });
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, Sha256Hex(key->secret) + "|" + key->key.key_prefix + "|cursor");
  EXPECT_EQ(stored->find(key->secret.substr(8)), std::string::npos);  // the secret is not stored

  auto other = AddKey(u);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->secret, key->secret);
}

TEST_P(IdentityTest, KeyResolvesToUserAndVendorUntilRevoked) {
  User u = AddUser("a@example.com");
  auto agent = AddKey(u, "claude");
  auto owner = AddKey(u);
  ASSERT_TRUE(agent.ok() && owner.ok());

  auto resolved = InRead<ResolvedApiKey>([&](Connection& c) { return ResolveApiKey(c, agent->secret); });
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->user_id, u.id);
  EXPECT_EQ(resolved->key_id, agent->key.id);
  EXPECT_EQ(resolved->vendor, "claude");
  auto owner_resolved = InRead<ResolvedApiKey>([&](Connection& c) { return ResolveApiKey(c, owner->secret); });
  ASSERT_TRUE(owner_resolved.ok());
  EXPECT_EQ(owner_resolved->vendor, std::nullopt);

  auto revoked = InWrite<RevokedApiKey>([&](Connection& c) { return RevokeApiKey(c, agent->key.id); });
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(revoked->was_already_revoked);
  EXPECT_TRUE(revoked->key.revoked_at.has_value());
  auto after = InRead<ResolvedApiKey>([&](Connection& c) { return ResolveApiKey(c, agent->secret); });
  EXPECT_EQ(after.status().code(), Status::Code::kUnauthenticated);
  // The owner key is unaffected.
  EXPECT_TRUE(InRead<ResolvedApiKey>([&](Connection& c) { return ResolveApiKey(c, owner->secret); }).ok());

  auto again = InWrite<RevokedApiKey>([&](Connection& c) { return RevokeApiKey(c, agent->key.id); });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->was_already_revoked);
  EXPECT_EQ(again->key.revoked_at, revoked->key.revoked_at);
}

TEST_P(IdentityTest, UnknownOrMalformedKeysAreUnauthenticated) {
  User u = AddUser("a@example.com");
  auto key = AddKey(u);
  ASSERT_TRUE(key.ok());
  std::string wrong = key->secret;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  for (const std::string& bad : {wrong, std::string("rm_live_short"), std::string(""),
                                 "sk_live_" + key->secret.substr(8)}) {
    auto r = InRead<ResolvedApiKey>([&](Connection& c) { return ResolveApiKey(c, bad); });
    EXPECT_EQ(r.status().code(), Status::Code::kUnauthenticated) << bad;
  }
}

TEST_P(IdentityTest, RevokingAnUnknownKeyIsNotFound) {
  auto r = InWrite<RevokedApiKey>([](Connection& c) { return RevokeApiKey(c, "no-such-key"); });
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

TEST_P(IdentityTest, TouchRecordsLastUse) {
  User u = AddUser("a@example.com");
  auto key = AddKey(u);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->key.last_used_at);
  ASSERT_TRUE(store().Write([&](Connection& c) { return TouchApiKey(c, key->key.id); }).ok());
  auto keys = InRead<std::vector<ApiKey>>([&](Connection& c) { return ListApiKeys(c, u.id); });
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_TRUE((*keys)[0].last_used_at.has_value());
}

TEST_P(IdentityTest, KeyQuotaFollowsThePlanAndCountsOnlyActiveKeys) {
  struct Case { const char* plan; int limit; };
  for (Case c : {Case{"free", 2}, Case{"builder", 5}, Case{"pro", 5}, Case{"team", 10}}) {
    User u = AddUser(std::string(c.plan) + "@example.com", c.plan);
    for (int i = 0; i < c.limit; ++i) ASSERT_TRUE(AddKey(u).ok()) << c.plan << " key " << i;
    auto over = AddKey(u);
    EXPECT_EQ(over.status().code(), Status::Code::kQuotaExceeded) << c.plan;
    EXPECT_NE(over.status().message().find("allows " + std::to_string(c.limit) + " active API keys"),
              std::string::npos)
        << over.status().message();
  }
  // Revoking one frees a slot.
  User u = AddUser("again@example.com", "free");
  auto k1 = AddKey(u);
  ASSERT_TRUE(k1.ok() && AddKey(u).ok());
  EXPECT_FALSE(AddKey(u).ok());
  ASSERT_TRUE(store().Write([&](Connection& c) { return RevokeApiKey(c, k1->key.id).status(); }).ok());
  EXPECT_TRUE(AddKey(u).ok());

  User admin = AddUser("root@example.com", "admin");
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(AddKey(admin).ok());
}

TEST_P(IdentityTest, KeyWithInvalidVendorOrLabelIsRejectedAndNothingStored) {
  User u = AddUser("a@example.com");
  EXPECT_EQ(AddKey(u, "Cursor").status().code(), Status::Code::kInvalidArgument);
  auto blank = InWrite<CreatedApiKey>([&](Connection& c) { return CreateApiKey(c, {u.id, "   "}); });
  EXPECT_EQ(blank.status().code(), Status::Code::kInvalidArgument);
  auto nobody = InWrite<CreatedApiKey>([](Connection& c) { return CreateApiKey(c, {"nobody"}); });
  EXPECT_EQ(nobody.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Count("api_keys"), 0);
}

// ------------------------------------------------------------------ orgs and teams

TEST_P(IdentityTest, OrgOwnerBecomesOwnerMember) {
  User owner = AddUser("boss@example.com", "team");
  auto org = InWrite<Org>([&](Connection& c) { return CreateOrg(c, "  Acme  ", owner.id); });
  ASSERT_TRUE(org.ok()) << org.status().ToString();
  EXPECT_EQ(org->name, "Acme");
  EXPECT_EQ(org->plan, "team");
  auto after = InRead<User>([&](Connection& c) { return FindUserById(c, owner.id); });
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->org_id, org->id);
  EXPECT_EQ(after->org_role, "owner");
  // An owner cannot found a second org.
  auto second = InWrite<Org>([&](Connection& c) { return CreateOrg(c, "Other", owner.id); });
  EXPECT_EQ(second.status().code(), Status::Code::kConflict);
  EXPECT_EQ(Count("orgs"), 1);
}

TEST_P(IdentityTest, TeamNamesAreUniqueWithinAnOrg) {
  User a = AddUser("a@example.com"), b = AddUser("b@example.com");
  auto acme = InWrite<Org>([&](Connection& c) { return CreateOrg(c, "Acme", a.id); });
  auto globex = InWrite<Org>([&](Connection& c) { return CreateOrg(c, "Globex", b.id); });
  ASSERT_TRUE(acme.ok() && globex.ok());
  EXPECT_TRUE(InWrite<Team>([&](Connection& c) { return CreateTeam(c, acme->id, "Eng"); }).ok());
  auto dup = InWrite<Team>([&](Connection& c) { return CreateTeam(c, acme->id, "Eng"); });
  EXPECT_EQ(dup.status().code(), Status::Code::kAlreadyExists);
  EXPECT_TRUE(InWrite<Team>([&](Connection& c) { return CreateTeam(c, globex->id, "Eng"); }).ok());
  auto orphan = InWrite<Team>([](Connection& c) { return CreateTeam(c, "no-org", "Eng"); });
  EXPECT_EQ(orphan.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Count("teams"), 2);
}

TEST_P(IdentityTest, MembershipSetsRoleAndTeamOfThatOrgOnly) {
  User boss = AddUser("boss@example.com"), dev = AddUser("dev@example.com"),
       rival = AddUser("rival@example.com");
  auto acme = InWrite<Org>([&](Connection& c) { return CreateOrg(c, "Acme", boss.id); });
  auto globex = InWrite<Org>([&](Connection& c) { return CreateOrg(c, "Globex", rival.id); });
  ASSERT_TRUE(acme.ok() && globex.ok());
  auto eng = InWrite<Team>([&](Connection& c) { return CreateTeam(c, acme->id, "Eng"); });
  auto sales = InWrite<Team>([&](Connection& c) { return CreateTeam(c, globex->id, "Sales"); });
  ASSERT_TRUE(eng.ok() && sales.ok());

  auto member = InWrite<User>(
      [&](Connection& c) { return SetMembership(c, {acme->id, dev.id, "member", eng->id}); });
  ASSERT_TRUE(member.ok()) << member.status().ToString();
  EXPECT_EQ(member->org_id, acme->id);
  EXPECT_EQ(member->org_role, "member");
  EXPECT_EQ(member->team_id, eng->id);

  // Promotion within the same org updates the role.
  auto admin = InWrite<User>(
      [&](Connection& c) { return SetMembership(c, {acme->id, dev.id, "admin", eng->id}); });
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->org_role, "admin");

  auto foreign_team = InWrite<User>(
      [&](Connection& c) { return SetMembership(c, {acme->id, dev.id, "member", sales->id}); });
  EXPECT_EQ(foreign_team.status().code(), Status::Code::kInvalidArgument);
  auto other_org = InWrite<User>(
      [&](Connection& c) { return SetMembership(c, {globex->id, dev.id, "member", std::nullopt}); });
  EXPECT_EQ(other_org.status().code(), Status::Code::kConflict);
  auto bad_role = InWrite<User>(
      [&](Connection& c) { return SetMembership(c, {acme->id, dev.id, "emperor", std::nullopt}); });
  EXPECT_EQ(bad_role.status().code(), Status::Code::kInvalidArgument);
  auto demote_owner = InWrite<User>(
      [&](Connection& c) { return SetMembership(c, {acme->id, boss.id, "member", std::nullopt}); });
  EXPECT_EQ(demote_owner.status().code(), Status::Code::kConflict);

  // None of the refused changes altered dev's membership.
  auto dev_now = InRead<User>([&](Connection& c) { return FindUserById(c, dev.id); });
  ASSERT_TRUE(dev_now.ok());
  EXPECT_EQ(dev_now->org_id, acme->id);
  EXPECT_EQ(dev_now->org_role, "admin");
  EXPECT_EQ(dev_now->team_id, eng->id);
}

// ------------------------------------------------------------------ rules

TEST(Validation, VendorNames) {
  for (const char* ok : {"claude", "chatgpt", "n8n", "my_tool-2", "a", "abcdefghijklmnopqrstuvwxyz012345"}) {
    EXPECT_TRUE(IsValidVendorName(ok)) << ok;
  }
  for (const char* bad : {"", "Claude", "1tool", "-x", "has space", "tool!", "abcdefghijklmnopqrstuvwxyz0123456",
                          "*"}) {
    EXPECT_FALSE(IsValidVendorName(bad)) << bad;
  }
  EXPECT_NE(ValidateVendorName("Bad").message().find("lower-case"), std::string::npos);
}

TEST(Validation, Months) {
  EXPECT_TRUE(ValidateMonth("2026-01").ok());
  EXPECT_TRUE(ValidateMonth("2026-12").ok());
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-01", "2026/01", ""}) {
    EXPECT_FALSE(ValidateMonth(bad).ok()) << bad;
  }
}

TEST(Plans, LimitsMatchTheSpec) {
  EXPECT_EQ(LimitsOfPlan("free")->max_memories, 200);
  EXPECT_EQ(LimitsOfPlan("free")->max_api_keys, 2);
  EXPECT_EQ(LimitsOfPlan("builder")->max_memories, 400);
  EXPECT_EQ(LimitsOfPlan("pro")->max_api_keys, 5);
  EXPECT_EQ(LimitsOfPlan("team")->max_memories, 4000);
  EXPECT_TRUE(LimitsOfPlan("team")->memories_counted_per_org);
  EXPECT_EQ(LimitsOfPlan("team")->max_api_keys, 10);
  EXPECT_FALSE(LimitsOfPlan("admin")->max_memories);
  EXPECT_FALSE(LimitsOfPlan("admin")->max_api_keys);
  EXPECT_FALSE(LimitsOfPlan("gold"));
}

}  // namespace
}  // namespace rm::store
