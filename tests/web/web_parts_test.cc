// The building blocks of web/: forms and URLs, escaping, cookies, the guessing limit, which
// addresses a metadata-document fetch may dial, and where sign-in may send a browser next.
#include <gtest/gtest.h>

#include "web/client_metadata_document.h"
#include "web/cookies.h"
#include "web/form.h"
#include "web/html.h"
#include "web/login_limiter.h"
#include "web/web_app.h"

namespace rm::web {
namespace {

TEST(WebForm, DecodesPercentAndPlusAndFlagsRepeatedNames) {
  auto form = ParseForm("a=1&b=x+y%21&a=2&empty=");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->Get("a"), "1");
  EXPECT_EQ(form->Get("b"), "x y!");
  EXPECT_TRUE(form->Has("empty"));
  EXPECT_EQ(form->repeated, std::vector<std::string>{"a"});
  EXPECT_FALSE(ParseForm("a=%zz"));
}

TEST(WebForm, BuildsQueriesThatRoundTrip) {
  const std::string url = WithQuery("https://claude.ai/api/mcp/auth_callback?x=1", {{"code", "a b&c"}, {"state", "s/1"}});
  EXPECT_EQ(url.rfind("https://claude.ai/api/mcp/auth_callback?x=1&code=", 0), 0u);
  auto form = ParseForm(url.substr(url.find('?') + 1));
  EXPECT_EQ(form->Get("code"), "a b&c");
  EXPECT_EQ(form->Get("state"), "s/1");
}

TEST(WebForm, ReadsTheHostOfAbsoluteUrls) {
  EXPECT_EQ(ParseAbsoluteUrl("https://Claude.AI/cb")->host, "claude.ai");
  EXPECT_EQ(ParseAbsoluteUrl("http://[::1]:3000/cb")->host, "::1");
  EXPECT_TRUE(ParseAbsoluteUrl("https://a.example/cb#frag")->has_fragment);
  EXPECT_TRUE(ParseAbsoluteUrl("https://u:p@a.example/cb")->has_userinfo);
  EXPECT_FALSE(ParseAbsoluteUrl("/relative"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.9"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("127.example.com"));
}

TEST(WebHtml, EscapesMarkupAndSetsTheSafetyHeaders) {
  EXPECT_EQ(Escape("<script>\"x\" & 'y'</script>"), "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;");
  Response page = Page(200, "<t>", "<p>hi</p>");
  EXPECT_NE(page.body.find("<title>&lt;t&gt;"), std::string::npos);
  bool csp = false;
  for (const auto& [name, value] : page.headers) {
    if (name == "Content-Security-Policy") {
      csp = true;
      EXPECT_NE(value.find("frame-ancestors 'none'"), std::string::npos);
      EXPECT_EQ(value.find("script-src"), std::string::npos);  // default-src 'none' covers scripts
      EXPECT_NE(value.find("default-src 'none'"), std::string::npos);
    }
  }
  EXPECT_TRUE(csp);
}

TEST(WebCookies, FindsOneCookieAndBuildsSafeOnes) {
  EXPECT_EQ(CookieValue("a=1; rm_session=abc; b=2", "rm_session"), "abc");
  EXPECT_EQ(CookieValue("xrm_session=abc", "rm_session"), "");
  EXPECT_EQ(SetCookie("rm_session", "v", std::chrono::seconds(60), true),
            "rm_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("", ""));  // an absent token never matches an absent cookie
}

TEST(WebLoginLimiter, RefusesAnAccountOrAnAddressPastItsFailures) {
  LoginLimiter limiter(2, 3, std::chrono::minutes(15));
  EXPECT_TRUE(limiter.Allowed("ada", "1.1.1.1"));
  limiter.Failed("ada", "1.1.1.1");
  limiter.Failed("ada", "2.2.2.2");
  EXPECT_FALSE(limiter.Allowed("ada", "3.3.3.3"));  // the account, from anywhere
  EXPECT_TRUE(limiter.Allowed("bob", "1.1.1.1"));
  limiter.Failed("bob", "1.1.1.1");
  limiter.Failed("cy", "1.1.1.1");
  EXPECT_FALSE(limiter.Allowed("dee", "1.1.1.1"));  // the address, for any account
}

TEST(WebMetadataDocument, NeverDialsInternalAddresses) {
  for (const char* internal : {"127.0.0.1", "169.254.169.254", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
                               "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::",
                               "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1", "::10.0.0.1", "192.0.2.1", "203.0.113.9"}) {
    EXPECT_FALSE(PublicAddress(internal, false)) << internal;
  }
  for (const char* external : {"8.8.8.8", "1.1.1.1", "2606:4700::1111"}) EXPECT_TRUE(PublicAddress(external, false)) << external;
  EXPECT_TRUE(PublicAddress("127.0.0.1", true));         // the tests' flag allows loopback only
  EXPECT_FALSE(PublicAddress("169.254.169.254", true));
}

TEST(WebMetadataDocument, RefusesPrivateTargetsBeforeSendingAnything) {
  auto loopback = FetchClientMetadataDocument("https://127.0.0.1:1/client.json", false);
  EXPECT_EQ(loopback.status().code(), Status::Code::kPermissionDenied) << loopback.status().ToString();
  auto metadata = FetchClientMetadataDocument("https://169.254.169.254/latest/meta-data", false);
  EXPECT_EQ(metadata.status().code(), Status::Code::kPermissionDenied);
  auto plain = FetchClientMetadataDocument("http://example.com/client.json", false);
  EXPECT_EQ(plain.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(FetchClientMetadataDocument("https://example.com", false).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(FetchClientMetadataDocument("https://example.com/a/../b.json", false).status().code(), Status::Code::kInvalidArgument);
}

TEST(WebSignIn, NextMustStayOnThisSite) {
  EXPECT_EQ(SafeNextPath("/oauth/authorize?x=1"), "/oauth/authorize?x=1");
  for (const char* away : {"//evil.example/", "/\\evil.example", "https://evil.example/", "evil", "", "/a\r\nb"}) {
    EXPECT_EQ(SafeNextPath(away), "/") << away;
  }
}

}  // namespace
}  // namespace rm::web
