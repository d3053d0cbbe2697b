// reflect-memory user set-password, signin-link and grant list | revoke, run as a person
// runs them; what they stored is checked through the store itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/database.h"
#include "store/oauth_clients.h"
#include "store/oauth_grants.h"
#include "store/users.h"
#include "store/web_accounts.h"
#include "tests/cli/cli_runner.h"
#include "tests/store/issue_test_grant.h"
#include "tests/store/temp_dir.h"
#include "util/password_hash.h"

namespace rm::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class SignInCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(Run({"user", "add", "ada@example.com"}).exit_code, 0); }

  // Runs the binary on this test's database, with `input` on stdin and `env` (NAME=value) added.
  CliResult Run(std::vector<std::string> args, const std::string& input = "", std::vector<std::string> env = {}) {
    args.push_back("--db");
    args.push_back(db_);
    return RunCli(args, {dir_.path().string(), "", std::move(env), input});
  }
  std::unique_ptr<store::Database> Open() {
    auto db = store::Database::Open(db_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  std::optional<std::string> StoredHash() {
    auto db = Open();
    auto account = store::ReadValue<std::optional<store::PasswordAccount>>(
        *db, [](store::Connection& c) { return store::FindAccountByEmail(c, "ada@example.com"); });
    EXPECT_TRUE(account.ok() && account->has_value());
    return account.ok() && account->has_value() ? (*account)->password_hash : std::nullopt;
  }
  Result<std::string> UseLink(const std::string& token) {
    auto db = Open();
    return store::WriteValue<std::string>(*db, [&](store::Connection& c) { return store::UseSignInLink(c, token); });
  }

  TempDir dir_;
  std::string db_ = dir_.File("memory.db");
};

TEST_F(SignInCliTest, NewCommandsHaveHelp) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"user", "set-password"}, {"signin-link"}, {"grant"}, {"grant", "list"}, {"grant", "revoke"}}) {
    std::string name = "reflect-memory";
    for (const std::string& part : cmd) name += " " + part;
    cmd.push_back("--help");
    CliResult r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_TRUE(Contains(r.out, "Usage: " + name)) << r.out;
  }
}

TEST_F(SignInCliTest, SetPasswordReadsOneLineOfStdinAndStoresOnlyItsArgon2idHash) {
  CliResult set = Run({"user", "set-password", "ADA@example.com"}, "correct horse battery\r\n");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_FALSE(Contains(set.out + set.err, "correct horse")) << set.out << set.err;
  EXPECT_TRUE(Contains(set.out, "ada@example.com")) << set.out;
  std::optional<std::string> hash = StoredHash();
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("correct horse battery", *hash));  // the line ending is not part of it
  EXPECT_FALSE(VerifyPassword("correct horse battery\r", *hash));

  // Setting it again replaces it; trailing spaces are part of a password.
  ASSERT_EQ(Run({"user", "set-password", "ada@example.com"}, "new password  \n").exit_code, 0);
  hash = StoredHash();
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(VerifyPassword("new password  ", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery", *hash));
}

TEST_F(SignInCliTest, SetPasswordRefusesWhatItCannotUseAndChangesNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string input;
    int exit_code;
    std::string phrase;
  };
  const std::vector<Case> cases = {
      {{"user", "set-password", "ada@example.com"}, "", 2, "no password on stdin"},
      {{"user", "set-password", "ada@example.com"}, "seven77\n", 2, "shorter than 8 characters"},
      {{"user", "set-password", "ada@example.com"}, "\n", 2, "shorter than 8 characters"},
      {{"user", "set-password", "ada@example.com"}, "first line ok\nsecond line\n", 2, "several lines"},
      {{"user", "set-password", "ada@example.com"}, std::string(1025, 'p') + "\n", 2, "longer than 1,024"},
      {{"user", "set-password", "nobody@example.com"}, "long enough password\n", 1, "no user with email"},
      {{"user", "set-password", "not-an-email"}, "long enough password\n", 2, "email"},
      {{"user", "set-password"}, "long enough password\n", 2, "EMAIL"},
  };
  for (const Case& c : cases) {
    CliResult r = Run(c.args, c.input);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.phrase << ": " << r.err;
    EXPECT_TRUE(Contains(r.err, c.phrase)) << "missing '" << c.phrase << "' in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(StoredHash(), std::nullopt);
}

TEST_F(SignInCliTest, SignInLinkPrintsAUrlWhoseTokenWorksOnce) {
  CliResult r = Run({"signin-link", "--user", "Ada@Example.com", "--public-url", "https://memory.example.com/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string prefix = "https://memory.example.com/signin?link=";
  const std::string url = r.LastLine();
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << r.out;
  const std::string token = url.substr(prefix.size());
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(Contains(r.out, "15 minutes")) << r.out;

  Result<std::string> user = UseLink(token);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  auto db = Open();
  auto ada = store::ReadValue<store::User>(*db, [](store::Connection& c) { return store::FindUserByEmail(c, "ada@example.com"); });
  ASSERT_TRUE(ada.ok());
  EXPECT_EQ(*user, ada->id);
  EXPECT_EQ(UseLink(token).status().code(), Status::Code::kUnauthenticated);  // once only
}

TEST_F(SignInCliTest, SignInLinkBaseUrlComesFromTheFlagThenTheEnvironmentThenTheDefault) {
  CliResult from_env = Run({"signin-link", "--user", "ada@example.com"}, "", {"REFLECT_PUBLIC_URL=https://env.example.com"});
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(from_env.LastLine().rfind("https://env.example.com/signin?link=", 0), 0u) << from_env.out;
  CliResult flag = Run({"signin-link", "--user", "ada@example.com", "--public-url", "http://localhost:9000"}, "",
                       {"REFLECT_PUBLIC_URL=https://env.example.com"});
  EXPECT_EQ(flag.LastLine().rfind("http://localhost:9000/signin?link=", 0), 0u) << flag.out;
  CliResult fallback = Run({"signin-link", "--user", "ada@example.com"}, "", {"REFLECT_PUBLIC_URL="});
  EXPECT_EQ(fallback.LastLine().rfind("http://127.0.0.1:8765/signin?link=", 0), 0u) << fallback.out;

  CliResult json = Run({"signin-link", "--user", "ada@example.com", "--json"}, "", {"REFLECT_PUBLIC_URL="});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(Contains(json.out, "{\"url\":\"http://127.0.0.1:8765/signin?link=")) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"expires_at\":\"20")) << json.out;

  CliResult bad_url = Run({"signin-link", "--user", "ada@example.com", "--public-url", "memory.example.com"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_TRUE(Contains(bad_url.err, "--public-url")) << bad_url.err;
  CliResult unknown = Run({"signin-link", "--user", "nobody@example.com"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Contains(unknown.err, "no user with email nobody@example.com")) << unknown.err;
  EXPECT_TRUE(unknown.out.empty());
}

TEST_F(SignInCliTest, GrantListShowsTheConnectionsAndRevokeStopsOne) {
  std::string grant_id;
  std::string access_token;
  {
    auto db = Open();
    auto issued = store::WriteValue<store::IssuedTokens>(*db, [&](store::Connection& c) -> Result<store::IssuedTokens> {
      Result<store::User> user = store::FindUserByEmail(c, "ada@example.com");
      if (!user.ok()) return user.status();
      Result<store::OAuthClient> client = store::RegisterOAuthClient(c, "Claude", {"https://claude.ai/cb"});
      if (!client.ok()) return client.status();
      return IssueTestGrant(c, {user->id, client->client_id, "https://claude.ai/cb", "", "claude",
                                {"mcp:read", "mcp:write"}, "https://memory.example.com/mcp"});
    });
    ASSERT_TRUE(issued.ok()) << issued.status().ToString();
    grant_id = issued->grant_id;
    access_token = issued->access_token;
  }

  CliResult list = Run({"grant", "list", "--user", "ada@example.com"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const std::string& part : {std::string("ID"), std::string("CLIENT"), std::string("VENDOR"), std::string("LAST USED"),
                                  grant_id, std::string("Claude"), std::string("claude"), std::string("mcp:read mcp:write")}) {
    EXPECT_TRUE(Contains(list.out, part)) << part << " in:\n" << list.out;
  }
  CliResult json = Run({"grant", "list", "--user", "ada@example.com", "--json"});
  EXPECT_TRUE(Contains(json.out, "\"id\":\"" + grant_id + "\"")) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"scopes\":[\"mcp:read\",\"mcp:write\"]")) << json.out;
  EXPECT_TRUE(Contains(json.out, "\"revoked_at\":null")) << json.out;

  CliResult revoke = Run({"grant", "revoke", grant_id});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_EQ(revoke.LastLine(), grant_id);
  {
    auto db = Open();
    auto active = store::ReadValue<bool>(*db, [&](store::Connection& c) { return store::IsOAuthGrantActive(c, grant_id); });
    ASSERT_TRUE(active.ok());
    EXPECT_FALSE(*active);
    auto resolved = store::ReadValue<store::ResolvedAccessToken>(
        *db, [&](store::Connection& c) { return store::ResolveAccessToken(c, access_token); });
    EXPECT_EQ(resolved.status().code(), Status::Code::kUnauthenticated);
  }
  json = Run({"grant", "list", "--user", "ada@example.com", "--json"});
  EXPECT_FALSE(Contains(json.out, "\"revoked_at\":null")) << json.out;
  EXPECT_EQ(Run({"grant", "revoke", grant_id}).exit_code, 0);  // again: harmless

  CliResult unknown = Run({"grant", "revoke", "no-such-grant"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(Contains(unknown.err, "no OAuth grant with id no-such-grant")) << unknown.err;
  EXPECT_TRUE(Contains(unknown.err, "grant list --user")) << unknown.err;
  EXPECT_TRUE(unknown.out.empty());
  CliResult nobody = Run({"grant", "list", "--user", "nobody@example.com"});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_TRUE(Contains(nobody.err, "no user with email")) << nobody.err;
  EXPECT_EQ(Run({"grant", "revoke"}).exit_code, 2);
}

}  // namespace
}  // namespace rm::testing
