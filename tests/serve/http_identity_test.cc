// An HTTP caller's identity comes from its credential alone: an API key, or an OAuth access
// token bound to this resource, the vendor the person consented to, and its scopes.
#include <gtest/gtest.h>

#include "app/http_identity.h"
#include "store/api_keys.h"
#include "store/database.h"
#include "store/oauth_clients.h"
#include "store/oauth_grants.h"
#include "store/users.h"
#include "tests/store/issue_test_grant.h"
#include "tests/store/temp_dir.h"
#include "tools/principal.h"

namespace rm::app {
namespace {

constexpr const char* kResource = "https://memory.example.com/mcp";

class HttpIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(store::Database::Open(dir_.File("m.db"))).value();
    user_ = store::WriteValue<store::User>(*db_, [](store::Connection& c) {
              return store::InsertUser(c, store::NewUser{"ada@example.com"});
            })->id;
    client_ = store::WriteValue<store::OAuthClient>(*db_, [](store::Connection& c) {
                return store::RegisterOAuthClient(c, "Claude", {"https://claude.ai/cb"});
              })->client_id;
  }

  // An access token as the consent page and the token endpoint would make it.
  std::string Token(std::optional<std::string> vendor, std::vector<std::string> scopes, std::string resource = kResource) {
    auto issued = store::WriteValue<store::IssuedTokens>(*db_, [&](store::Connection& c) {
      return rm::testing::IssueTestGrant(c, {user_, client_, "https://claude.ai/cb", "", vendor, scopes, resource});
    });
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? issued->access_token : "";
  }

  Result<transports::Credential> Resolve(const std::string& token) {
    return store::ReadValue<transports::Credential>(*db_, [&](store::Connection& c) {
      return ResolveHttpCredential(c, token, kResource);
    });
  }

  rm::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::string user_;
  std::string client_;
};

TEST_F(HttpIdentity, AnOAuthTokenActsAsTheConsentedVendorWithItsScopes) {
  auto credential = Resolve(Token("claude", {"mcp:read", "mcp:write"}));
  ASSERT_TRUE(credential.ok()) << credential.status().ToString();
  const auto& principal = std::any_cast<const tools::Principal&>(credential->principal);
  EXPECT_EQ(principal.user_id, user_);
  EXPECT_EQ(principal.key_vendor, std::optional<std::string>("claude"));
  EXPECT_TRUE(credential->may_write);
  EXPECT_EQ(credential->user_id, user_);

  auto reader = Resolve(Token("chatgpt", {"mcp:read"}));
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE(reader->may_write);
}

TEST_F(HttpIdentity, ATokenForAnotherResourceIsRefused) {
  auto credential = Resolve(Token("claude", {"mcp:read"}, "https://other.example/mcp"));
  EXPECT_EQ(credential.status().code(), Status::Code::kUnauthenticated);
}

TEST_F(HttpIdentity, ARevokedGrantOrAnUnknownTokenIsRefused) {
  const std::string token = Token("claude", {"mcp:read"});
  auto credential = Resolve(token);
  ASSERT_TRUE(credential.ok());
  ASSERT_TRUE(db_->Write([&](store::Connection& c) { return store::RevokeOAuthGrant(c, credential->id).status(); }).ok());
  EXPECT_EQ(Resolve(token).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(Resolve("rm_at_" + std::string(64, '0')).status().code(), Status::Code::kUnauthenticated);
}

TEST_F(HttpIdentity, ApiKeysKeepWorking) {
  auto key = store::WriteValue<store::CreatedApiKey>(*db_, [&](store::Connection& c) {
    return store::CreateApiKey(c, store::NewApiKey{user_, "cursor key", "cursor"});
  });
  ASSERT_TRUE(key.ok());
  auto credential = Resolve(key->secret);
  ASSERT_TRUE(credential.ok());
  EXPECT_EQ(std::any_cast<const tools::Principal&>(credential->principal).key_vendor, std::optional<std::string>("cursor"));
  EXPECT_TRUE(credential->may_write);
}

}  // namespace
}  // namespace rm::app
