// OAuth clients, codes, grants and tokens (store/oauth_*.h), as stored: PKCE S256, single-use
// codes and refresh tokens whose replay revokes the grant, revocation that stops every token.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>

#include "store/database.h"
#include "store/oauth_clients.h"
#include "store/oauth_grants.h"
#include "store/users.h"
#include "tests/store/both_engines.h"
#include "util/crypto.h"
#include "util/pkce.h"

namespace rm::store {
namespace {

constexpr const char* kRedirect = "https://claude.ai/api/mcp/auth_callback";
constexpr const char* kResource = "https://memory.example.com/mcp";
const std::string kVerifier = "verifier-" + std::string(50, 'v') + "._~";

// Every case runs on SQLite and on PostgreSQL (tests/store/both_engines.h).
class OAuthTest : public rm::testing::BothEnginesTest {
 protected:
  void SetUp() override {
    rm::testing::BothEnginesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto user = WriteValue<User>(store(), [](Connection& c) { return InsertUser(c, {"ada@example.com"}); });
    ASSERT_TRUE(user.ok());
    user_ = *user;
    client_ = Register("Claude");
    other_client_ = Register("Some other connector");
  }

  std::string Register(const std::string& name) {
    auto client = WriteValue<OAuthClient>(store(), [&](Connection& c) { return RegisterOAuthClient(c, name, {kRedirect}); });
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? client->client_id : "";
  }

  NewAuthorizationCode CodeRequest(std::optional<std::string> vendor = "claude") {
    return NewAuthorizationCode{user_.id, client_, kRedirect, PkceS256Challenge(kVerifier), vendor,
                                {"mcp:read", "mcp:write"}, kResource};
  }
  Result<std::string> NewCode(const NewAuthorizationCode& request, std::chrono::seconds ttl = std::chrono::seconds(60)) {
    return WriteValue<std::string>(store(), [&](Connection& c) { return CreateAuthorizationCode(c, request, ttl); });
  }
  CodeExchange ExchangeOf(const std::string& code) { return CodeExchange{code, client_, kRedirect, kVerifier, kResource}; }

  // As the token endpoint runs them: one Write whose function returns Ok for a TokenFailure,
  // so that a replay's revocation is committed.
  template <typename Fn>
  TokenResult<IssuedTokens> InWrite(Fn fn) {
    std::optional<TokenResult<IssuedTokens>> result;
    Status status = store().Write([&](Connection& c) {
      result.emplace(fn(c));
      if (const Status* failed = std::get_if<Status>(&*result)) return *failed;
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return *result;
  }
  TokenResult<IssuedTokens> Exchange(const CodeExchange& request, TokenLifetimes lifetimes = {}) {
    return InWrite([&](Connection& c) { return ExchangeAuthorizationCode(c, request, lifetimes); });
  }
  TokenResult<IssuedTokens> Refresh(const std::string& token, const std::string& client_id,
                                    TokenLifetimes lifetimes = {}) {
    return InWrite([&](Connection& c) { return RefreshTokens(c, token, client_id, lifetimes); });
  }
  Result<ResolvedAccessToken> Resolve(const std::string& token) {
    return ReadValue<ResolvedAccessToken>(store(), [&](Connection& c) { return ResolveAccessToken(c, token); });
  }
  bool Active(const std::string& grant_id) {
    auto active = ReadValue<bool>(store(), [&](Connection& c) { return IsOAuthGrantActive(c, grant_id); });
    EXPECT_TRUE(active.ok());
    return active.ok() && *active;
  }
  Status Sql(const std::string& sql) { return store().Write([&](Connection& c) { return c.Exec(sql); }); }

  // A code exchanged for tokens, for the tests that start from a grant.
  IssuedTokens Issued(TokenLifetimes lifetimes = {}) {
    Result<std::string> code = NewCode(CodeRequest());
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    TokenResult<IssuedTokens> tokens = Exchange(ExchangeOf(code.ok() ? *code : ""), lifetimes);
    EXPECT_TRUE(std::holds_alternative<IssuedTokens>(tokens));
    return std::holds_alternative<IssuedTokens>(tokens) ? std::get<IssuedTokens>(tokens) : IssuedTokens{};
  }

  static void ExpectInvalidGrant(const TokenResult<IssuedTokens>& result, const std::string& phrase) {
    ASSERT_TRUE(std::holds_alternative<TokenFailure>(result))
        << (std::holds_alternative<Status>(result) ? std::get<Status>(result).ToString() : "tokens were issued");
    EXPECT_EQ(std::get<TokenFailure>(result).error, TokenError::kInvalidGrant);
    EXPECT_NE(std::get<TokenFailure>(result).description.find(phrase), std::string::npos)
        << std::get<TokenFailure>(result).description;
  }

  User user_;
  std::string client_;
  std::string other_client_;
};
RM_ON_BOTH_ENGINES(OAuthTest);

// ------------------------------------------------------------------ clients

TEST_P(OAuthTest, RegisteredAndMetadataDocumentClientsAreFound) {
  auto found = ReadValue<std::optional<OAuthClient>>(store(), [&](Connection& c) { return FindOAuthClient(c, client_); });
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(client_.rfind("rmc_", 0), 0u);
  EXPECT_EQ(client_.size(), 4u + 32u);
  EXPECT_EQ((*found)->client_name, "Claude");
  EXPECT_EQ((*found)->redirect_uris, std::vector<std::string>{kRedirect});
  EXPECT_FALSE((*found)->metadata_document);

  const std::string url = "https://app.example.com/oauth/client.json";
  OAuthClient doc{url, "Example", {"https://app.example.com/cb", "http://127.0.0.1:3000/cb"}, true, ""};
  ASSERT_TRUE(store().Write([&](Connection& c) { return SaveMetadataDocumentClient(c, doc); }).ok());
  doc.client_name = "Example, renamed";
  ASSERT_TRUE(store().Write([&](Connection& c) { return SaveMetadataDocumentClient(c, doc); }).ok());
  auto saved = ReadValue<std::optional<OAuthClient>>(store(), [&](Connection& c) { return FindOAuthClient(c, url); });
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->client_name, "Example, renamed");
  EXPECT_EQ((*saved)->redirect_uris.size(), 2u);
  EXPECT_TRUE((*saved)->metadata_document);

  // A document's client_id is its https URL: it can never take over a registered client.
  OAuthClient hijack{client_, "Evil", {"https://evil.example/cb"}, true, ""};
  EXPECT_EQ(store().Write([&](Connection& c) { return SaveMetadataDocumentClient(c, hijack); }).code(),
            Status::Code::kInvalidArgument);
  auto missing = ReadValue<std::optional<OAuthClient>>(store(), [](Connection& c) { return FindOAuthClient(c, "rmc_nope"); });
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// ------------------------------------------------------------------ codes

TEST_P(OAuthTest, CodeExchangeIssuesTokensThatResolveToTheGrant) {
  Result<std::string> code = NewCode(CodeRequest());
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  TokenLifetimes lifetimes{std::chrono::seconds(600), std::chrono::hours(24)};
  TokenResult<IssuedTokens> result = Exchange(ExchangeOf(*code), lifetimes);
  ASSERT_TRUE(std::holds_alternative<IssuedTokens>(result));
  const IssuedTokens& tokens = std::get<IssuedTokens>(result);
  EXPECT_EQ(tokens.access_token.rfind(kAccessTokenPrefix, 0), 0u);
  EXPECT_EQ(tokens.access_token.size(), kAccessTokenPrefix.size() + 64);
  EXPECT_EQ(tokens.refresh_token.rfind(kRefreshTokenPrefix, 0), 0u);
  EXPECT_EQ(tokens.expires_in, std::chrono::seconds(600));
  EXPECT_EQ(tokens.scopes, (std::vector<std::string>{"mcp:read", "mcp:write"}));

  Result<ResolvedAccessToken> resolved = Resolve(tokens.access_token);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->user_id, user_.id);
  EXPECT_EQ(resolved->grant_id, tokens.grant_id);
  EXPECT_EQ(resolved->client_id, client_);
  EXPECT_EQ(resolved->vendor, "claude");
  EXPECT_EQ(resolved->scopes, tokens.scopes);
  EXPECT_EQ(resolved->resource, kResource);
  EXPECT_TRUE(Active(tokens.grant_id));
  // A refresh token is no access token, and nothing but hashes is stored.
  EXPECT_EQ(Resolve(tokens.refresh_token).status().code(), Status::Code::kUnauthenticated);
  auto stored = ReadValue<std::int64_t>(store(), [&](Connection& c) -> Result<std::int64_t> {
    Statement& s = c.Prepare("SELECT COUNT(*) FROM oauth_tokens WHERE token_hash IN (?, ?)");
    s.Bind(1, Sha256Hex(tokens.access_token)).Bind(2, Sha256Hex(tokens.refresh_token));
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    return s.Int64(0);
  });
  EXPECT_EQ(stored.ok() ? *stored : -1, 2);
}

TEST_P(OAuthTest, AnOwnerGrantHasNoVendorAndTheResourceMayBeLeftOut) {
  Result<std::string> code = NewCode(CodeRequest(std::nullopt));
  ASSERT_TRUE(code.ok());
  CodeExchange request = ExchangeOf(*code);
  request.resource.reset();
  TokenResult<IssuedTokens> result = Exchange(request);
  ASSERT_TRUE(std::holds_alternative<IssuedTokens>(result));
  Result<ResolvedAccessToken> resolved = Resolve(std::get<IssuedTokens>(result).access_token);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->vendor, std::nullopt);
  EXPECT_EQ(resolved->resource, kResource);
}

TEST_P(OAuthTest, AMismatchedExchangeFailsAndLeavesTheCodeUsable) {
  Result<std::string> code = NewCode(CodeRequest());
  ASSERT_TRUE(code.ok());
  CodeExchange wrong_verifier = ExchangeOf(*code);
  wrong_verifier.code_verifier = std::string(43, 'x');
  ExpectInvalidGrant(Exchange(wrong_verifier), "does not match");
  CodeExchange short_verifier = ExchangeOf(*code);
  short_verifier.code_verifier = "short";
  ExpectInvalidGrant(Exchange(short_verifier), "43 to 128");
  CodeExchange bad_chars = ExchangeOf(*code);
  bad_chars.code_verifier = kVerifier + "+/";
  ExpectInvalidGrant(Exchange(bad_chars), "43 to 128");
  CodeExchange wrong_redirect = ExchangeOf(*code);
  wrong_redirect.redirect_uri = "https://claude.ai/api/mcp/auth_callback/";
  ExpectInvalidGrant(Exchange(wrong_redirect), "redirect_uri");
  CodeExchange wrong_client = ExchangeOf(*code);
  wrong_client.client_id = other_client_;
  ExpectInvalidGrant(Exchange(wrong_client), "another client");
  CodeExchange wrong_resource = ExchangeOf(*code);
  wrong_resource.resource = "https://other.example.com/mcp";
  ExpectInvalidGrant(Exchange(wrong_resource), "resource");
  CodeExchange unknown = ExchangeOf("rm_ac_" + RandomHex(32));
  ExpectInvalidGrant(Exchange(unknown), "unknown");
  ExpectInvalidGrant(Exchange(ExchangeOf("not a code")), "unknown");

  // None of those used the code up.
  EXPECT_TRUE(std::holds_alternative<IssuedTokens>(Exchange(ExchangeOf(*code))));
}

TEST_P(OAuthTest, AnExpiredCodeIsRefused) {
  Result<std::string> instant = NewCode(CodeRequest(), std::chrono::seconds(0));
  ASSERT_TRUE(instant.ok());
  ExpectInvalidGrant(Exchange(ExchangeOf(*instant)), "expired");

  Result<std::string> code = NewCode(CodeRequest());
  ASSERT_TRUE(code.ok());
  ASSERT_TRUE(Sql("UPDATE oauth_codes SET expires_at = '2020-01-01T00:00:00.000Z' WHERE code_hash = '" +
                  Sha256Hex(*code) + "'").ok());
  ExpectInvalidGrant(Exchange(ExchangeOf(*code)), "expired");
}

TEST_P(OAuthTest, AReusedCodeRevokesTheGrantItGave) {
  Result<std::string> code = NewCode(CodeRequest());
  ASSERT_TRUE(code.ok());
  TokenResult<IssuedTokens> first = Exchange(ExchangeOf(*code));
  ASSERT_TRUE(std::holds_alternative<IssuedTokens>(first));
  const IssuedTokens tokens = std::get<IssuedTokens>(first);
  ASSERT_TRUE(Resolve(tokens.access_token).ok());

  ExpectInvalidGrant(Exchange(ExchangeOf(*code)), "already used");
  EXPECT_FALSE(Active(tokens.grant_id));
  EXPECT_EQ(Resolve(tokens.access_token).status().code(), Status::Code::kUnauthenticated);
  ExpectInvalidGrant(Refresh(tokens.refresh_token, client_), "revoked");
}

TEST_P(OAuthTest, CreatingACodeChecksWhatItBinds) {
  NewAuthorizationCode plain = CodeRequest();
  plain.code_challenge = kVerifier;  // "plain" PKCE: not an S256 challenge
  EXPECT_EQ(NewCode(plain).status().code(), Status::Code::kInvalidArgument);
  NewAuthorizationCode bad_vendor = CodeRequest("Claude AI");
  EXPECT_EQ(NewCode(bad_vendor).status().code(), Status::Code::kInvalidArgument);
  NewAuthorizationCode bad_scope = CodeRequest();
  bad_scope.scopes = {"mcp:read mcp:write"};
  EXPECT_EQ(NewCode(bad_scope).status().code(), Status::Code::kInvalidArgument);
  NewAuthorizationCode unknown_client = CodeRequest();
  unknown_client.client_id = "rmc_unknown";
  EXPECT_EQ(NewCode(unknown_client).status().code(), Status::Code::kNotFound);
  NewAuthorizationCode unknown_user = CodeRequest();
  unknown_user.user_id = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(NewCode(unknown_user).status().code(), Status::Code::kNotFound);
}

// ------------------------------------------------------------------ refresh

TEST_P(OAuthTest, RefreshRotatesAndAReplayRevokesTheWholeGrant) {
  const IssuedTokens first = Issued();
  TokenResult<IssuedTokens> second_result = Refresh(first.refresh_token, client_);
  ASSERT_TRUE(std::holds_alternative<IssuedTokens>(second_result));
  const IssuedTokens second = std::get<IssuedTokens>(second_result);
  EXPECT_EQ(second.grant_id, first.grant_id);
  EXPECT_NE(second.refresh_token, first.refresh_token);
  EXPECT_NE(second.access_token, first.access_token);
  EXPECT_EQ(second.scopes, first.scopes);
  ASSERT_TRUE(Resolve(second.access_token).ok());

  // The used refresh token comes back: someone else has it, so everything stops.
  ExpectInvalidGrant(Refresh(first.refresh_token, client_), "already used");
  EXPECT_FALSE(Active(first.grant_id));
  EXPECT_EQ(Resolve(second.access_token).status().code(), Status::Code::kUnauthenticated);
  ExpectInvalidGrant(Refresh(second.refresh_token, client_), "revoked");
}

TEST_P(OAuthTest, AnotherClientsOrAnExpiredRefreshTokenIsRefused) {
  const IssuedTokens tokens = Issued();
  ExpectInvalidGrant(Refresh(tokens.refresh_token, other_client_), "another client");
  ExpectInvalidGrant(Refresh("rm_rt_" + RandomHex(32), client_), "unknown");
  ExpectInvalidGrant(Refresh(tokens.access_token, client_), "unknown");
  EXPECT_TRUE(Active(tokens.grant_id));  // none of that changed anything

  ASSERT_TRUE(Sql("UPDATE oauth_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE token_hash = '" +
                  Sha256Hex(tokens.refresh_token) + "'").ok());
  ExpectInvalidGrant(Refresh(tokens.refresh_token, client_), "expired");
  EXPECT_TRUE(Active(tokens.grant_id));
}

TEST_P(OAuthTest, AnExpiredAccessTokenNoLongerResolves) {
  const IssuedTokens tokens = Issued(TokenLifetimes{std::chrono::seconds(0), std::chrono::hours(1)});
  EXPECT_EQ(Resolve(tokens.access_token).status().code(), Status::Code::kUnauthenticated);
  // Its refresh token still gives a working one.
  TokenResult<IssuedTokens> fresh = Refresh(tokens.refresh_token, client_);
  ASSERT_TRUE(std::holds_alternative<IssuedTokens>(fresh));
  EXPECT_TRUE(Resolve(std::get<IssuedTokens>(fresh).access_token).ok());
  EXPECT_EQ(Resolve("rm_at_" + RandomHex(32)).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(Resolve("").status().code(), Status::Code::kUnauthenticated);
}

// ------------------------------------------------------------------ revocation (RFC 7009)

TEST_P(OAuthTest, RevokingAnAccessOrRefreshTokenRevokesItsGrant) {
  const IssuedTokens by_access = Issued();
  ASSERT_TRUE(store().Write([&](Connection& c) { return RevokeOAuthToken(c, by_access.access_token, client_); }).ok());
  EXPECT_FALSE(Active(by_access.grant_id));
  EXPECT_EQ(Resolve(by_access.access_token).status().code(), Status::Code::kUnauthenticated);

  const IssuedTokens by_refresh = Issued();
  ASSERT_TRUE(store().Write([&](Connection& c) { return RevokeOAuthToken(c, by_refresh.refresh_token, client_); }).ok());
  EXPECT_FALSE(Active(by_refresh.grant_id));
  EXPECT_EQ(Resolve(by_refresh.access_token).status().code(), Status::Code::kUnauthenticated);
  ExpectInvalidGrant(Refresh(by_refresh.refresh_token, client_), "revoked");
}

TEST_P(OAuthTest, RevokingAnotherClientsOrAnUnknownTokenChangesNothing) {
  const IssuedTokens tokens = Issued();
  for (const std::string& token : {tokens.access_token, tokens.refresh_token}) {
    EXPECT_TRUE(store().Write([&](Connection& c) { return RevokeOAuthToken(c, token, other_client_); }).ok());
  }
  for (const std::string& token : {std::string("rm_at_") + RandomHex(32), std::string("garbage"), std::string()}) {
    EXPECT_TRUE(store().Write([&](Connection& c) { return RevokeOAuthToken(c, token, client_); }).ok());
  }
  EXPECT_TRUE(Active(tokens.grant_id));
  EXPECT_TRUE(Resolve(tokens.access_token).ok());
}

// ------------------------------------------------------------------ grants

TEST_P(OAuthTest, GrantsAreListedOldestFirstAndRevokedByIdOnce) {
  const IssuedTokens first = Issued();
  const IssuedTokens second = Issued();
  ASSERT_TRUE(store().Write([&](Connection& c) { return TouchOAuthGrant(c, second.grant_id); }).ok());

  auto grants = ReadValue<std::vector<OAuthGrant>>(store(), [&](Connection& c) { return ListOAuthGrants(c, user_.id); });
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->size(), 2u);
  EXPECT_EQ((*grants)[0].id, first.grant_id);
  EXPECT_EQ((*grants)[1].id, second.grant_id);
  EXPECT_EQ((*grants)[0].client_name, "Claude");
  EXPECT_EQ((*grants)[0].client_id, client_);
  EXPECT_EQ((*grants)[0].vendor, "claude");
  EXPECT_EQ((*grants)[0].scopes, (std::vector<std::string>{"mcp:read", "mcp:write"}));
  EXPECT_EQ((*grants)[0].resource, kResource);
  EXPECT_EQ((*grants)[0].last_used_at, std::nullopt);
  EXPECT_NE((*grants)[1].last_used_at, std::nullopt);
  EXPECT_EQ((*grants)[0].revoked_at, std::nullopt);

  auto revoked = WriteValue<OAuthGrant>(store(), [&](Connection& c) { return RevokeOAuthGrant(c, first.grant_id); });
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(revoked->revoked_at.has_value());
  EXPECT_FALSE(Active(first.grant_id));
  EXPECT_TRUE(Active(second.grant_id));
  EXPECT_EQ(Resolve(first.access_token).status().code(), Status::Code::kUnauthenticated);
  EXPECT_TRUE(Resolve(second.access_token).ok());

  auto again = WriteValue<OAuthGrant>(store(), [&](Connection& c) { return RevokeOAuthGrant(c, first.grant_id); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_at, revoked->revoked_at);  // harmless: the first time stands
  auto unknown = WriteValue<OAuthGrant>(store(), [](Connection& c) { return RevokeOAuthGrant(c, "no-such-grant"); });
  EXPECT_EQ(unknown.status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(Active("no-such-grant"));

  grants = ReadValue<std::vector<OAuthGrant>>(store(), [&](Connection& c) { return ListOAuthGrants(c, user_.id); });
  ASSERT_TRUE(grants.ok());
  ASSERT_EQ(grants->size(), 2u);  // revoked ones too
  EXPECT_TRUE((*grants)[0].revoked_at.has_value());
}

}  // namespace
}  // namespace rm::store
