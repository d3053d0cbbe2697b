// Managing an org's members (store/org_members.h): owners and admins change roles and teams and
// remove members; admins cannot touch owners or make owners; the last owner stays; other orgs'
// people are not found; removing and leaving clear the membership and leave memories shared.
#include <gtest/gtest.h>

#include <string>

#include "store/database.h"
#include "store/memory_records.h"
#include "store/memory_repository.h"
#include "store/org_members.h"
#include "store/orgs.h"
#include "store/users.h"
#include "tests/store/both_engines.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::store {
namespace {

// Every case runs on SQLite and on PostgreSQL (tests/store/both_engines.h).
class OrgMembersTest : public rm::testing::BothEnginesTest {
 protected:
  void SetUp() override {
    rm::testing::BothEnginesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    owner_ = AddUser("owner@example.com");
    org_ = Write<Org>([&](Connection& c) { return CreateOrg(c, "Acme", owner_.id); }).value();
    team_ = Write<Team>([&](Connection& c) { return CreateTeam(c, org_.id, "Engineering"); }).value();
    admin_ = Join("admin@example.com", "admin");
    member_ = Join("member@example.com", "member", team_.id);
  }

  template <typename T, typename Fn>
  Result<T> Write(Fn&& fn) { return WriteValue<T>(store(), std::forward<Fn>(fn)); }
  User AddUser(const std::string& email) {
    return Write<User>([&](Connection& c) { return InsertUser(c, {email}); }).value();
  }
  User Join(const std::string& email, const std::string& role, std::optional<std::string> team = std::nullopt) {
    User user = AddUser(email);
    return Write<User>([&](Connection& c) { return SetMembership(c, {org_.id, user.id, role, team}); }).value();
  }
  User Reload(const std::string& id) {
    return ReadValue<User>(store(), [&](Connection& c) { return FindUserById(c, id); }).value();
  }
  std::string OrgOwnerId() {
    return ReadValue<Org>(store(), [&](Connection& c) { return FindOrgById(c, org_.id); }).value().owner_id;
  }
  Status Role(const User& actor, const User& member, const std::string& role) {
    return Write<User>([&](Connection& c) { return SetMemberRole(c, org_.id, actor.id, member.id, role); }).status();
  }
  Status TeamOf(const User& actor, const User& member, std::optional<std::string> team) {
    return Write<User>([&](Connection& c) { return SetMemberTeam(c, org_.id, actor.id, member.id, team); }).status();
  }
  Status Remove(const User& actor, const User& member) {
    return store().Write([&](Connection& c) { return RemoveMember(c, org_.id, actor.id, member.id); });
  }
  Status Leave(const User& user) {
    return store().Write([&](Connection& c) { return LeaveOrg(c, user.id); });
  }

  User owner_, admin_, member_;
  Org org_;
  Team team_;
};
RM_ON_BOTH_ENGINES(OrgMembersTest);

TEST_P(OrgMembersTest, AnAdminPromotesAMemberToAdminAndBack) {
  ASSERT_TRUE(Role(admin_, member_, "admin").ok());
  EXPECT_EQ(Reload(member_.id).org_role, "admin");
  EXPECT_EQ(Reload(member_.id).team_id, team_.id);  // the team is untouched
  ASSERT_TRUE(Role(admin_, member_, "member").ok());
  EXPECT_EQ(Reload(member_.id).org_role, "member");
  EXPECT_EQ(Role(admin_, member_, "boss").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Reload(member_.id).org_role, "member");
}

TEST_P(OrgMembersTest, AnAdminCannotMakeAnOwnerNorDemoteOrRemoveOne) {
  EXPECT_EQ(Role(admin_, member_, "owner").code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Role(admin_, admin_, "owner").code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Role(admin_, owner_, "member").code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Remove(admin_, owner_).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Reload(member_.id).org_role, "member");
  EXPECT_EQ(Reload(admin_.id).org_role, "admin");
  EXPECT_EQ(Reload(owner_.id).org_role, "owner");
  EXPECT_EQ(Reload(owner_.id).org_id, org_.id);
}

TEST_P(OrgMembersTest, TheLastOwnerCannotBeDemotedRemovedOrLeave) {
  for (const Status& refused : {Role(owner_, owner_, "admin"), Remove(owner_, owner_), Leave(owner_)}) {
    EXPECT_EQ(refused.code(), Status::Code::kFailedPrecondition);
    EXPECT_NE(refused.message().find("make someone else owner first"), std::string::npos) << refused.message();
  }
  EXPECT_EQ(Reload(owner_.id).org_role, "owner");
  EXPECT_EQ(Reload(owner_.id).org_id, org_.id);

  // With a second owner (only an owner makes one), the first may step down; orgs.owner_id follows.
  ASSERT_TRUE(Role(owner_, admin_, "owner").ok());
  ASSERT_TRUE(Role(owner_, owner_, "member").ok());
  EXPECT_EQ(Reload(owner_.id).org_role, "member");
  EXPECT_EQ(OrgOwnerId(), admin_.id);
  // …and the new last owner is held in place in turn.
  EXPECT_EQ(Leave(admin_).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Reload(admin_.id).org_role, "owner");
}

TEST_P(OrgMembersTest, AMemberCannotChangeAnyone) {
  const User other = Join("other@example.com", "member");
  EXPECT_EQ(Role(member_, other, "admin").code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Role(member_, member_, "admin").code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(TeamOf(member_, other, team_.id).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Remove(member_, other).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Remove(member_, owner_).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Reload(other.id).org_role, "member");
  EXPECT_FALSE(Reload(other.id).team_id.has_value());
  EXPECT_EQ(Reload(other.id).org_id, org_.id);
  EXPECT_EQ(Reload(member_.id).org_role, "member");
}

TEST_P(OrgMembersTest, RemovingClearsOrgRoleAndTeamAndSharedMemoriesStayShared) {
  MemoryRow shared;
  shared.id = NewUuid();
  shared.user_id = member_.id;
  shared.title = "Runbook";
  shared.content = "restart the thing";
  shared.origin = "api";
  shared.created_at = shared.updated_at = NowUtc();
  shared.shared_with_team_id = team_.id;
  ASSERT_TRUE(store().Write([&](Connection& c) { return InsertMemory(c, shared); }).ok());

  ASSERT_TRUE(Remove(admin_, member_).ok());
  const User removed = Reload(member_.id);
  EXPECT_FALSE(removed.org_id.has_value());
  EXPECT_FALSE(removed.org_role.has_value());
  EXPECT_FALSE(removed.team_id.has_value());
  // The memory is still the author's, and still shared with the team.
  auto team_of_memory = ReadValue<std::string>(store(), [&](Connection& c) -> Result<std::string> {
    Statement& s = c.Prepare("SELECT coalesce(shared_with_team_id, '') || '/' || user_id FROM memories WHERE id = ?");
    s.Bind(1, shared.id);
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    return *row ? s.Text(0) : std::string("<none>");
  });
  ASSERT_TRUE(team_of_memory.ok());
  EXPECT_EQ(*team_of_memory, team_.id + "/" + member_.id);
  // Not a member any more: a second removal is NotFound.
  EXPECT_EQ(Remove(admin_, member_).code(), Status::Code::kNotFound);
}

TEST_P(OrgMembersTest, PeopleAndTeamsOfAnotherOrgAreNotFoundAndNothingChanges) {
  const User zed = AddUser("zed@example.com");
  const Org other = Write<Org>([&](Connection& c) { return CreateOrg(c, "Other", zed.id); }).value();
  const Team theirs = Write<Team>([&](Connection& c) { return CreateTeam(c, other.id, "Sales"); }).value();
  const User outsider = AddUser("solo@example.com");
  for (const User& stranger : {zed, outsider}) {
    EXPECT_EQ(Role(owner_, stranger, "member").code(), Status::Code::kNotFound);
    EXPECT_EQ(TeamOf(owner_, stranger, team_.id).code(), Status::Code::kNotFound);
    EXPECT_EQ(Remove(owner_, stranger).code(), Status::Code::kNotFound);
  }
  User ghost;
  ghost.id = "no-such-user";
  EXPECT_EQ(Remove(owner_, ghost).code(), Status::Code::kNotFound);
  // The same message for an unknown id and another org's member.
  EXPECT_EQ(Remove(owner_, zed).message().find("Other"), std::string::npos);
  EXPECT_EQ(TeamOf(owner_, member_, theirs.id).code(), Status::Code::kNotFound);
  EXPECT_EQ(TeamOf(owner_, member_, std::string("no-such-team")).code(), Status::Code::kNotFound);
  EXPECT_EQ(Reload(zed.id).org_id, other.id);
  EXPECT_EQ(Reload(zed.id).org_role, "owner");
  EXPECT_EQ(Reload(member_.id).team_id, team_.id);
  // zed manages Other, not Acme: refused, not told whether the member exists.
  EXPECT_EQ(Remove(zed, member_).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(Reload(member_.id).org_id, org_.id);
}

TEST_P(OrgMembersTest, TeamsAreSetAndClearedWithinTheOrg) {
  const Team ops = Write<Team>([&](Connection& c) { return CreateTeam(c, org_.id, "Ops"); }).value();
  ASSERT_TRUE(TeamOf(admin_, member_, ops.id).ok());
  EXPECT_EQ(Reload(member_.id).team_id, ops.id);
  ASSERT_TRUE(TeamOf(admin_, owner_, ops.id).ok());  // a team is not a role: admins may move owners
  EXPECT_EQ(Reload(owner_.id).team_id, ops.id);
  ASSERT_TRUE(TeamOf(owner_, member_, std::nullopt).ok());
  EXPECT_FALSE(Reload(member_.id).team_id.has_value());
}

TEST_P(OrgMembersTest, AMemberLeaves) {
  ASSERT_TRUE(Leave(member_).ok());
  const User left = Reload(member_.id);
  EXPECT_FALSE(left.org_id.has_value());
  EXPECT_FALSE(left.org_role.has_value());
  EXPECT_FALSE(left.team_id.has_value());
  EXPECT_EQ(Leave(member_).code(), Status::Code::kNotFound);
  // They can join again later (SetMembership), e.g. through a new invite.
  EXPECT_TRUE(Write<User>([&](Connection& c) { return SetMembership(c, {org_.id, member_.id, "member"}); }).ok());
}

TEST_P(OrgMembersTest, WhenTheRecordedOwnerLeavesTheOrgRecordsAnotherOwnerAndTheyCanRejoin) {
  ASSERT_TRUE(Role(owner_, admin_, "owner").ok());
  ASSERT_TRUE(Leave(owner_).ok());
  EXPECT_EQ(OrgOwnerId(), admin_.id);
  EXPECT_FALSE(Reload(owner_.id).org_id.has_value());
  EXPECT_TRUE(Write<User>([&](Connection& c) { return SetMembership(c, {org_.id, owner_.id, "member"}); }).ok());
}

}  // namespace
}  // namespace rm::store
