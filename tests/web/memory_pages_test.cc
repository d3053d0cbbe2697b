// The dashboard's memory pages, as a person uses them, over a real store and the same memory
// service as MCP: every change is a version and a usage event with origin "dashboard", and
// nothing of another person's is reachable by changing an id.
#include "store/users.h"
#include "tests/web/web_test_support.h"
#include "web/markdown.h"
#include "web/text_diff.h"

namespace rm::web::testing {
namespace {

namespace json = boost::json;

class MemoryPages : public ::testing::Test {
 protected:
  // Writes a memory through the page; its id.
  std::string Write(const std::string& title, const std::string& content, const std::string& tags = "") {
    Response r = web_.Call(PostForm("/memories", {{"csrf", browser_.csrf}, {"title", title}, {"content", content}, {"tags", tags}}, browser_.cookie));
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string location = HeaderOf(r, "Location");
    EXPECT_EQ(location.rfind("/memories/", 0), 0u);
    return location.substr(10);
  }
  Response Post(const std::string& path, std::vector<std::pair<std::string, std::string>> fields) {
    fields.emplace_back("csrf", browser_.csrf);
    return web_.Call(PostForm(path, fields, browser_.cookie));
  }
  json::object Stored(const std::string& id) {
    tools::Caller owner{web_.user_id(), std::nullopt, "api"};
    auto got = web_.memories().GetMemory(owner, std::nullopt, id);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? got->as_object().at("memory").as_object() : json::object{};
  }
  std::size_t Count(const std::string& sql_table_and_where) { return web_.CountRows(sql_table_and_where); }

  WebFixture web_;
  WebFixture::Browser browser_ = web_.SignedIn();
};

TEST_F(MemoryPages, NobodySignedInIsSentToSignIn) {
  Response r = web_.Call(Get("/"));
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(HeaderOf(r, "Location"), "/signin?next=/");
  EXPECT_EQ(web_.Call(Get("/memories/abc")).status, 303);
}

TEST_F(MemoryPages, AMemoryWrittenOnThePageIsStoredAndMeteredAsTheDashboards) {
  const std::string id = Write("Standup notes", "We ship **Friday**.", "work, weekly");
  const json::object memory = Stored(id);
  EXPECT_EQ(memory.at("origin"), "dashboard");
  EXPECT_EQ(memory.at("tags"), (json::array{"work", "weekly"}));
  EXPECT_EQ(Count("usage_events WHERE origin = 'dashboard' AND operation = 'memory_write'"), 1u);
  Response page = web_.Call(Get("/memories/" + id, "", browser_.cookie));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<strong>Friday</strong>"), std::string::npos);  // Markdown rendered
  Response list = web_.Call(Get("/", "", browser_.cookie));
  EXPECT_NE(list.body.find("Standup notes"), std::string::npos);
}

TEST_F(MemoryPages, SubmittingTheSameFormTwiceWritesOnce) {
  const std::vector<std::pair<std::string, std::string>> form = {
      {"csrf", browser_.csrf}, {"request_id", "0123456789abcdef"}, {"title", "Once"}, {"content", "only once"}};
  Response first = web_.Call(PostForm("/memories", form, browser_.cookie));
  Response again = web_.Call(PostForm("/memories", form, browser_.cookie));
  EXPECT_EQ(first.status, 303);
  EXPECT_EQ(HeaderOf(again, "Location"), HeaderOf(first, "Location"));
  EXPECT_EQ(Count("memories"), 1u);
}

// Every dashboard route: nobody signed in is sent to sign in, and every POST without this
// session's CSRF token is refused and changes nothing.
TEST_F(MemoryPages, EveryDashboardRouteNeedsASessionAndEveryChangeItsCsrfToken) {
  const std::string id = Write("Guarded", "content");
  const std::vector<std::string> gets = {"/", "/memories/" + id, "/connections", "/usage", "/org"};
  for (const std::string& path : gets) {
    Response r = web_.Call(Get(path));
    EXPECT_EQ(r.status, 303) << path;
    EXPECT_EQ(HeaderOf(r, "Location").rfind("/signin?", 0), 0u) << path;
  }
  const std::vector<std::string> posts = {
      "/memories", "/trash/empty", "/memories/" + id + "/edit", "/memories/" + id + "/visibility",
      "/memories/" + id + "/share", "/memories/" + id + "/unshare", "/memories/" + id + "/delete",
      "/memories/" + id + "/restore", "/connections/keys", "/connections/keys/revoke", "/connections/grants/revoke",
      "/org/create", "/org/teams", "/org/invites", "/org/invites/revoke", "/org/members/role",
      "/org/members/team", "/org/members/remove", "/org/leave"};
  const std::size_t memories = Count("memories"), keys = Count("api_keys"), orgs = Count("orgs");
  const std::string before = Stored(id).at("updated_at").as_string().c_str();
  for (const std::string& path : posts) {
    EXPECT_EQ(web_.Call(PostForm(path, {{"title", "x"}, {"content", "x"}, {"name", "x"}, {"confirm", "1"}})).status, 303) << path;
    EXPECT_EQ(web_.Call(PostForm(path, {{"title", "x"}, {"content", "x"}, {"name", "x"}, {"confirm", "1"}}, browser_.cookie)).status, 403) << path;
  }
  EXPECT_EQ(Count("memories"), memories);
  EXPECT_EQ(Count("api_keys"), keys);
  EXPECT_EQ(Count("orgs"), orgs);
  EXPECT_EQ(std::string(Stored(id).at("updated_at").as_string()), before);
  EXPECT_TRUE(Stored(id).at("deleted_at").is_null());
}

TEST_F(MemoryPages, WhoCanSeeThisDecidesWhatEachAiToolSees) {
  const std::string id = Write("Salary", "Do not tell cursor");
  Response r = Post("/memories/" + id + "/visibility", {{"v_claude", "1"}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(Stored(id).at("allowed_vendors"), (json::array{"claude"}));
  tools::Caller cursor{web_.user_id(), std::string("cursor"), "cursor"};
  tools::Caller claude{web_.user_id(), std::string("claude"), "claude"};
  EXPECT_EQ(web_.memories().GetMemory(cursor, std::nullopt, id).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(web_.memories().GetMemory(claude, std::nullopt, id).ok());
  // "All AI tools" opens it again.
  Post("/memories/" + id + "/visibility", {{"all", "1"}});
  EXPECT_TRUE(web_.memories().GetMemory(cursor, std::nullopt, id).ok());
  // A bad vendor name is refused with the service's message, and changes nothing.
  Response bad = Post("/memories/" + id + "/visibility", {{"other", "Not Valid!"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Stored(id).at("allowed_vendors"), (json::array{"*"}));
}

TEST_F(MemoryPages, EditingMakesAVersionAndTheHistoryShowsTheDiff) {
  const std::string id = Write("Plan", "line one\nline two");
  Response r = Post("/memories/" + id + "/edit", {{"title", "Plan"}, {"content", "line one\nline 2"}, {"tags", ""}, {"memory_type", "procedural"}});
  EXPECT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(Stored(id).at("memory_type"), "procedural");
  Response page = web_.Call(Get("/memories/" + id, "diff=1", browser_.cookie));
  EXPECT_NE(page.body.find("<del class=\"del\">- line two</del>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<ins class=\"ins\">+ line 2</ins>"), std::string::npos);
}

TEST_F(MemoryPages, AnotherPersonsMemoryIsNotFoundAndCannotBeChanged) {
  auto bob = store::WriteValue<store::User>(web_.db(), [](store::Connection& c) { return store::InsertUser(c, store::NewUser{"bob@example.com"}); });
  tools::Caller bob_caller{bob->id, std::nullopt, "api"};
  tools::NewMemory secret;
  secret.title = "Bob's secret";
  secret.content = "private";
  auto written = web_.memories().WriteMemory(bob_caller, std::nullopt, secret, std::nullopt, false);
  ASSERT_TRUE(written.ok());
  const std::string id(written->as_object().at("memory").as_object().at("id").as_string());
  Response page = web_.Call(Get("/memories/" + id, "", browser_.cookie));
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.body.find("Bob&#39;s secret"), std::string::npos);
  for (const char* action : {"edit", "visibility", "share", "unshare", "delete", "restore"}) {
    EXPECT_EQ(Post("/memories/" + id + "/" + action, {{"title", "mine now"}, {"content", "x"}, {"all", "1"}, {"pool", "org"}}).status, 404) << action;
  }
  auto still = web_.memories().GetMemory(bob_caller, std::nullopt, id);
  EXPECT_EQ(still->as_object().at("memory").as_object().at("title"), "Bob's secret");
}

TEST_F(MemoryPages, AChangeWithoutTheCsrfTokenChangesNothing) {
  const std::string id = Write("Keep", "as is");
  Response r = web_.Call(PostForm("/memories/" + id + "/edit", {{"title", "changed"}, {"content", "changed"}}, browser_.cookie));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Stored(id).at("title"), "Keep");
  EXPECT_EQ(web_.Call(PostForm("/memories", {{"title", "t"}, {"content", "c"}}, browser_.cookie)).status, 403);
  EXPECT_EQ(Count("memories"), 1u);
}

TEST_F(MemoryPages, ScriptInATitleOrContentIsText) {
  const std::string id = Write("<script>alert(1)</script>", "<img src=x onerror=alert(1)> [x](javascript:alert(1))");
  Response page = web_.Call(Get("/memories/" + id, "", browser_.cookie));
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.body.find("<img src=x"), std::string::npos);
  EXPECT_EQ(page.body.find("href=\"javascript:"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  Response list = web_.Call(Get("/", "", browser_.cookie));
  EXPECT_EQ(list.body.find("<script>alert"), std::string::npos);
}

TEST_F(MemoryPages, SearchFindsWithSnippetsAndFiltersNarrow) {
  Write("Kubernetes upgrade", "We moved the cluster to version 1.31", "ops");
  Write("Birthday", "Cake on Friday", "home");
  Response found = web_.Call(Get("/", "q=cluster", browser_.cookie));
  EXPECT_EQ(found.status, 200);
  web_.db().FlushWritesLater();
  EXPECT_EQ(Count("usage_events WHERE origin = 'dashboard' AND operation = 'query'"), 1u);
  EXPECT_NE(found.body.find("Kubernetes upgrade"), std::string::npos);
  EXPECT_NE(found.body.find("<mark>cluster</mark>"), std::string::npos);
  EXPECT_EQ(found.body.find("Birthday"), std::string::npos);
  // "Visible to" shows the list as that AI tool sees it.
  const std::string hidden = Write("Only for claude", "cluster secrets");
  Post("/memories/" + hidden + "/visibility", {{"v_claude", "1"}});
  Response as_cursor = web_.Call(Get("/", "vendor=cursor", browser_.cookie));
  EXPECT_EQ(as_cursor.body.find("Only for claude"), std::string::npos);
  EXPECT_NE(as_cursor.body.find("Birthday"), std::string::npos);
  EXPECT_NE(web_.Call(Get("/", "vendor=claude&q=cluster", browser_.cookie)).body.find("Only for claude"), std::string::npos);
  EXPECT_EQ(web_.Call(Get("/", "vendor=Bad!", browser_.cookie)).status, 400);
  Response tagged = web_.Call(Get("/", "tag=home", browser_.cookie));
  EXPECT_NE(tagged.body.find("Birthday"), std::string::npos);
  EXPECT_EQ(tagged.body.find("Kubernetes upgrade"), std::string::npos);
}

TEST_F(MemoryPages, TrashRestoreAndEmptyTheTrash) {
  const std::string id = Write("Old", "gone soon");
  EXPECT_EQ(Post("/memories/" + id + "/delete", {}).status, 303);
  Response trash = web_.Call(Get("/", "trash=1", browser_.cookie));
  EXPECT_NE(trash.body.find("Old"), std::string::npos);
  EXPECT_EQ(web_.Call(Get("/", "", browser_.cookie)).body.find(">Old<"), std::string::npos);
  EXPECT_EQ(Post("/memories/" + id + "/restore", {}).status, 303);
  EXPECT_TRUE(Stored(id).at("deleted_at").is_null());
  Post("/memories/" + id + "/delete", {});
  EXPECT_EQ(Post("/trash/empty", {}).status, 400);  // not confirmed: nothing deleted
  EXPECT_EQ(Count("memories"), 1u);
  EXPECT_EQ(Post("/trash/empty", {{"confirm", "1"}}).status, 303);
  EXPECT_EQ(Count("memories"), 0u);
}

TEST(WebMarkdown, RendersTheCommonFormsAndNothingElse) {
  EXPECT_EQ(RenderMarkdown("# Title\n\nA **b** *c* `<d>`\n- one\n- two"),
            "<h2>Title</h2><p>A <strong>b</strong> <em>c</em> <code>&lt;d&gt;</code></p><ul><li>one</li><li>two</li></ul>");
  EXPECT_EQ(RenderMarkdown("[site](https://a.example/?x=1&y=2)"),
            "<p><a href=\"https://a.example/?x=1&amp;y=2\" rel=\"noopener noreferrer nofollow\">site</a></p>");
  EXPECT_EQ(RenderMarkdown("[x](javascript:alert(1))").find("<a "), std::string::npos);
  EXPECT_EQ(RenderMarkdown("```\n<b>\n```"), "<pre><code>&lt;b&gt;\n</code></pre>");
  EXPECT_EQ(RenderSnippet("a **match** <i>"), "a <mark>match</mark> &lt;i&gt;");
}

TEST(WebTextDiff, ShowsRemovedAndAddedLines) {
  EXPECT_EQ(LineDiffHtml("a\nb\nc", "a\nx\nc"),
            "<pre class=\"diff\">  a\n<ins class=\"ins\">+ x</ins>\n<del class=\"del\">- b</del>\n  c\n</pre>");
}

}  // namespace
}  // namespace rm::web::testing
