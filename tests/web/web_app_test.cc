// Metadata, Dynamic Client Registration, and signing in (password, one-time link, limits).
#include "store/web_accounts.h"
#include "tests/web/web_test_support.h"
#include "web/cookies.h"
#include "web/dashboard_page.h"

namespace rm::web::testing {
namespace {

TEST(WebMetadata, TellsClientsWhereToSignInAndWhatIsSupported) {
  WebFixture web;
  auto resource = boost::json::parse(web.app().ProtectedResourceMetadata(Get("/.well-known/oauth-protected-resource/mcp")).body).as_object();
  EXPECT_EQ(resource.at("resource"), "https://memory.example.com/mcp");
  EXPECT_EQ(resource.at("authorization_servers").as_array().at(0), kIssuer);
  EXPECT_EQ(resource.at("bearer_methods_supported").as_array().at(0), "header");
  auto server = boost::json::parse(web.app().AuthorizationServerMetadata(Get("/.well-known/oauth-authorization-server")).body).as_object();
  EXPECT_EQ(server.at("issuer"), kIssuer);
  EXPECT_EQ(server.at("code_challenge_methods_supported").as_array(), boost::json::array{"S256"});
  EXPECT_EQ(server.at("client_id_metadata_document_supported"), true);
  EXPECT_EQ(server.at("authorization_response_iss_parameter_supported"), true);
  EXPECT_EQ(server.at("registration_endpoint"), "https://memory.example.com/oauth/register");

  WebOptions closed = TestOptions();
  closed.registration_open = false;
  WebFixture closed_web(closed);
  auto without = boost::json::parse(closed_web.app().AuthorizationServerMetadata(Get("/")).body).as_object();
  EXPECT_FALSE(without.contains("registration_endpoint"));
}

Request RegisterRequest(const std::string& body) {
  Request request;
  request.method = "POST";
  request.content_type = "application/json";
  request.body = body;
  return request;
}

TEST(WebRegistration, AcceptsHttpsAndLoopbackRedirectsOnly) {
  WebFixture web;
  for (const char* bad : {R"({"redirect_uris":["http://claude.ai/cb"]})", R"j({"redirect_uris":["javascript:alert(1)"]})j",
                          R"({"redirect_uris":["https://a.example/cb#x"]})", R"({"redirect_uris":[]})", R"({"client_name":"x"})",
                          R"({"redirect_uris":["https://a.example/cb"],"grant_types":["client_credentials"]})", "not json"}) {
    Response r = web.app().Register(RegisterRequest(bad));
    EXPECT_EQ(r.status, 400) << bad;
  }
  EXPECT_EQ(web.CountRows("oauth_clients"), 0u);
  Response ok = web.app().Register(RegisterRequest(
      R"({"client_name":"Claude","redirect_uris":["https://claude.ai/api/mcp/auth_callback","http://127.0.0.1:6274/cb","com.example.app:/cb"],"token_endpoint_auth_method":"client_secret_basic"})"));
  ASSERT_EQ(ok.status, 201) << ok.body;
  auto client = boost::json::parse(ok.body).as_object();
  EXPECT_EQ(std::string(client.at("client_id").as_string()).rfind("rmc_", 0), 0u);
  EXPECT_EQ(client.at("token_endpoint_auth_method"), "none");  // public clients: PKCE, no secret
  EXPECT_FALSE(client.contains("client_secret"));
}

TEST(WebRegistration, IsCappedPerHourAndCanBeClosed) {
  WebOptions options = TestOptions();
  options.registrations_per_hour = 2;
  WebFixture web(options);
  const std::string body = R"({"redirect_uris":["https://claude.ai/cb"]})";
  auto from = [&](const std::string& address) {
    Request request = RegisterRequest(body);
    request.peer_address = address;
    return web.app().Register(request).status;
  };
  EXPECT_EQ(from("198.51.100.1"), 201);
  EXPECT_EQ(from("198.51.100.1"), 429);  // one address gets a tenth of the hour's registrations
  EXPECT_EQ(from("198.51.100.2"), 201);
  EXPECT_EQ(from("198.51.100.3"), 429);  // and all together no more than the cap
  EXPECT_EQ(web.CountRows("oauth_clients"), 2u);

  WebOptions closed = TestOptions();
  closed.registration_open = false;
  WebFixture closed_web(closed);
  EXPECT_EQ(closed_web.app().Register(RegisterRequest(body)).status, 403);
}

// The sign-in form's CSRF token and cookie, as a browser holds them after GET /signin.
struct SignInForm {
  std::string csrf;
  std::string cookie;
};
SignInForm OpenSignIn(WebApp& app, const std::string& query = "") {
  Response page = app.SignIn(Get("/signin", query));
  EXPECT_EQ(page.status, 200);
  const std::string set = HeaderOf(page, "Set-Cookie");
  const std::string value = set.substr(set.find('=') + 1, set.find(';') - set.find('=') - 1);
  return {value, std::string(kSigninCsrfCookie) + "=" + value};
}

TEST(WebSignIn, ThePasswordStartsASessionAndReturnsToNext) {
  WebFixture web;
  SignInForm form = OpenSignIn(web.app());
  Response r = web.app().SignIn(PostForm("/signin", {{"csrf", form.csrf}, {"next", "/oauth/authorize?x=1"},
                                                     {"email", "ADA@example.com"}, {"password", kPassword}}, form.cookie));
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/oauth/authorize?x=1");
  const std::string cookie = HeaderOf(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("rm_session=", 0), 0u);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);  // the public URL is https
  EXPECT_EQ(web.CountRows("web_sessions"), 1u);
  // An open redirect through next is not possible.
  SignInForm again = OpenSignIn(web.app());
  Response away = web.app().SignIn(PostForm("/signin", {{"csrf", again.csrf}, {"next", "//evil.example/"},
                                                        {"email", "ada@example.com"}, {"password", kPassword}}, again.cookie));
  EXPECT_EQ(HeaderOf(away, "Location"), "/");
}

TEST(WebSignIn, WithoutTheFormsCsrfCookieNothingHappens) {
  WebFixture web;
  SignInForm form = OpenSignIn(web.app());
  Response r = web.app().SignIn(PostForm("/signin", {{"csrf", form.csrf}, {"email", "ada@example.com"}, {"password", kPassword}}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(web.CountRows("web_sessions"), 0u);
}

TEST(WebSignIn, GuessingIsStoppedEvenWithTheRightPasswordAfterwards) {
  WebFixture web;  // 3 failures per account in these tests (10 by default)
  for (int i = 0; i < 3; ++i) {
    SignInForm form = OpenSignIn(web.app());
    Response wrong = web.app().SignIn(PostForm("/signin", {{"csrf", form.csrf}, {"email", "ada@example.com"}, {"password", "guess" + std::to_string(i)}}, form.cookie));
    EXPECT_EQ(wrong.status, 401);
  }
  SignInForm form = OpenSignIn(web.app());
  Response right = web.app().SignIn(PostForm("/signin", {{"csrf", form.csrf}, {"email", "ada@example.com"}, {"password", kPassword}}, form.cookie));
  EXPECT_EQ(right.status, 429);
  EXPECT_EQ(web.CountRows("web_sessions"), 0u);
}

TEST(WebSignIn, AnUnknownEmailGetsTheSameAnswerAsAWrongPassword) {
  WebFixture web;
  SignInForm form = OpenSignIn(web.app());
  Response r = web.app().SignIn(PostForm("/signin", {{"csrf", form.csrf}, {"email", "nobody@example.com"}, {"password", kPassword}}, form.cookie));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("The email or the password is wrong."), std::string::npos);
}

TEST(WebSignIn, AOneTimeLinkIsSpentByThePostNotByOpeningIt) {
  WebFixture web;
  auto link = store::WriteValue<std::string>(web.db(), [&](store::Connection& c) {
    return store::CreateSignInLink(c, web.user_id(), std::chrono::minutes(15));
  });
  ASSERT_TRUE(link.ok());
  SignInForm form = OpenSignIn(web.app(), "link=" + *link);  // opening it (a mail scanner) spends nothing
  OpenSignIn(web.app(), "link=" + *link);
  Response used = web.app().SignIn(PostForm("/signin", {{"csrf", form.csrf}, {"link", *link}}, form.cookie));
  EXPECT_EQ(used.status, 303);
  SignInForm second = OpenSignIn(web.app(), "link=" + *link);
  Response reused = web.app().SignIn(PostForm("/signin", {{"csrf", second.csrf}, {"link", *link}}, second.cookie));
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(web.CountRows("web_sessions"), 1u);
}

TEST(WebSignIn, SigningOutEndsTheSessionAndNeedsItsCsrfToken) {
  WebFixture web;
  WebFixture::Browser browser = web.SignedIn();
  EXPECT_TRUE(FindViewer(web.db(), Get("/", "", browser.cookie)));
  EXPECT_EQ(web.app().SignOut(PostForm("/signout", {}, browser.cookie)).status, 403);
  EXPECT_EQ(web.app().SignOut(PostForm("/signout", {{"csrf", browser.csrf}}, browser.cookie)).status, 303);
  EXPECT_FALSE(FindViewer(web.db(), Get("/", "", browser.cookie)));
}

}  // namespace
}  // namespace rm::web::testing
