// reflect-memory org invite, run as an admin runs it: the link alone on the last line (or JSON),
// the base URL from --public-url, $REFLECT_PUBLIC_URL or the default, and an invite that works
// once in the store, made in the name of the org's owner.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "store/database.h"
#include "store/org_invites.h"
#include "store/orgs.h"
#include "store/users.h"
#include "tests/cli/cli_runner.h"
#include "tests/store/temp_dir.h"

namespace rm::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class OrgInviteCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Run({"user", "add", "ada@example.com"}).exit_code, 0);
    CliResult org = Run({"org", "create", "Acme", "--owner", "ada@example.com"});
    ASSERT_EQ(org.exit_code, 0) << org.err;
    org_id_ = org.LastLine();
    CliResult team = Run({"team", "create", org_id_, "Engineering"});
    ASSERT_EQ(team.exit_code, 0) << team.err;
    team_id_ = team.LastLine();
  }

  CliResult Run(std::vector<std::string> args, std::vector<std::string> env = {"REFLECT_PUBLIC_URL="}) {
    args.push_back("--db");
    args.push_back(db_);
    return RunCli(args, {dir_.path().string(), "", std::move(env)});
  }
  std::string TokenOf(const std::string& url) { return url.substr(url.rfind('/') + 1); }

  TempDir dir_;
  std::string db_ = dir_.File("memory.db");
  std::string org_id_;
  std::string team_id_;
};

TEST_F(OrgInviteCliTest, PrintsASingleUseLinkThatPutsTheInviteeInTheOrgAndTeam) {
  CliResult r = Run({"org", "invite", org_id_, "Bea@Example.com", "--team", team_id_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string url = r.LastLine();
  EXPECT_EQ(url.rfind("http://127.0.0.1:8765/invite/", 0), 0u) << r.out;
  EXPECT_EQ(TokenOf(url).size(), 64u);
  EXPECT_TRUE(Contains(r.out, "bea@example.com")) << r.out;
  EXPECT_TRUE(Contains(r.out, "7 days")) << r.out;

  auto db = store::Database::Open(db_);
  ASSERT_TRUE(db.ok());
  auto bea = store::WriteValue<store::User>(**db, [](store::Connection& c) {
    return store::InsertUser(c, store::NewUser{"bea@example.com"});
  });
  ASSERT_TRUE(bea.ok());
  auto invites = store::ReadValue<std::vector<store::OrgInvite>>(
      **db, [&](store::Connection& c) { return store::ListPendingInvites(c, org_id_); });
  ASSERT_TRUE(invites.ok() && invites->size() == 1u);
  auto owner = store::ReadValue<store::User>(**db, [](store::Connection& c) {
    return store::FindUserByEmail(c, "ada@example.com");
  });
  EXPECT_EQ((*invites)[0].invited_by, owner->id);
  auto joined = store::WriteValue<store::User>(
      **db, [&](store::Connection& c) { return store::AcceptInvite(c, TokenOf(url), bea->id); });
  ASSERT_TRUE(joined.ok()) << joined.status().ToString();
  EXPECT_EQ(joined->org_id, org_id_);
  EXPECT_EQ(joined->team_id, team_id_);
  auto again = store::WriteValue<store::User>(
      **db, [&](store::Connection& c) { return store::AcceptInvite(c, TokenOf(url), bea->id); });
  EXPECT_EQ(again.status().code(), Status::Code::kNotFound);
}

TEST_F(OrgInviteCliTest, TheBaseUrlComesFromTheFlagTheEnvironmentOrTheDefaultAndJsonHasTheExpiry) {
  CliResult from_env = Run({"org", "invite", org_id_, "a@example.com"}, {"REFLECT_PUBLIC_URL=https://env.example.com/"});
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(from_env.LastLine().rfind("https://env.example.com/invite/", 0), 0u) << from_env.out;
  CliResult flag = Run({"org", "invite", org_id_, "b@example.com", "--public-url", "http://localhost:9000"},
                       {"REFLECT_PUBLIC_URL=https://env.example.com"});
  EXPECT_EQ(flag.LastLine().rfind("http://localhost:9000/invite/", 0), 0u) << flag.out;

  CliResult json = Run({"org", "invite", org_id_, "c@example.com", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const boost::json::object parsed = boost::json::parse(json.out).as_object();
  EXPECT_EQ(std::string(parsed.at("url").as_string()).rfind("http://127.0.0.1:8765/invite/", 0), 0u);
  EXPECT_FALSE(parsed.at("expires_at").as_string().empty());
  EXPECT_EQ(parsed.size(), 2u);

  CliResult bad_url = Run({"org", "invite", org_id_, "d@example.com", "--public-url", "ftp://x"});
  EXPECT_EQ(bad_url.exit_code, 2);  // a usage error
  EXPECT_TRUE(Contains(bad_url.err, "--public-url")) << bad_url.err;
}

TEST_F(OrgInviteCliTest, MistakesAreNamedAndCreateNothing) {
  CliResult unknown_org = Run({"org", "invite", "no-such-org", "a@example.com"});
  EXPECT_EQ(unknown_org.exit_code, 1);
  EXPECT_TRUE(Contains(unknown_org.err, "no org with id no-such-org")) << unknown_org.err;
  CliResult bad_email = Run({"org", "invite", org_id_, "not-an-email"});
  EXPECT_EQ(bad_email.exit_code, 2);
  CliResult bad_team = Run({"org", "invite", org_id_, "a@example.com", "--team", "no-such-team"});
  EXPECT_EQ(bad_team.exit_code, 1);
  EXPECT_TRUE(Contains(bad_team.err, "no team")) << bad_team.err;
  CliResult member = Run({"org", "invite", org_id_, "ada@example.com"});
  EXPECT_EQ(member.exit_code, 1);
  EXPECT_TRUE(Contains(member.err, "already a member")) << member.err;
  EXPECT_EQ(Run({"org", "invite", org_id_}).exit_code, 2);  // EMAIL missing

  auto db = store::Database::Open(db_);
  ASSERT_TRUE(db.ok());
  auto invites = store::ReadValue<std::vector<store::OrgInvite>>(
      **db, [&](store::Connection& c) { return store::ListPendingInvites(c, org_id_); });
  ASSERT_TRUE(invites.ok());
  EXPECT_TRUE(invites->empty());

  CliResult help = RunCli({"org", "invite", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(Contains(help.out, "Usage: reflect-memory org invite")) << help.out;
}

}  // namespace
}  // namespace rm::testing
