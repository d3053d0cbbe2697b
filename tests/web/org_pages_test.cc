// The org pages and invites through the app's route table, as people use them: an owner
// invites (the link shown once), a new person opens it, creates an account and lands in the org
// and team; a used, revoked or expired link is 404; plain members cannot manage; no change
// without the CSRF token; names are escaped; someone in another org is told why not.
#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "store/org_invites.h"
#include "store/orgs.h"
#include "tests/web/web_test_support.h"
#include "web/cookies.h"

namespace rm::web::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class OrgPages : public ::testing::Test {
 protected:
  void SetUp() override {
    org_ = Write<store::Org>([&](store::Connection& c) { return store::CreateOrg(c, "Acme", web_.user_id()); });
    team_ = Write<store::Team>([&](store::Connection& c) { return store::CreateTeam(c, org_.id, "Engineering"); });
    owner_ = web_.SignedIn();
  }

  template <typename T, typename Fn>
  T Write(Fn&& fn) {
    auto value = store::WriteValue<T>(web_.db(), std::forward<Fn>(fn));
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : T{};
  }

  // Through WebApp::Routes(), so the wiring in dashboard_routes.cc is tested too: an exact path,
  // else a prefix route (the server's rule).
  Response Call(const Request& request) {
    if (routes_.empty()) routes_ = web_.app().Routes();
    for (const Route& route : routes_) {
      if (!route.prefix && route.path == request.path) return route.handle(request);
    }
    for (const Route& route : routes_) {
      if (route.prefix && request.path.starts_with(route.path)) return route.handle(request);
    }
    ADD_FAILURE() << "no route for " << request.path;
    return {};
  }

  store::User AddUser(const std::string& email) {
    return Write<store::User>([&](store::Connection& c) { return store::InsertUser(c, store::NewUser{email}); });
  }
  WebFixture::Browser SessionOf(const std::string& user_id) {
    auto session = Write<store::WebSession>(
        [&](store::Connection& c) { return store::CreateWebSession(c, user_id, std::chrono::hours(1)); });
    return {"rm_session=" + session.id, session.csrf_token};
  }
  store::User Reload(const std::string& id) {
    return store::ReadValue<store::User>(web_.db(), [&](store::Connection& c) { return store::FindUserById(c, id); })
        .value();
  }
  store::CreatedInvite StoreInvite(std::optional<std::string> email, std::chrono::seconds ttl = store::kInviteLifetime) {
    store::NewOrgInvite invite{org_.id, std::move(email), std::nullopt, web_.user_id()};
    return Write<store::CreatedInvite>([&](store::Connection& c) { return store::CreateOrgInvite(c, invite, ttl); });
  }
  std::size_t Pending() {
    auto invites = store::ReadValue<std::vector<store::OrgInvite>>(
        web_.db(), [&](store::Connection& c) { return store::ListPendingInvites(c, org_.id); });
    return invites.ok() ? invites->size() : 999;
  }

  // The owner invites through the page; the token of the link shown.
  std::string InviteByPage(const std::string& email, const std::string& team_id) {
    Response shown = Call(PostForm("/org/invites", {{"csrf", owner_.csrf}, {"email", email}, {"team_id", team_id}},
                                   owner_.cookie));
    EXPECT_EQ(shown.status, 200) << shown.body;
    std::smatch match;
    const std::regex link(R"re(<code id="invite-url">https://memory\.example\.com/invite/([0-9a-f]{64})</code>)re");
    EXPECT_TRUE(std::regex_search(shown.body, match, link)) << shown.body;
    EXPECT_TRUE(Contains(shown.body, "<button type=\"button\" data-copy=\"invite-url\" hidden>Copy</button>"));
    return match.size() > 1 ? match[1].str() : "";
  }

  // A browser that is not signed in opens the invite: its login-CSRF cookie and token.
  WebFixture::Browser OpenSignedOut(const std::string& token, Response* page = nullptr) {
    Response opened = Call(Get("/invite/" + token));
    EXPECT_EQ(opened.status, 200) << opened.body;
    const std::string set_cookie = HeaderOf(opened, "Set-Cookie");
    const std::string prefix = std::string(kSigninCsrfCookie) + "=";
    EXPECT_EQ(set_cookie.rfind(prefix, 0), 0u) << set_cookie;
    const std::string csrf = set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
    if (page) *page = opened;
    return {prefix + csrf, csrf};
  }

  WebFixture web_;
  store::Org org_;
  store::Team team_;
  WebFixture::Browser owner_;
  std::vector<Route> routes_;
};

TEST_F(OrgPages, AnOwnerInvitesANewPersonWhoCreatesAnAccountAndLandsInTheOrgAndTeam) {
  const std::string token = InviteByPage("Bea@Example.com", team_.id);
  ASSERT_FALSE(token.empty());
  // Shown once: the org page lists the pending invite but never its link again.
  Response org = Call(Get("/org", "", owner_.cookie));
  ASSERT_EQ(org.status, 200);
  EXPECT_TRUE(Contains(org.body, "bea@example.com"));
  EXPECT_TRUE(Contains(org.body, "Engineering"));
  EXPECT_FALSE(Contains(org.body, token));

  Response page;
  WebFixture::Browser bea = OpenSignedOut(token, &page);
  EXPECT_TRUE(Contains(page.body, "Acme"));
  EXPECT_TRUE(Contains(page.body, "ada@example.com"));  // who invited them
  EXPECT_TRUE(Contains(page.body, "Engineering"));
  EXPECT_TRUE(Contains(page.body, "bea@example.com"));

  // A short password is refused and creates nothing.
  Response short_one = Call(PostForm("/invite/" + token, {{"csrf", bea.csrf}, {"password", "short"}}, bea.cookie));
  EXPECT_EQ(short_one.status, 400);
  EXPECT_EQ(web_.CountRows("users"), 1u);

  bea = OpenSignedOut(token);
  Response joined = Call(PostForm("/invite/" + token, {{"csrf", bea.csrf}, {"password", "a long passphrase"}}, bea.cookie));
  ASSERT_EQ(joined.status, 303) << joined.body;
  EXPECT_EQ(HeaderOf(joined, "Location"), "/org");
  const std::string session_cookie = HeaderOf(joined, "Set-Cookie");
  ASSERT_EQ(session_cookie.rfind("rm_session=", 0), 0u) << session_cookie;

  auto account = store::ReadValue<std::optional<store::PasswordAccount>>(
      web_.db(), [](store::Connection& c) { return store::FindAccountByEmail(c, "bea@example.com"); });
  ASSERT_TRUE(account.ok() && account->has_value());
  const store::User member = Reload((*account)->user_id);
  EXPECT_EQ(member.org_id, org_.id);
  EXPECT_EQ(member.team_id, team_.id);
  EXPECT_EQ(member.org_role, "member");
  ASSERT_TRUE((*account)->password_hash.has_value());
  EXPECT_TRUE(VerifyPassword("a long passphrase", *(*account)->password_hash));

  // Signed in by that answer: the org page is theirs now, without the management forms.
  const std::string cookie = session_cookie.substr(0, session_cookie.find(';'));
  Response theirs = Call(Get("/org", "", cookie));
  ASSERT_EQ(theirs.status, 200);
  EXPECT_TRUE(Contains(theirs.body, "Acme"));
  EXPECT_FALSE(Contains(theirs.body, "action=\"/org/invites\""));

  // Single use: the link is gone, for the page and for another account attempt.
  EXPECT_EQ(Call(Get("/invite/" + token)).status, 404);
  EXPECT_EQ(Call(PostForm("/invite/" + token, {{"csrf", bea.csrf}, {"password", "a long passphrase"}}, bea.cookie)).status,
            404);
  EXPECT_EQ(web_.CountRows("users"), 2u);
}

TEST_F(OrgPages, ASignedInPersonJoinsWithTheButtonOnceAndAnInvitedAccountIsSentToSignIn) {
  const store::User cy = AddUser("cy@example.com");
  const std::string token = StoreInvite("cy@example.com").token;
  // Not signed in, with an account: sign in first, then come back here.
  Response signed_out = Call(Get("/invite/" + token));
  ASSERT_EQ(signed_out.status, 200);
  EXPECT_TRUE(Contains(signed_out.body, "/signin?next=/invite/" + token)) << signed_out.body;
  EXPECT_FALSE(Contains(signed_out.body, "type=\"password\""));

  const WebFixture::Browser browser = SessionOf(cy.id);
  Response page = Call(Get("/invite/" + token, "", browser.cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.body, "Join Acme as cy@example.com"));
  Response joined = Call(PostForm("/invite/" + token, {{"csrf", browser.csrf}}, browser.cookie));
  ASSERT_EQ(joined.status, 303) << joined.body;
  EXPECT_EQ(Reload(cy.id).org_id, org_.id);
  EXPECT_EQ(Call(PostForm("/invite/" + token, {{"csrf", browser.csrf}}, browser.cookie)).status, 404);
}

TEST_F(OrgPages, ExpiredRevokedAndUnknownInvitesAre404PagesOutsideTheDashboard) {
  const std::string expired = StoreInvite("late@example.com", std::chrono::seconds(-1)).token;
  Response page = Call(Get("/invite/" + expired));
  EXPECT_EQ(page.status, 404);
  EXPECT_TRUE(Contains(page.body, "Invite not found"));
  EXPECT_FALSE(Contains(page.body, "<nav"));
  EXPECT_EQ(Call(Get("/invite/" + std::string(64, 'a'))).status, 404);
  EXPECT_EQ(Call(Get("/invite/../org")).status, 404);

  // The owner revokes a pending invite from the page: its link stops working.
  const store::CreatedInvite live = StoreInvite("dee@example.com");
  Response revoked =
      Call(PostForm("/org/invites/revoke", {{"csrf", owner_.csrf}, {"invite_id", live.invite.id}}, owner_.cookie));
  EXPECT_EQ(revoked.status, 303) << revoked.body;
  EXPECT_EQ(Pending(), 0u);
  EXPECT_EQ(Call(Get("/invite/" + live.token)).status, 404);
  // Another org's invite id, or one already revoked: not found.
  EXPECT_EQ(Call(PostForm("/org/invites/revoke", {{"csrf", owner_.csrf}, {"invite_id", live.invite.id}}, owner_.cookie))
                .status,
            404);
}

TEST_F(OrgPages, APlainMemberSeesTheOrgButCannotInviteOrCreateTeams) {
  const store::User mo = AddUser("mo@example.com");
  Write<store::User>([&](store::Connection& c) { return store::SetMembership(c, {org_.id, mo.id, "member"}); });
  const store::CreatedInvite pending = StoreInvite("eve@example.com");
  const WebFixture::Browser browser = SessionOf(mo.id);

  Response page = Call(Get("/org", "", browser.cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.body, "mo@example.com"));
  EXPECT_TRUE(Contains(page.body, "ada@example.com"));
  EXPECT_FALSE(Contains(page.body, "action=\"/org/invites\""));
  EXPECT_FALSE(Contains(page.body, "action=\"/org/teams\""));
  EXPECT_FALSE(Contains(page.body, "action=\"/org/invites/revoke\""));

  Response invite = Call(PostForm("/org/invites", {{"csrf", browser.csrf}, {"email", "x@example.com"}}, browser.cookie));
  EXPECT_EQ(invite.status, 403);
  EXPECT_TRUE(Contains(invite.body, "owners and admins"));
  Response team = Call(PostForm("/org/teams", {{"csrf", browser.csrf}, {"name", "Mine"}}, browser.cookie));
  EXPECT_EQ(team.status, 403);
  Response revoke =
      Call(PostForm("/org/invites/revoke", {{"csrf", browser.csrf}, {"invite_id", pending.invite.id}}, browser.cookie));
  EXPECT_EQ(revoke.status, 403);
  EXPECT_EQ(web_.CountRows("org_invites"), 1u);
  EXPECT_EQ(web_.CountRows("teams"), 1u);
  EXPECT_EQ(Pending(), 1u);

  // Someone in no org: told how to get one; its management routes are 404.
  const store::User solo = AddUser("solo@example.com");
  const WebFixture::Browser alone = SessionOf(solo.id);
  Response none = Call(Get("/org", "", alone.cookie));
  EXPECT_EQ(none.status, 200);
  EXPECT_TRUE(Contains(none.body, "You are not in an org"));
  EXPECT_TRUE(Contains(none.body, "action=\"/org/create\""));
  EXPECT_EQ(Call(PostForm("/org/teams", {{"csrf", alone.csrf}, {"name", "Mine"}}, alone.cookie)).status, 404);
  // …and creates one from the page, becoming its owner.
  Response created = Call(PostForm("/org/create", {{"csrf", alone.csrf}, {"name", "Solo <Co>"}}, alone.cookie));
  EXPECT_EQ(created.status, 303);
  auto solo_now = store::ReadValue<store::User>(web_.db(), [&](store::Connection& c) { return store::FindUserById(c, solo.id); });
  ASSERT_TRUE(solo_now.ok());
  EXPECT_TRUE(solo_now->org_id.has_value());
  EXPECT_EQ(solo_now->org_role, std::optional<std::string>("owner"));
  EXPECT_TRUE(Contains(Call(Get("/org", "", alone.cookie)).body, "Solo &lt;Co&gt;"));
}

TEST_F(OrgPages, WithoutTheCsrfTokenNothingChanges) {
  const store::CreatedInvite pending = StoreInvite("eve@example.com");
  EXPECT_EQ(Call(PostForm("/org/invites", {{"email", "x@example.com"}}, owner_.cookie)).status, 403);
  EXPECT_EQ(Call(PostForm("/org/invites", {{"csrf", "wrong"}, {"email", "x@example.com"}}, owner_.cookie)).status, 403);
  EXPECT_EQ(Call(PostForm("/org/teams", {{"name", "Sales"}}, owner_.cookie)).status, 403);
  EXPECT_EQ(Call(PostForm("/org/invites/revoke", {{"invite_id", pending.invite.id}}, owner_.cookie)).status, 403);
  EXPECT_EQ(web_.CountRows("org_invites"), 1u);
  EXPECT_EQ(web_.CountRows("teams"), 1u);
  EXPECT_EQ(Pending(), 1u);

  // The join button without the session's token, and the account form without its cookie.
  const store::User cy = AddUser("cy@example.com");
  const std::string for_anyone = StoreInvite(std::nullopt).token;
  const WebFixture::Browser browser = SessionOf(cy.id);
  EXPECT_EQ(Call(PostForm("/invite/" + for_anyone, {}, browser.cookie)).status, 403);
  const WebFixture::Browser fresh = OpenSignedOut(for_anyone);
  Response no_cookie = Call(PostForm(
      "/invite/" + for_anyone, {{"csrf", fresh.csrf}, {"email", "new@example.com"}, {"password", "a long passphrase"}}));
  EXPECT_EQ(no_cookie.status, 403);
  EXPECT_EQ(web_.CountRows("users"), 2u);
  EXPECT_FALSE(Reload(cy.id).org_id.has_value());
  EXPECT_EQ(Pending(), 2u);

  // Unsigned visitors are sent to sign in, and nothing changes.
  Response unsigned_page = Call(Get("/org"));
  EXPECT_EQ(unsigned_page.status, 303);
  EXPECT_EQ(HeaderOf(unsigned_page, "Location"), "/signin?next=/org");
  EXPECT_EQ(Call(PostForm("/org/teams", {{"name", "Sales"}})).status, 303);
  EXPECT_EQ(web_.CountRows("teams"), 1u);
}

TEST_F(OrgPages, OrgAndTeamNamesAreEscapedEverywhere) {
  const std::string script = "<script>alert(1)</script>";
  Write<store::Team>([&](store::Connection& c) { return store::CreateTeam(c, org_.id, script + "team"); });
  Response team = Call(PostForm("/org/teams", {{"csrf", owner_.csrf}, {"name", "\"><img src=x onerror=alert(2)>"}},
                                owner_.cookie));
  EXPECT_EQ(team.status, 303) << team.body;
  ASSERT_TRUE(web_.db().Write([&](store::Connection& c) {
    store::Statement& s = c.Prepare("UPDATE orgs SET name = ? WHERE id = ?");
    s.Bind(1, script + "org").Bind(2, org_.id);
    return s.Run();
  }).ok());
  const store::User evil = AddUser("evil@example.com");
  Write<store::User>([&](store::Connection& c) { return store::SetMembership(c, {org_.id, evil.id, "member"}); });

  Response page = Call(Get("/org", "", owner_.cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_FALSE(Contains(page.body, "<script>alert"));
  EXPECT_FALSE(Contains(page.body, "<img src=x"));
  EXPECT_TRUE(Contains(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;org"));
  EXPECT_TRUE(Contains(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;team"));

  const std::string token = StoreInvite(std::nullopt).token;
  Response invite = Call(Get("/invite/" + token));
  ASSERT_EQ(invite.status, 200);
  EXPECT_FALSE(Contains(invite.body, "<script>alert"));
  EXPECT_TRUE(Contains(invite.body, "&lt;script&gt;alert(1)&lt;/script&gt;org"));
}

TEST_F(OrgPages, SomeoneInAnotherOrgIsToldWhyAndStaysThere) {
  const store::User zed = AddUser("zed@example.com");
  const store::Org other = Write<store::Org>([&](store::Connection& c) { return store::CreateOrg(c, "Other", zed.id); });
  const std::string token = StoreInvite(std::nullopt).token;
  const WebFixture::Browser browser = SessionOf(zed.id);

  Response page = Call(Get("/invite/" + token, "", browser.cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.body, "one org only"));
  EXPECT_FALSE(Contains(page.body, "<button type=\"submit\">Join"));
  Response refused = Call(PostForm("/invite/" + token, {{"csrf", browser.csrf}}, browser.cookie));
  EXPECT_EQ(refused.status, 409);
  EXPECT_TRUE(Contains(refused.body, "one org only")) << refused.body;
  EXPECT_EQ(Reload(zed.id).org_id, other.id);
  EXPECT_EQ(Reload(zed.id).org_role, "owner");
  EXPECT_EQ(Pending(), 1u);  // still usable by someone else

  // An invite for another email is not theirs to accept.
  const std::string for_bea = StoreInvite("bea@example.com").token;
  const store::User solo = AddUser("solo@example.com");
  const WebFixture::Browser alone = SessionOf(solo.id);
  EXPECT_TRUE(Contains(Call(Get("/invite/" + for_bea, "", alone.cookie)).body, "This invite is for bea@example.com"));
  EXPECT_EQ(Call(PostForm("/invite/" + for_bea, {{"csrf", alone.csrf}}, alone.cookie)).status, 403);
  EXPECT_FALSE(Reload(solo.id).org_id.has_value());
}

// Member management on /org (issue 16 Build 5: only org owners and admins manage members).
class OrgMembers : public OrgPages {
 protected:
  void SetUp() override {
    OrgPages::SetUp();
    admin_ = Join("ad@example.com", "admin");
    member_ = Join("mo@example.com", "member", team_.id);
    admin_browser_ = SessionOf(admin_.id);
    member_browser_ = SessionOf(member_.id);
  }
  store::User Join(const std::string& email, const std::string& role, std::optional<std::string> team = std::nullopt) {
    const store::User user = AddUser(email);
    return Write<store::User>(
        [&](store::Connection& c) { return store::SetMembership(c, {org_.id, user.id, role, std::move(team)}); });
  }
  Response Post(const WebFixture::Browser& browser, const std::string& path,
                std::vector<std::pair<std::string, std::string>> fields) {
    fields.emplace_back("csrf", browser.csrf);
    return Call(PostForm(path, fields, browser.cookie));
  }
  // org_id / org_role / team_id of a user, "-" for none: one string to compare before and after.
  std::string MembershipOf(const std::string& id) {
    const store::User user = Reload(id);
    return user.org_id.value_or("-") + "/" + user.org_role.value_or("-") + "/" + user.team_id.value_or("-");
  }

  store::User admin_, member_;
  WebFixture::Browser admin_browser_, member_browser_;
};

TEST_F(OrgMembers, AnAdminSeesLabelledControlsAndPromotesAMemberToAdmin) {
  Response page = Call(Get("/org", "", admin_browser_.cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Contains(page.body, "action=\"/org/members/role\""));
  EXPECT_TRUE(Contains(page.body, "<select name=\"role\" aria-label=\"Role of mo@example.com\">"));
  EXPECT_TRUE(Contains(page.body, "aria-label=\"Save role of mo@example.com\""));
  EXPECT_TRUE(Contains(page.body, "<select name=\"team_id\" aria-label=\"Team of mo@example.com\">"));
  EXPECT_TRUE(Contains(page.body, "aria-label=\"Save team of mo@example.com\""));
  EXPECT_TRUE(Contains(page.body, "aria-label=\"Remove mo@example.com from the org\""));
  EXPECT_TRUE(Contains(page.body, "action=\"/org/members/remove\" data-confirm=\"Remove mo@example.com"));
  EXPECT_TRUE(Contains(page.body, "action=\"/org/leave\" data-confirm="));
  // An admin is offered only what they may do: no owner option, nothing on the owner's row.
  EXPECT_FALSE(Contains(page.body, "<option value=\"owner\""));
  EXPECT_FALSE(Contains(page.body, "aria-label=\"Role of ada@example.com\""));
  EXPECT_FALSE(Contains(page.body, "aria-label=\"Remove ada@example.com"));
  // The owner is offered the owner role.
  EXPECT_TRUE(Contains(Call(Get("/org", "", owner_.cookie)).body, "<option value=\"owner\""));

  Response promoted = Post(admin_browser_, "/org/members/role", {{"member_id", member_.id}, {"role", "admin"}});
  ASSERT_EQ(promoted.status, 303) << promoted.body;
  EXPECT_EQ(HeaderOf(promoted, "Location"), "/org");
  EXPECT_EQ(Reload(member_.id).org_role, "admin");
  EXPECT_EQ(Reload(member_.id).team_id, team_.id);
}

TEST_F(OrgMembers, AnAdminCannotMakeAnOwnerNorDemoteOrRemoveOne) {
  const std::string owner_before = MembershipOf(web_.user_id()), member_before = MembershipOf(member_.id);
  Response made = Post(admin_browser_, "/org/members/role", {{"member_id", member_.id}, {"role", "owner"}});
  EXPECT_EQ(made.status, 403);
  EXPECT_TRUE(Contains(made.body, "role=\"alert\"")) << made.body;
  EXPECT_EQ(Post(admin_browser_, "/org/members/role", {{"member_id", admin_.id}, {"role", "owner"}}).status, 403);
  EXPECT_EQ(Post(admin_browser_, "/org/members/role", {{"member_id", web_.user_id()}, {"role", "member"}}).status, 403);
  EXPECT_EQ(Post(admin_browser_, "/org/members/remove", {{"member_id", web_.user_id()}}).status, 403);
  EXPECT_EQ(MembershipOf(web_.user_id()), owner_before);
  EXPECT_EQ(MembershipOf(member_.id), member_before);
  EXPECT_EQ(Reload(admin_.id).org_role, "admin");
}

TEST_F(OrgMembers, TheLastOwnerCannotLeaveOrBeDemoted) {
  const std::string before = MembershipOf(web_.user_id());
  Response leave = Post(owner_, "/org/leave", {});
  EXPECT_EQ(leave.status, 409);
  EXPECT_TRUE(Contains(leave.body, "make someone else owner first")) << leave.body;
  Response demote = Post(owner_, "/org/members/role", {{"member_id", web_.user_id()}, {"role", "admin"}});
  EXPECT_EQ(demote.status, 409);
  EXPECT_TRUE(Contains(demote.body, "make someone else owner first")) << demote.body;
  EXPECT_EQ(MembershipOf(web_.user_id()), before);

  // Once the owner has made someone else owner, they may step down.
  EXPECT_EQ(Post(owner_, "/org/members/role", {{"member_id", admin_.id}, {"role", "owner"}}).status, 303);
  EXPECT_EQ(Post(owner_, "/org/members/role", {{"member_id", web_.user_id()}, {"role", "admin"}}).status, 303);
  EXPECT_EQ(Reload(web_.user_id()).org_role, "admin");
}

TEST_F(OrgMembers, AMemberCannotChangeAnyone) {
  Response page = Call(Get("/org", "", member_browser_.cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_FALSE(Contains(page.body, "action=\"/org/members/"));
  EXPECT_TRUE(Contains(page.body, "action=\"/org/leave\""));

  const std::string admin_before = MembershipOf(admin_.id), member_before = MembershipOf(member_.id);
  EXPECT_EQ(Post(member_browser_, "/org/members/role", {{"member_id", admin_.id}, {"role", "member"}}).status, 403);
  EXPECT_EQ(Post(member_browser_, "/org/members/role", {{"member_id", member_.id}, {"role", "admin"}}).status, 403);
  EXPECT_EQ(Post(member_browser_, "/org/members/team", {{"member_id", admin_.id}, {"team_id", team_.id}}).status, 403);
  Response remove = Post(member_browser_, "/org/members/remove", {{"member_id", admin_.id}});
  EXPECT_EQ(remove.status, 403);
  EXPECT_TRUE(Contains(remove.body, "owners and admins"));
  EXPECT_EQ(MembershipOf(admin_.id), admin_before);
  EXPECT_EQ(MembershipOf(member_.id), member_before);
}

TEST_F(OrgMembers, RemovingAMemberClearsTheirOrgAndTeamAndTeamsAreSetFromThePage) {
  EXPECT_EQ(Post(admin_browser_, "/org/members/team", {{"member_id", admin_.id}, {"team_id", team_.id}}).status, 303);
  EXPECT_EQ(Reload(admin_.id).team_id, team_.id);
  EXPECT_EQ(Post(admin_browser_, "/org/members/team", {{"member_id", admin_.id}, {"team_id", ""}}).status, 303);
  EXPECT_FALSE(Reload(admin_.id).team_id.has_value());

  Response removed = Post(admin_browser_, "/org/members/remove", {{"member_id", member_.id}});
  ASSERT_EQ(removed.status, 303) << removed.body;
  EXPECT_EQ(HeaderOf(removed, "Location"), "/org");
  EXPECT_EQ(MembershipOf(member_.id), "-/-/-");
  EXPECT_FALSE(Contains(Call(Get("/org", "", owner_.cookie)).body, "mo@example.com"));
  // Their next request sees no org.
  EXPECT_TRUE(Contains(Call(Get("/org", "", member_browser_.cookie)).body, "You are not in an org"));
}

TEST_F(OrgMembers, SomeoneOfAnotherOrgIsNotFoundAndNothingChanges) {
  const store::User zed = AddUser("zed@example.com");
  const store::Org other = Write<store::Org>([&](store::Connection& c) { return store::CreateOrg(c, "Other", zed.id); });
  const store::Team theirs = Write<store::Team>([&](store::Connection& c) { return store::CreateTeam(c, other.id, "Sales"); });
  const std::string zed_before = MembershipOf(zed.id), member_before = MembershipOf(member_.id);
  for (const std::string& id : {zed.id, std::string("no-such-user")}) {
    Response role = Post(owner_, "/org/members/role", {{"member_id", id}, {"role", "member"}});
    EXPECT_EQ(role.status, 404);
    EXPECT_FALSE(Contains(role.body, "Other"));
    EXPECT_EQ(Post(owner_, "/org/members/team", {{"member_id", id}, {"team_id", team_.id}}).status, 404);
    EXPECT_EQ(Post(owner_, "/org/members/remove", {{"member_id", id}}).status, 404);
  }
  EXPECT_EQ(Post(owner_, "/org/members/team", {{"member_id", member_.id}, {"team_id", theirs.id}}).status, 404);
  EXPECT_EQ(MembershipOf(zed.id), zed_before);
  EXPECT_EQ(MembershipOf(member_.id), member_before);
}

TEST_F(OrgMembers, WithoutTheCsrfTokenNothingChanges) {
  const std::string owner_before = MembershipOf(web_.user_id()), member_before = MembershipOf(member_.id);
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"member_id", member_.id}, {"role", "admin"}, {"team_id", ""}};
  for (const std::string path : {"/org/members/role", "/org/members/team", "/org/members/remove", "/org/leave"}) {
    EXPECT_EQ(Call(PostForm(path, fields, owner_.cookie)).status, 403) << path;
    EXPECT_EQ(Call(PostForm(path, fields, member_browser_.cookie)).status, 403) << path;
    auto wrong = fields;
    wrong.emplace_back("csrf", "wrong");
    EXPECT_EQ(Call(PostForm(path, wrong, owner_.cookie)).status, 403) << path;
    Response unsigned_post = Call(PostForm(path, fields));
    EXPECT_EQ(unsigned_post.status, 303) << path;
    EXPECT_EQ(HeaderOf(unsigned_post, "Location").rfind("/signin?", 0), 0u) << path;
  }
  EXPECT_EQ(MembershipOf(web_.user_id()), owner_before);
  EXPECT_EQ(MembershipOf(member_.id), member_before);
}

TEST_F(OrgMembers, AMemberLeavesAndTheInvitePagePointsToTheLeaveButton) {
  Response left = Post(member_browser_, "/org/leave", {});
  ASSERT_EQ(left.status, 303) << left.body;
  EXPECT_EQ(HeaderOf(left, "Location"), "/");
  EXPECT_EQ(MembershipOf(member_.id), "-/-/-");
  EXPECT_EQ(Post(member_browser_, "/org/leave", {}).status, 404);

  // Someone in another org is told where to leave it.
  const std::string token = StoreInvite(std::nullopt).token;
  Response invite = Call(Get("/invite/" + token, "", admin_browser_.cookie));
  EXPECT_TRUE(Contains(invite.body, "already a member"));  // same org: nothing to leave
  const store::User zed = AddUser("zed@example.com");
  Write<store::Org>([&](store::Connection& c) { return store::CreateOrg(c, "Other", zed.id); });
  Response elsewhere = Call(Get("/invite/" + token, "", SessionOf(zed.id).cookie));
  EXPECT_TRUE(Contains(elsewhere.body, "<strong>Leave org</strong>")) << elsewhere.body;
  EXPECT_TRUE(Contains(elsewhere.body, "href=\"/org\""));
}

}  // namespace
}  // namespace rm::web::testing
