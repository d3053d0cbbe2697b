// Signing in to the web pages (store/web_accounts.h): password hashes, one-time sign-in
// links and browser sessions, whose secrets are stored only as SHA-256.
#include <gtest/gtest.h>

#include <string>

#include "store/database.h"
#include "store/users.h"
#include "store/web_accounts.h"
#include "tests/store/both_engines.h"
#include "util/crypto.h"
#include "util/password_hash.h"

namespace rm::store {
namespace {

using std::chrono::seconds;

// Every case runs on SQLite and on PostgreSQL (tests/store/both_engines.h).
class WebAccountsTest : public rm::testing::BothEnginesTest {
 protected:
  void SetUp() override {
    rm::testing::BothEnginesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto user = WriteValue<User>(store(), [](Connection& c) { return InsertUser(c, {"Ada@Example.com"}); });
    ASSERT_TRUE(user.ok());
    user_ = *user;
  }
  Result<std::optional<PasswordAccount>> Account(const std::string& email) {
    return ReadValue<std::optional<PasswordAccount>>(store(), [&](Connection& c) { return FindAccountByEmail(c, email); });
  }
  Result<std::string> Link(const std::string& user_id, seconds ttl = seconds(900)) {
    return WriteValue<std::string>(store(), [&](Connection& c) { return CreateSignInLink(c, user_id, ttl); });
  }
  Result<std::string> UseLink(const std::string& token) {
    return WriteValue<std::string>(store(), [&](Connection& c) { return UseSignInLink(c, token); });
  }
  Result<WebSession> Session(const std::string& id) {
    return ReadValue<WebSession>(store(), [&](Connection& c) { return FindWebSession(c, id); });
  }
  std::int64_t Count(const std::string& sql, const std::string& param) {
    auto n = ReadValue<std::int64_t>(store(), [&](Connection& c) -> Result<std::int64_t> {
      Statement& s = c.Prepare(sql);
      s.Bind(1, param);
      Result<bool> row = s.Step();
      if (!row.ok()) return row.status();
      return s.Int64(0);
    });
    return n.ok() ? *n : -1;
  }

  User user_;
};
RM_ON_BOTH_ENGINES(WebAccountsTest);

TEST_P(WebAccountsTest, APasswordHashIsSetReplacedAndFoundByEmailInAnyCase) {
  auto none = Account("ADA@example.COM");
  ASSERT_TRUE(none.ok() && none->has_value());
  EXPECT_EQ((*none)->user_id, user_.id);
  EXPECT_EQ((*none)->email, "ada@example.com");
  EXPECT_EQ((*none)->password_hash, std::nullopt);

  Result<std::string> hash = HashPassword("first password");
  ASSERT_TRUE(hash.ok());
  ASSERT_TRUE(store().Write([&](Connection& c) { return SetPasswordHash(c, user_.id, *hash); }).ok());
  auto found = Account("ada@EXAMPLE.com");
  ASSERT_TRUE(found.ok() && found->has_value() && (*found)->password_hash.has_value());
  EXPECT_TRUE(VerifyPassword("first password", *(*found)->password_hash));
  EXPECT_FALSE(VerifyPassword("second password", *(*found)->password_hash));

  Result<std::string> replaced = HashPassword("second password");
  ASSERT_TRUE(replaced.ok());
  ASSERT_TRUE(store().Write([&](Connection& c) { return SetPasswordHash(c, user_.id, *replaced); }).ok());
  found = Account("ada@example.com");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE(VerifyPassword("second password", (*found)->password_hash.value_or("")));
  EXPECT_FALSE(VerifyPassword("first password", (*found)->password_hash.value_or("")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_passwords WHERE user_id = ?", user_.id), 1);
}

TEST_P(WebAccountsTest, SettingAPasswordNeedsAUserAndAnArgon2idHash) {
  const std::string hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";
  EXPECT_EQ(store().Write([&](Connection& c) { return SetPasswordHash(c, "no-such-user", hash); }).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store().Write([&](Connection& c) { return SetPasswordHash(c, user_.id, "plain text"); }).code(),
            Status::Code::kInvalidArgument);
  auto unknown = Account("nobody@example.com");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  auto not_an_email = Account("not an email");
  ASSERT_TRUE(not_an_email.ok());
  EXPECT_FALSE(not_an_email->has_value());
}

TEST_P(WebAccountsTest, ASignInLinkWorksOnceAndIsStoredOnlyAsItsHash) {
  Result<std::string> token = Link(user_.id);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->size(), 64u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signin_links WHERE token_hash = ?", Sha256Hex(*token)), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signin_links WHERE token_hash = ?", *token), 0);

  Result<std::string> used = UseLink(*token);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(*used, user_.id);
  EXPECT_EQ(UseLink(*token).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(UseLink(RandomHex(32)).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(UseLink("").status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(Link("no-such-user").status().code(), Status::Code::kNotFound);
}

TEST_P(WebAccountsTest, AnExpiredSignInLinkIsRefused) {
  Result<std::string> instant = Link(user_.id, seconds(0));
  ASSERT_TRUE(instant.ok());
  EXPECT_EQ(UseLink(*instant).status().code(), Status::Code::kUnauthenticated);

  Result<std::string> token = Link(user_.id);
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(store().Write([&](Connection& c) {
                   Statement& s = c.Prepare("UPDATE signin_links SET expires_at = '2020-01-01T00:00:00.000Z' "
                                            "WHERE token_hash = ?");
                   s.Bind(1, Sha256Hex(*token));
                   return s.Run();
                 }).ok());
  EXPECT_EQ(UseLink(*token).status().code(), Status::Code::kUnauthenticated);
}

TEST_P(WebAccountsTest, AWebSessionIsFoundUntilItEndsOrExpires) {
  auto session = WriteValue<WebSession>(store(), [&](Connection& c) { return CreateWebSession(c, user_.id, seconds(3600)); });
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->id.size(), 64u);
  EXPECT_EQ(session->csrf_token.size(), 64u);
  EXPECT_NE(session->id, session->csrf_token);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM web_sessions WHERE id_hash = ?", Sha256Hex(session->id)), 1);

  Result<WebSession> found = Session(session->id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->user_id, user_.id);
  EXPECT_EQ(found->csrf_token, session->csrf_token);
  EXPECT_EQ(found->id, session->id);

  ASSERT_TRUE(store().Write([&](Connection& c) { return EndWebSession(c, session->id); }).ok());
  EXPECT_EQ(Session(session->id).status().code(), Status::Code::kUnauthenticated);
  EXPECT_TRUE(store().Write([&](Connection& c) { return EndWebSession(c, session->id); }).ok());  // harmless
  EXPECT_TRUE(store().Write([](Connection& c) { return EndWebSession(c, "garbage"); }).ok());

  auto expired = WriteValue<WebSession>(store(), [&](Connection& c) { return CreateWebSession(c, user_.id, seconds(0)); });
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(Session(expired->id).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(Session(RandomHex(32)).status().code(), Status::Code::kUnauthenticated);
  auto nobody = WriteValue<WebSession>(store(), [](Connection& c) { return CreateWebSession(c, "no-such-user", seconds(60)); });
  EXPECT_EQ(nobody.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace rm::store
