// /oauth/authorize and /oauth/token together, as Claude's connector drives them: the checks
// before anything is redirected, sign-in first, consent (vendor, scopes, CSRF), the code's
// single use and PKCE, and what the resulting token stands for.
#include <openssl/sha.h>

#include "store/oauth_grants.h"
#include "tests/web/web_test_support.h"
#include "util/pkce.h"

namespace rm::web::testing {
namespace {

constexpr const char* kCallback = "https://claude.ai/api/mcp/auth_callback";
constexpr const char* kVerifier = "dBjftJeZ4CVP-mJ92K9ZzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzZZ";

std::string Challenge(const std::string& verifier) { return rm::PkceS256Challenge(verifier); }

class Authorize : public ::testing::Test {
 protected:
  std::string AuthorizeQuery(std::vector<std::pair<std::string, std::string>> overrides = {},
                             std::vector<std::string> omit = {}) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"response_type", "code"}, {"client_id", client_id_}, {"redirect_uri", kCallback},
        {"code_challenge", Challenge(kVerifier)}, {"code_challenge_method", "S256"}, {"state", "st-1"},
        {"resource", std::string(kIssuer) + "/mcp"}, {"scope", "mcp:read mcp:write"}};
    for (auto& [name, value] : overrides) {
      bool replaced = false;
      for (auto& field : fields) {
        if (field.first == name) field.second = value, replaced = true;
      }
      if (!replaced) fields.emplace_back(name, value);
    }
    std::erase_if(fields, [&](const auto& f) { return std::find(omit.begin(), omit.end(), f.first) != omit.end(); });
    return EncodeForm(fields);
  }

  // Consents in a signed-in browser; the redirect back to the client.
  Response Consent(const std::string& query, std::vector<std::pair<std::string, std::string>> extra = {{"vendor", "claude"}, {"write", "1"}}) {
    std::vector<std::pair<std::string, std::string>> fields = {{"csrf", browser_.csrf}, {"request", query}, {"decision", "allow"}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    return web_.app().Authorize(PostForm("/oauth/authorize", fields, browser_.cookie));
  }

  Response Exchange(const std::string& code, const std::string& verifier = kVerifier) {
    return web_.app().Token(PostForm("/oauth/token", {{"grant_type", "authorization_code"}, {"code", code},
                                                      {"client_id", client_id_}, {"redirect_uri", kCallback},
                                                      {"code_verifier", verifier},
                                                      {"resource", std::string(kIssuer) + "/mcp"}}));
  }

  WebFixture web_;
  std::string client_id_ = web_.Register(kCallback, "Claude <b>bold</b>");
  WebFixture::Browser browser_ = web_.SignedIn();
};

TEST_F(Authorize, UntrustedClientOrRedirectGetsAPageNotARedirect) {
  Response unknown = web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"client_id", "rmc_nobody"}}), browser_.cookie));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(HeaderOf(unknown, "Location"), "");
  Response elsewhere = web_.app().Authorize(
      Get("/oauth/authorize", AuthorizeQuery({{"redirect_uri", "https://evil.example/steal"}}), browser_.cookie));
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_EQ(HeaderOf(elsewhere, "Location"), "");
  // A registered URI with something appended is not the registered URI.
  Response appended = web_.app().Authorize(
      Get("/oauth/authorize", AuthorizeQuery({{"redirect_uri", std::string(kCallback) + "/../x"}}), browser_.cookie));
  EXPECT_EQ(appended.status, 400);
}

TEST_F(Authorize, TheClientsMistakesGoBackToItWithStateAndIss) {
  Response no_pkce = web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({}, {"code_challenge"}), browser_.cookie));
  EXPECT_EQ(no_pkce.status, 302);
  EXPECT_EQ(HeaderOf(no_pkce, "Location").rfind(kCallback, 0), 0u);
  Form reply = LocationQuery(no_pkce);
  EXPECT_EQ(reply.Get("error"), "invalid_request");
  EXPECT_EQ(reply.Get("state"), "st-1");
  EXPECT_EQ(reply.Get("iss"), kIssuer);

  EXPECT_EQ(LocationQuery(web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"code_challenge_method", "plain"}}), browser_.cookie))).Get("error"), "invalid_request");
  EXPECT_EQ(LocationQuery(web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({}, {"resource"}), browser_.cookie))).Get("error"), "invalid_target");
  EXPECT_EQ(LocationQuery(web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"resource", "https://other.example/mcp"}}), browser_.cookie))).Get("error"), "invalid_target");
  EXPECT_EQ(LocationQuery(web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"scope", "admin"}}), browser_.cookie))).Get("error"), "invalid_scope");
  EXPECT_EQ(LocationQuery(web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"response_type", "token"}}), browser_.cookie))).Get("error"), "unsupported_response_type");
  EXPECT_EQ(web_.CountRows("oauth_codes"), 0u);
}

TEST_F(Authorize, NoErrorIsRedirectedToAClientBeforeAPersonHasSignedIn) {
  // Anyone can register a client at evil.example: its redirect_uri is not trusted until a
  // person has authenticated (RFC 9700 §4.11.2), so an anonymous bad request goes to sign-in.
  const std::string evil = web_.Register("https://evil.example/land", "Claude helper");
  Response r = web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"client_id", evil}, {"redirect_uri", "https://evil.example/land"},
                                                                           {"response_type", "bogus"}})));
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location").rfind("/signin?", 0), 0u);
  // Signed in, the consent page for that client suggests no vendor from its name.
  Response page = web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"client_id", evil}, {"redirect_uri", "https://evil.example/land"}}), browser_.cookie));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("value=\"\" placeholder"), std::string::npos);
  // A challenge that is not 43 base64url characters is refused before the consent page.
  EXPECT_EQ(LocationQuery(web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery({{"code_challenge", std::string(44, 'a')}}), browser_.cookie))).Get("error"), "invalid_request");
}

TEST_F(Authorize, NobodySignedInIsSentToSignInAndBack) {
  const std::string query = AuthorizeQuery();
  Response r = web_.app().Authorize(Get("/oauth/authorize", query));
  EXPECT_EQ(r.status, 303);
  const std::string location = HeaderOf(r, "Location");
  ASSERT_EQ(location.rfind("/signin?", 0), 0u);
  EXPECT_EQ(ParseForm(location.substr(8))->Get("next"), "/oauth/authorize?" + query);
}

TEST_F(Authorize, TheConsentPageEscapesTheClientAndSuggestsTheVendorFromTheRedirectHost) {
  Response page = web_.app().Authorize(Get("/oauth/authorize", AuthorizeQuery(), browser_.cookie));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Claude &lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<b>bold</b>"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"vendor\" type=\"text\""), std::string::npos);
  EXPECT_NE(page.body.find("value=\"claude\" placeholder"), std::string::npos);
  EXPECT_NE(page.body.find("<strong>claude.ai</strong>"), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  // Allow and Deny redirect to the client: Chromium checks that redirect against form-action.
  EXPECT_NE(HeaderOf(page, "Content-Security-Policy").find("form-action 'self' https://claude.ai;"), std::string::npos);
  // A real browser sends its Origin with the form (no-referrer would make it "null").
  EXPECT_EQ(HeaderOf(page, "Referrer-Policy"), "same-origin");
}

TEST_F(Authorize, AConsentWithoutTheSessionsCsrfTokenChangesNothing) {
  Response forged = web_.app().Authorize(PostForm(
      "/oauth/authorize", {{"request", AuthorizeQuery()}, {"decision", "allow"}, {"vendor", "claude"}}, browser_.cookie));
  EXPECT_EQ(forged.status, 403);
  Response wrong = web_.app().Authorize(PostForm(
      "/oauth/authorize", {{"csrf", std::string(64, 'a')}, {"request", AuthorizeQuery()}, {"decision", "allow"}, {"vendor", "claude"}},
      browser_.cookie));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(web_.CountRows("oauth_codes"), 0u);
}

TEST_F(Authorize, DenyingSendsAccessDenied) {
  Response r = web_.app().Authorize(PostForm("/oauth/authorize", {{"csrf", browser_.csrf}, {"request", AuthorizeQuery()}, {"decision", "deny"}}, browser_.cookie));
  EXPECT_EQ(LocationQuery(r).Get("error"), "access_denied");
  EXPECT_EQ(web_.CountRows("oauth_codes"), 0u);
}

TEST_F(Authorize, TheCodeBecomesATokenForTheChosenVendorOnceAndOnlyWithItsVerifier) {
  Response back = Consent(AuthorizeQuery());
  ASSERT_EQ(back.status, 302);
  Form reply = LocationQuery(back);
  EXPECT_EQ(reply.Get("state"), "st-1");
  EXPECT_EQ(reply.Get("iss"), kIssuer);
  const std::string code = reply.Get("code");
  ASSERT_FALSE(code.empty());

  Response wrong = Exchange(code, std::string(60, 'x'));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("invalid_grant"), std::string::npos);

  Response issued = Exchange(code);
  ASSERT_EQ(issued.status, 200) << issued.body;
  const auto tokens = boost::json::parse(issued.body).as_object();
  EXPECT_EQ(tokens.at("token_type"), "Bearer");
  EXPECT_EQ(tokens.at("scope"), "mcp:read mcp:write");
  const std::string access(tokens.at("access_token").as_string());
  auto resolved = store::ReadValue<store::ResolvedAccessToken>(web_.db(), [&](store::Connection& c) { return store::ResolveAccessToken(c, access); });
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->user_id, web_.user_id());
  EXPECT_EQ(resolved->vendor, std::optional<std::string>("claude"));
  EXPECT_EQ(resolved->resource, std::string(kIssuer) + "/mcp");

  // Used twice: refused, and the grant it produced is revoked (the code may have leaked).
  Response again = Exchange(code);
  EXPECT_EQ(again.status, 400);
  auto after = store::ReadValue<store::ResolvedAccessToken>(web_.db(), [&](store::Connection& c) { return store::ResolveAccessToken(c, access); });
  EXPECT_EQ(after.status().code(), Status::Code::kUnauthenticated);
}

TEST_F(Authorize, ReadOnlyAndOwnerChoicesAreWhatTheTokenCarries) {
  Response back = Consent(AuthorizeQuery(), {{"owner", "1"}});  // no write box ticked
  Response issued = Exchange(LocationQuery(back).Get("code"));
  ASSERT_EQ(issued.status, 200) << issued.body;
  const auto tokens = boost::json::parse(issued.body).as_object();
  EXPECT_EQ(tokens.at("scope"), "mcp:read");
  const std::string access(tokens.at("access_token").as_string());
  auto resolved = store::ReadValue<store::ResolvedAccessToken>(web_.db(), [&](store::Connection& c) { return store::ResolveAccessToken(c, access); });
  ASSERT_TRUE(resolved.ok());
  EXPECT_FALSE(resolved->vendor);  // owner: no vendor filter, chosen explicitly
}

TEST_F(Authorize, AVendorNameMustBeValid) {
  Response r = Consent(AuthorizeQuery(), {{"vendor", "Not A Vendor!"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(web_.CountRows("oauth_codes"), 0u);
}

TEST_F(Authorize, RefreshRotatesAndAReusedRefreshTokenRevokesTheGrant) {
  const auto first = boost::json::parse(Exchange(LocationQuery(Consent(AuthorizeQuery())).Get("code")).body).as_object();
  const std::string refresh(first.at("refresh_token").as_string());
  auto refresh_with = [&](const std::string& token) {
    return web_.app().Token(PostForm("/oauth/token", {{"grant_type", "refresh_token"}, {"refresh_token", token}, {"client_id", client_id_}}));
  };
  Response rotated = refresh_with(refresh);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const auto second = boost::json::parse(rotated.body).as_object();
  EXPECT_NE(second.at("refresh_token"), first.at("refresh_token"));
  const std::string newest(second.at("access_token").as_string());

  Response replay = refresh_with(refresh);
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("invalid_grant"), std::string::npos);
  auto after = store::ReadValue<store::ResolvedAccessToken>(web_.db(), [&](store::Connection& c) { return store::ResolveAccessToken(c, newest); });
  EXPECT_EQ(after.status().code(), Status::Code::kUnauthenticated);
}

TEST_F(Authorize, UnknownClientsAtTheTokenEndpointAreTold401InvalidClient) {
  Response r = web_.app().Token(PostForm("/oauth/token", {{"grant_type", "authorization_code"}, {"code", "x"}, {"client_id", "rmc_gone"},
                                                          {"redirect_uri", kCallback}, {"code_verifier", kVerifier}}));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("invalid_client"), std::string::npos);
}

TEST_F(Authorize, RevocationEndsTheGrant) {
  const auto tokens = boost::json::parse(Exchange(LocationQuery(Consent(AuthorizeQuery())).Get("code")).body).as_object();
  const std::string access(tokens.at("access_token").as_string());
  Response r = web_.app().Revoke(PostForm("/oauth/revoke", {{"token", std::string(tokens.at("refresh_token").as_string())}, {"client_id", client_id_}}));
  EXPECT_EQ(r.status, 200);
  auto after = store::ReadValue<store::ResolvedAccessToken>(web_.db(), [&](store::Connection& c) { return store::ResolveAccessToken(c, access); });
  EXPECT_EQ(after.status().code(), Status::Code::kUnauthenticated);
  // Unknown tokens are no error (RFC 7009).
  EXPECT_EQ(web_.app().Revoke(PostForm("/oauth/revoke", {{"token", "rm_rt_nothing"}, {"client_id", client_id_}})).status, 200);
}

}  // namespace
}  // namespace rm::web::testing
