// Org invites (store/org_invites.h): single use, 7 days, the token stored only as SHA-256,
// the joiner lands in the org (and team) through SetMembership, and every refusal changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "store/database.h"
#include "store/org_invites.h"
#include "store/org_roster.h"
#include "store/orgs.h"
#include "store/users.h"
#include "tests/store/both_engines.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

// Every case runs on SQLite and on PostgreSQL (tests/store/both_engines.h).
class OrgInvitesTest : public rm::testing::BothEnginesTest {
 protected:
  void SetUp() override {
    rm::testing::BothEnginesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    owner_ = AddUser("owner@example.com");
    org_ = Write<Org>([&](Connection& c) { return CreateOrg(c, "Acme", owner_.id); }).value();
    team_ = Write<Team>([&](Connection& c) { return CreateTeam(c, org_.id, "Engineering"); }).value();
  }

  template <typename T, typename Fn>
  Result<T> Write(Fn&& fn) { return WriteValue<T>(store(), std::forward<Fn>(fn)); }
  User AddUser(const std::string& email) {
    return Write<User>([&](Connection& c) { return InsertUser(c, {email}); }).value();
  }
  User Reload(const std::string& id) {
    return ReadValue<User>(store(), [&](Connection& c) { return FindUserById(c, id); }).value();
  }
  Result<CreatedInvite> Invite(std::optional<std::string> email, std::optional<std::string> team = std::nullopt,
                               std::string by = "", std::chrono::seconds ttl = kInviteLifetime) {
    if (by.empty()) by = owner_.id;
    NewOrgInvite invite{org_.id, std::move(email), std::move(team), by};
    return Write<CreatedInvite>([&](Connection& c) { return CreateOrgInvite(c, invite, ttl); });
  }
  Result<User> Accept(const std::string& token, const std::string& user_id) {
    return Write<User>([&](Connection& c) { return AcceptInvite(c, token, user_id); });
  }
  std::vector<OrgInvite> Pending() {
    return ReadValue<std::vector<OrgInvite>>(store(), [&](Connection& c) { return ListPendingInvites(c, org_.id); }).value();
  }
  std::string Column(const std::string& sql, const std::string& param) {
    auto value = ReadValue<std::string>(store(), [&](Connection& c) -> Result<std::string> {
      Statement& s = c.Prepare(sql);
      s.Bind(1, param);
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      return *row ? s.Text(0) : std::string("<none>");
    });
    return value.ok() ? *value : value.status().ToString();
  }

  User owner_;
  Org org_;
  Team team_;
};
RM_ON_BOTH_ENGINES(OrgInvitesTest);

TEST_P(OrgInvitesTest, AnInviteIsStoredOnlyAsTheTokensHashAndExpiresInSevenDays) {
  auto created = Invite("Bea@Example.com", team_.id);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->token.size(), 64u);
  EXPECT_EQ(created->invite.email, "bea@example.com");
  EXPECT_EQ(created->invite.status, "pending");
  const std::string& id = created->invite.id;
  EXPECT_EQ(Column("SELECT token FROM org_invites WHERE id = ?", id), Sha256Hex(created->token));
  EXPECT_EQ(Column("SELECT count(*) FROM org_invites WHERE token = ?", created->token), "0");
  EXPECT_EQ(Column("SELECT target_team_id FROM org_invites WHERE id = ?", id), team_.id);
  EXPECT_EQ(Column("SELECT invited_by FROM org_invites WHERE id = ?", id), owner_.id);
  // 7 days from now (compared to the hour, so a test running across a minute does not flake).
  EXPECT_EQ(created->invite.expires_at.substr(0, 13),
            FormatUtc(std::chrono::system_clock::now() + std::chrono::hours(24 * 7)).substr(0, 13));
  ASSERT_EQ(Pending().size(), 1u);
  EXPECT_EQ(Pending()[0].id, id);
}

TEST_P(OrgInvitesTest, AcceptingJoinsOrgAndTeamAsMemberOnce) {
  auto created = Invite("bea@example.com", team_.id).value();
  User bea = AddUser("bea@example.com");
  auto joined = Accept(created.token, bea.id);
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->org_id, org_.id);
  EXPECT_EQ(joined->org_role, "member");
  EXPECT_EQ(joined->team_id, team_.id);
  EXPECT_EQ(Column("SELECT status FROM org_invites WHERE id = ?", created.invite.id), "accepted");
  EXPECT_TRUE(Pending().empty());

  // Single use: a second person (or the same one) gets NotFound.
  User cy = AddUser("cy@example.com");
  EXPECT_EQ(Accept(created.token, bea.id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Accept(created.token, cy.id).status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(Reload(cy.id).org_id.has_value());
  auto members = ReadValue<std::vector<User>>(store(), [&](Connection& c) { return ListOrgMembers(c, org_.id); }).value();
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].email, "owner@example.com");  // owner first
  EXPECT_EQ(members[1].email, "bea@example.com");
}

TEST_P(OrgInvitesTest, ExpiredRevokedUnknownAndMalformedTokensAreNotFound) {
  User bea = AddUser("bea@example.com");
  auto expired = Invite(std::nullopt, std::nullopt, "", std::chrono::seconds(-1)).value();
  EXPECT_EQ(Accept(expired.token, bea.id).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(Pending().empty());

  auto revoked = Invite(std::nullopt).value();
  ASSERT_TRUE(store().Write([&](Connection& c) { return RevokeInvite(c, org_.id, revoked.invite.id); }).ok());
  EXPECT_EQ(Column("SELECT status FROM org_invites WHERE id = ?", revoked.invite.id), "expired");
  EXPECT_EQ(Accept(revoked.token, bea.id).status().code(), Status::Code::kNotFound);
  // Revoking again, or from another org, is NotFound.
  EXPECT_EQ(store().Write([&](Connection& c) { return RevokeInvite(c, org_.id, revoked.invite.id); }).code(),
            Status::Code::kNotFound);
  auto live = Invite(std::nullopt).value();
  EXPECT_EQ(store().Write([&](Connection& c) { return RevokeInvite(c, "another-org", live.invite.id); }).code(),
            Status::Code::kNotFound);

  EXPECT_EQ(Accept(RandomHex(32), bea.id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Accept("not-a-token", bea.id).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Accept(Sha256Hex(live.token), bea.id).status().code(), Status::Code::kNotFound);  // the stored value
  EXPECT_FALSE(Reload(bea.id).org_id.has_value());
}

TEST_P(OrgInvitesTest, AUserInAnotherOrgOrWithAnotherEmailIsRefusedAndTheInviteStaysUsable) {
  User other_owner = AddUser("zed@example.com");
  ASSERT_TRUE(Write<Org>([&](Connection& c) { return CreateOrg(c, "Other", other_owner.id); }).ok());
  auto open = Invite(std::nullopt).value();
  auto refused = Accept(open.token, other_owner.id);
  EXPECT_EQ(refused.status().code(), Status::Code::kConflict);
  EXPECT_NE(refused.status().message().find("one org only"), std::string::npos) << refused.status().message();

  auto for_bea = Invite("bea@example.com").value();
  User cy = AddUser("cy@example.com");
  auto wrong = Accept(for_bea.token, cy.id);
  EXPECT_EQ(wrong.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("bea@example.com"), std::string::npos);
  EXPECT_FALSE(Reload(cy.id).org_id.has_value());
  EXPECT_EQ(Pending().size(), 2u);  // both still usable

  // The owner accepting an open invite of their own org is refused, and keeps the owner role.
  EXPECT_EQ(Accept(open.token, owner_.id).status().code(), Status::Code::kConflict);
  EXPECT_EQ(Reload(owner_.id).org_role, "owner");
}

TEST_P(OrgInvitesTest, OnlyOwnersAndAdminsInviteToTeamsOfTheirOrgAndNotExistingMembers) {
  User member = AddUser("mo@example.com");
  ASSERT_TRUE(Write<User>([&](Connection& c) { return SetMembership(c, {org_.id, member.id, "member"}); }).ok());
  EXPECT_EQ(Invite("x@example.com", std::nullopt, member.id).status().code(), Status::Code::kPermissionDenied);
  User outsider = AddUser("out@example.com");
  EXPECT_EQ(Invite("x@example.com", std::nullopt, outsider.id).status().code(), Status::Code::kPermissionDenied);

  User admin = AddUser("ad@example.com");
  ASSERT_TRUE(Write<User>([&](Connection& c) { return SetMembership(c, {org_.id, admin.id, "admin"}); }).ok());
  EXPECT_TRUE(Invite("x@example.com", std::nullopt, admin.id).ok());

  User zed = AddUser("zed@example.com");
  Org other = Write<Org>([&](Connection& c) { return CreateOrg(c, "Other", zed.id); }).value();
  Team theirs = Write<Team>([&](Connection& c) { return CreateTeam(c, other.id, "Sales"); }).value();
  EXPECT_EQ(Invite("y@example.com", theirs.id).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Invite("y@example.com", "no-such-team").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(Invite("not an email").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Invite("mo@example.com").status().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(Pending().size(), 1u);  // only the admin's
}

}  // namespace
}  // namespace rm::store
