// The Connections pages through the app's route table, as a browser uses them: keys created
// (shown once) and revoked, OAuth connections revoked, only the person's own, CSRF on every
// change, escaping, calls this month per vendor, and the "Connect" panels.
#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "store/api_keys.h"
#include "store/oauth_grants.h"
#include "store/usage_repository.h"
#include "tests/store/issue_test_grant.h"
#include "tests/web/web_test_support.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace rm::web::testing {
namespace {

constexpr const char* kCallback = "https://claude.ai/api/mcp/auth_callback";

class ConnectionPages : public ::testing::Test {
 protected:
  // Through WebApp::Routes(), so the wiring in dashboard_routes.cc is tested too.
  Response Call(const Request& request) {
    for (const Route& route : web_.app().Routes()) {
      if (route.path == request.path) return route.handle(request);
    }
    ADD_FAILURE() << "no route for " << request.path;
    return {};
  }
  Response Page() { return Call(Get("/connections", "", browser_.cookie)); }
  Response CreateKey(const std::string& label, const std::string& vendor) {
    return Call(PostForm("/connections/keys", {{"csrf", browser_.csrf}, {"label", label}, {"vendor", vendor}},
                         browser_.cookie));
  }

  store::CreatedApiKey StoreKey(const std::string& user_id, std::optional<std::string> vendor = std::nullopt) {
    auto created = store::WriteValue<store::CreatedApiKey>(web_.db(), [&](store::Connection& c) {
      return store::CreateApiKey(c, {user_id, "stored", vendor});
    });
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  }

  std::string OtherUser() {
    auto bob = store::WriteValue<store::User>(web_.db(), [](store::Connection& c) {
      return store::InsertUser(c, store::NewUser{"bob@example.com"});
    });
    EXPECT_TRUE(bob.ok());
    return bob->id;
  }

  // An OAuth connection of `user_id` to a client named `client_name`, as a consent makes one.
  std::string StoreGrant(const std::string& user_id, const std::string& client_name,
                         std::optional<std::string> vendor) {
    const std::string client_id = web_.Register(kCallback, client_name);
    auto issued = store::WriteValue<store::IssuedTokens>(web_.db(), [&](store::Connection& c) {
      return rm::testing::IssueTestGrant(
          c, {user_id, client_id, kCallback, "", vendor, {"mcp:read", "mcp:write"}, std::string(kIssuer) + "/mcp"});
    });
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? issued->grant_id : "";
  }

  bool KeyWorks(const std::string& secret) {
    return store::ReadValue<store::ResolvedApiKey>(web_.db(), [&](store::Connection& c) {
             return store::ResolveApiKey(c, secret);
           }).ok();
  }
  bool GrantActive(const std::string& grant_id) {
    auto active = store::ReadValue<bool>(web_.db(), [&](store::Connection& c) {
      return store::IsOAuthGrantActive(c, grant_id);
    });
    return active.ok() && *active;
  }

  static std::string NewKeyOn(const Response& page) {
    const std::string open = "<code id=\"new-key\">";
    const auto at = page.body.find(open);
    if (at == std::string::npos) return "";
    const auto start = at + open.size();
    return page.body.substr(start, page.body.find("</code>", start) - start);
  }

  WebFixture web_;
  WebFixture::Browser browser_ = web_.SignedIn();
};

TEST_F(ConnectionPages, UnsignedVisitorsAreSentToSignInAndNothingIsCreated) {
  Response page = Call(Get("/connections"));
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(HeaderOf(page, "Location").rfind("/signin?", 0), 0u);
  EXPECT_EQ(LocationQuery(page).Get("next"), "/connections");
  Response post = Call(PostForm("/connections/keys", {{"label", "x"}, {"vendor", "cursor"}}));
  EXPECT_EQ(post.status, 303);
  EXPECT_EQ(HeaderOf(post, "Location").rfind("/signin?", 0), 0u);
  EXPECT_EQ(web_.CountRows("api_keys"), 0u);
}

TEST_F(ConnectionPages, ACreatedKeyWorksAndItsSecretIsShownOnlyOnce) {
  Response created = CreateKey("laptop", "cursor");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string secret = NewKeyOn(created);
  ASSERT_EQ(secret.rfind("rm_live_", 0), 0u) << created.body;
  EXPECT_NE(created.body.find("<button type=\"button\" data-copy=\"new-key\" hidden>Copy</button>"), std::string::npos);
  EXPECT_NE(created.body.find("will not be shown again"), std::string::npos);
  EXPECT_EQ(HeaderOf(created, "Cache-Control"), "no-store");

  auto resolved = store::ReadValue<store::ResolvedApiKey>(web_.db(), [&](store::Connection& c) {
    return store::ResolveApiKey(c, secret);
  });
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->user_id, web_.user_id());
  EXPECT_EQ(resolved->vendor, "cursor");

  Response page = Page();
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<h3>cursor</h3>"), std::string::npos);
  EXPECT_NE(page.body.find("laptop"), std::string::npos);
  EXPECT_NE(page.body.find(secret.substr(0, 16) + "…"), std::string::npos);  // the prefix, for recognising it
  EXPECT_EQ(page.body.find(secret), std::string::npos);
}

TEST_F(ConnectionPages, AnEmptyVendorMakesAnOwnerKeyAndAnEmptyLabelIsDefault) {
  Response created = CreateKey("", "");
  ASSERT_EQ(created.status, 200) << created.body;
  auto resolved = store::ReadValue<store::ResolvedApiKey>(web_.db(), [&](store::Connection& c) {
    return store::ResolveApiKey(c, NewKeyOn(created));
  });
  ASSERT_TRUE(resolved.ok());
  EXPECT_FALSE(resolved->vendor);
  Response page = Page();
  EXPECT_NE(page.body.find("<h3>owner (all tools)</h3>"), std::string::npos);
  EXPECT_NE(page.body.find("<td>Default</td>"), std::string::npos);
}

TEST_F(ConnectionPages, AnInvalidVendorOrTheKeyLimitIsA400AndCreatesNothing) {
  Response bad = CreateKey("x", "Not A Vendor");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Not A Vendor"), std::string::npos);  // the message names the value
  EXPECT_EQ(NewKeyOn(bad), "");
  EXPECT_EQ(web_.CountRows("api_keys"), 0u);

  StoreKey(web_.user_id());
  StoreKey(web_.user_id());  // the free plan allows two active keys
  Response over = CreateKey("third", "claude");
  EXPECT_EQ(over.status, 400);
  EXPECT_NE(over.body.find("API key limit reached"), std::string::npos);
  EXPECT_EQ(NewKeyOn(over), "");
  EXPECT_EQ(web_.CountRows("api_keys"), 2u);
}

TEST_F(ConnectionPages, WithoutTheCsrfTokenNothingChanges) {
  Response missing = Call(PostForm("/connections/keys", {{"label", "x"}, {"vendor", "cursor"}}, browser_.cookie));
  EXPECT_EQ(missing.status, 403);
  Response wrong = Call(PostForm("/connections/keys", {{"csrf", "0000"}, {"label", "x"}}, browser_.cookie));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(web_.CountRows("api_keys"), 0u);

  const store::CreatedApiKey key = StoreKey(web_.user_id(), "claude");
  EXPECT_EQ(Call(PostForm("/connections/keys/revoke", {{"key_id", key.key.id}}, browser_.cookie)).status, 403);
  EXPECT_TRUE(KeyWorks(key.secret));
  const std::string grant = StoreGrant(web_.user_id(), "Claude", "claude");
  EXPECT_EQ(Call(PostForm("/connections/grants/revoke", {{"grant_id", grant}}, browser_.cookie)).status, 403);
  EXPECT_TRUE(GrantActive(grant));
}

TEST_F(ConnectionPages, RevokingSomeoneElsesKeyIsNotFoundAndTheirKeyKeepsWorking) {
  const store::CreatedApiKey bobs = StoreKey(OtherUser(), "cursor");
  Response theirs =
      Call(PostForm("/connections/keys/revoke", {{"csrf", browser_.csrf}, {"key_id", bobs.key.id}}, browser_.cookie));
  EXPECT_EQ(theirs.status, 404);
  EXPECT_TRUE(KeyWorks(bobs.secret));
  EXPECT_EQ(Page().body.find(bobs.key.key_prefix), std::string::npos);  // and it is not listed

  const store::CreatedApiKey mine = StoreKey(web_.user_id(), "cursor");
  Response revoked =
      Call(PostForm("/connections/keys/revoke", {{"csrf", browser_.csrf}, {"key_id", mine.key.id}}, browser_.cookie));
  EXPECT_EQ(revoked.status, 303);
  EXPECT_EQ(HeaderOf(revoked, "Location"), "/connections");
  EXPECT_FALSE(KeyWorks(mine.secret));
  EXPECT_NE(Page().body.find("revoked <time"), std::string::npos);
}

TEST_F(ConnectionPages, OAuthConnectionsAreListedByVendorAndOnlyTheOwnerRevokesThem) {
  const std::string mine = StoreGrant(web_.user_id(), "Claude <b>web</b>", "claude");
  const std::string bobs = StoreGrant(OtherUser(), "ChatGPT", "chatgpt");
  Response page = Page();
  EXPECT_NE(page.body.find("<h3>claude</h3>"), std::string::npos);
  EXPECT_NE(page.body.find("Claude &lt;b&gt;web&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<b>web</b>"), std::string::npos);
  EXPECT_NE(page.body.find("mcp:read mcp:write"), std::string::npos);
  EXPECT_EQ(page.body.find("ChatGPT</td>"), std::string::npos);

  Response theirs =
      Call(PostForm("/connections/grants/revoke", {{"csrf", browser_.csrf}, {"grant_id", bobs}}, browser_.cookie));
  EXPECT_EQ(theirs.status, 404);
  EXPECT_TRUE(GrantActive(bobs));
  Response revoked =
      Call(PostForm("/connections/grants/revoke", {{"csrf", browser_.csrf}, {"grant_id", mine}}, browser_.cookie));
  EXPECT_EQ(revoked.status, 303);
  EXPECT_FALSE(GrantActive(mine));
}

TEST_F(ConnectionPages, AScriptInALabelIsShownAsText) {
  Response created = CreateKey("<script>alert(1)</script>", "claude");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_NE(created.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  Response page = Page();
  EXPECT_NE(page.body.find("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
}

TEST_F(ConnectionPages, EachVendorShowsItsCallsThisMonth) {
  StoreKey(web_.user_id(), "cursor");
  ASSERT_TRUE(web_.db().Write([&](store::Connection& c) -> Status {
    for (auto op : {store::UsageOperation::kMemoryRead, store::UsageOperation::kMemoryRead,
                    store::UsageOperation::kMemoryWrite}) {
      RM_RETURN_IF_ERROR(store::RecordUsage(c, {NewUuid(), web_.user_id(), op, "cursor", std::nullopt, NowUtc()}));
    }
    return store::RecordUsage(c, {NewUuid(), web_.user_id(), store::UsageOperation::kQuery, "dashboard",
                                  std::nullopt, NowUtc()});
  }).ok());
  Response page = Page();
  EXPECT_NE(page.body.find("<h3>cursor</h3><p>Calls this month: 3 (2 reads, 1 write, 0 queries)</p>"),
            std::string::npos)
      << page.body;
  // Calls of a surface without a key here are still shown.
  EXPECT_NE(page.body.find("<td>dashboard</td><td>1 (0 reads, 0 writes, 1 query)</td>"), std::string::npos);
}

TEST_F(ConnectionPages, ConnectPanelsCarryThisServersAddress) {
  Response page = Page();
  ASSERT_EQ(page.status, 200);
  for (const char* client : {"Claude Code", "Cursor", "VS Code", "Claude.ai", "ChatGPT"}) {
    EXPECT_NE(page.body.find(std::string("<summary>") + client + "</summary>"), std::string::npos) << client;
  }
  EXPECT_NE(page.body.find("claude mcp add --transport http reflect https://memory.example.com/mcp --header "
                           "&quot;Authorization: Bearer rm_live_…&quot;"),
            std::string::npos);
  EXPECT_NE(page.body.find("&quot;url&quot;: &quot;https://memory.example.com/mcp&quot;"), std::string::npos);
  EXPECT_NE(page.body.find("Create a key for vendor <code>cursor</code> above"), std::string::npos);
  EXPECT_NE(page.body.find("data-copy=\"connect-claude-code\""), std::string::npos);
  // No inline script: the one script is the dashboard's file.
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_NE(page.body.find("<script src=\"/assets/dashboard.js\" defer></script>"), std::string::npos);
}

}  // namespace
}  // namespace rm::web::testing
