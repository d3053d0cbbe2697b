// /invite/{token} (web/org_pages.h): the page an invitee opens. Signed in, they join with one
// button (the session's CSRF token). Not signed in, they sign in first when the invited email
// has an account, or create the account here with a password — that form is guarded like
// /signin's, by a double-submit cookie, since there is no session yet. The account, the
// membership, the invite's use and the session are one transaction: all happen or none.
#include <spdlog/spdlog.h>

#include <semaphore>

#include "store/org_invites.h"
#include "store/orgs.h"
#include "store/plans.h"
#include "store/users.h"
#include "store/validation.h"
#include "store/web_accounts.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/password_hash.h"
#include "web/cookies.h"
#include "web/dashboard_page.h"
#include "web/html.h"
#include "web/org_pages.h"

namespace rm::web {
namespace {

constexpr std::string_view kInvitePrefix = "/invite/";
constexpr std::size_t kMinPasswordChars = 8;  // as `user set-password`
constexpr std::size_t kMaxPasswordBytes = 1024;  // HashPassword's limit

// An Argon2id hash holds 64 MiB and ~0.3 s of a core: at most two at once from this page, so
// a burst of sign-ups queues instead of taking the machine's memory (as /signin does).
std::counting_semaphore<2> password_hashes{2};

// What the invitee is told about an invite, read in one snapshot.
struct InviteFacts {
  store::OrgInvite invite;
  store::Org org;
  std::string inviter_email;
  std::optional<std::string> team_name;
  bool email_has_account = false;  // the invited email already has an account
};

std::size_t CountChars(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

Result<InviteFacts> LoadInvite(store::Store& db, const std::string& token) {
  return store::ReadValue<InviteFacts>(db, [&](store::Connection& c) -> Result<InviteFacts> {
    InviteFacts facts;
    auto invite = store::FindUsableInvite(c, token);
    if (!invite.ok()) return invite.status();
    facts.invite = std::move(*invite);
    auto org = store::FindOrgById(c, facts.invite.org_id);
    if (!org.ok()) return org.status();
    facts.org = std::move(*org);
    auto inviter = store::FindUserById(c, facts.invite.invited_by);
    if (inviter.ok()) facts.inviter_email = inviter->email;
    if (facts.invite.target_team_id) {
      auto team = store::FindTeamById(c, *facts.invite.target_team_id);
      if (team.ok()) facts.team_name = team->name;
    }
    if (facts.invite.email) {
      auto account = store::FindAccountByEmail(c, *facts.invite.email);
      if (!account.ok()) return account.status();
      facts.email_has_account = account->has_value();
    }
    return facts;
  });
}

// Unknown, used, revoked and expired invites look the same.
Response NotFound(const std::optional<Viewer>& viewer) {
  constexpr std::string_view message = "This invite link is unknown, expired, revoked or already used. Ask the person "
                                       "who invited you for a new one.";
  if (viewer) return DashboardError(*viewer, 404, message);
  return Page(404, "Invite not found", "<h1>Invite not found</h1><p>" + Escape(message) + "</p>");
}

std::string Intro(const InviteFacts& facts) {
  std::string html = "<h1>Join " + Escape(facts.org.name) + "</h1><p>" +
                     Escape(facts.inviter_email.empty() ? "Someone" : facts.inviter_email) +
                     " invited you to join the org <strong>" + Escape(facts.org.name) + "</strong>";
  if (facts.team_name) html += " and its team <strong>" + Escape(*facts.team_name) + "</strong>";
  return html + " on Reflect Memory. The invite works once, until " + Escape(facts.invite.expires_at) + ".</p>";
}

std::string SignInLink(const std::string& token) {
  return "/signin?" + EncodeForm({{"next", std::string(kInvitePrefix) + token}});
}

// The page for someone not signed in: sign in, or create the account (a fresh login-CSRF cookie).
Response SignedOutPage(const WebContext& ctx, const InviteFacts& facts, const std::string& token, int status = 200,
                       std::string_view error = "", std::string_view email = "") {
  std::string body = Intro(facts);
  if (!error.empty()) body += "<p class=\"error\" role=\"alert\">" + Escape(error) + "</p>";
  const std::string sign_in = "<a href=\"" + Escape(SignInLink(token)) + "\">sign in</a>";
  if (facts.invite.email && facts.email_has_account) {
    body += "<p>This invite is for " + Escape(*facts.invite.email) + ", who has an account: " + sign_in +
            " as " + Escape(*facts.invite.email) + " to accept it.</p>";
    return Page(status, "Join " + facts.org.name, body);
  }
  const std::string csrf = RandomHex(32);
  if (!facts.invite.email) body += "<p>Already have an account? " + sign_in + " first, then accept.</p>";
  body += "<h2>Create your account</h2><form method=\"post\" action=\"" + Escape(std::string(kInvitePrefix) + token) +
          "\"><input type=\"hidden\" name=\"csrf\" value=\"" + csrf + "\">";
  if (facts.invite.email) {
    body += "<p>Email: <strong>" + Escape(*facts.invite.email) + "</strong></p><input type=\"hidden\" name=\"email\" "
            "autocomplete=\"username\" value=\"" + Escape(*facts.invite.email) + "\">";
  } else {
    body += "<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" "
            "autocomplete=\"username\" required value=\"" + Escape(email) + "\">";
  }
  body += "<label for=\"password\">Password (at least 8 characters)</label><input id=\"password\" name=\"password\" "
          "type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required>"
          "<button type=\"submit\">Create account and join</button></form>";
  Response page = Page(status, "Join " + facts.org.name, body);
  page.headers.emplace_back("Set-Cookie", SetCookie(kSigninCsrfCookie, csrf, std::chrono::hours(1), ctx.options.Secure()));
  return page;
}

Response SignedInPage(const Viewer& viewer, const InviteFacts& facts, const std::string& token) {
  std::string body = Intro(facts);
  if (viewer.org_id && *viewer.org_id == facts.org.id) {
    body += "<p>You are already a member of this org. <a href=\"/org\">Go to the org</a>.</p>";
  } else if (facts.invite.email && *facts.invite.email != viewer.email) {
    body += "<p class=\"error\">This invite is for " + Escape(*facts.invite.email) + "; you are signed in as " +
            Escape(viewer.email) + ". Sign out, then open this link again to accept it as " +
            Escape(*facts.invite.email) + ".</p>";
  } else if (viewer.org_id) {
    body += "<p class=\"error\">You already belong to another org, and a person can belong to one org only: leave "
            "it first with the <strong>Leave org</strong> button on <a href=\"/org\">your org page</a>, then open "
            "this link again.</p>";
  } else {
    body += "<form method=\"post\" action=\"" + Escape(std::string(kInvitePrefix) + token) + "\">" + CsrfField(viewer) +
            "<button type=\"submit\">Join " + Escape(facts.org.name) + " as " + Escape(viewer.email) +
            "</button></form>";
  }
  return DashboardPage(viewer, "Join " + facts.org.name, "org", body);
}

int StatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kPermissionDenied: return 403;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kConflict: return 409;
    default:
      spdlog::error("web: invite: {}", status.ToString());
      return 503;
  }
}

Response JoinAsViewer(const WebContext& ctx, const Viewer& viewer, const Form& form, const std::string& token) {
  if (!CsrfOk(viewer, form)) {
    return DashboardError(viewer, 403, "This form expired or came from another site; open the invite link again.");
  }
  auto joined = store::WriteValue<store::User>(
      ctx.db, [&](store::Connection& c) { return store::AcceptInvite(c, token, viewer.user_id); });
  if (!joined.ok()) {
    const int status = StatusOf(joined.status());
    return status == 404 ? NotFound(viewer) : DashboardError(viewer, status, joined.status().message());
  }
  return Redirect("/org", 303);
}

// A new person: their account (with the org's plan, so the org's limits count them), its
// password, the membership and a session, in one transaction; then they are signed in.
Response CreateAccountAndJoin(const WebContext& ctx, const Request& request, const InviteFacts& facts,
                              const Form& form, const std::string& token) {
  // Login CSRF: the form must come from a page this server rendered for this browser.
  if (!SecretsEqual(form.Get("csrf"), CookieValue(request.cookie, kSigninCsrfCookie))) {
    return SignedOutPage(ctx, facts, token, 403, "This form expired or came from another site; please try again.");
  }
  if (facts.invite.email && facts.email_has_account) return SignedOutPage(ctx, facts, token, 409);
  const std::string typed = facts.invite.email.value_or(form.Get("email"));
  Result<std::string> email = store::NormalizeEmail(typed);
  if (!email.ok()) return SignedOutPage(ctx, facts, token, 400, email.status().message(), typed);
  const std::string password = form.Get("password");
  if (CountChars(password) < kMinPasswordChars || password.size() > kMaxPasswordBytes) {
    return SignedOutPage(ctx, facts, token, 400, "Choose a password of 8 characters or more (at most 1,024 bytes).",
                         *email);
  }
  password_hashes.acquire();
  Result<std::string> hash = HashPassword(password);
  password_hashes.release();
  if (!hash.ok()) return SignedOutPage(ctx, facts, token, 400, hash.status().message(), *email);

  const std::string plan = store::LimitsOfPlan(facts.org.plan) ? facts.org.plan : "free";
  auto session = store::WriteValue<store::WebSession>(ctx.db, [&](store::Connection& c) -> Result<store::WebSession> {
    auto user = store::InsertUser(c, store::NewUser{*email, plan});
    if (!user.ok()) return user.status();
    RM_RETURN_IF_ERROR(store::SetPasswordHash(c, user->id, *hash));
    auto joined = store::AcceptInvite(c, token, user->id);
    if (!joined.ok()) return joined.status();
    return store::CreateWebSession(c, user->id, ctx.options.session_lifetime);
  });
  if (!session.ok()) {
    const Status& why = session.status();
    if (why.code() == Status::Code::kAlreadyExists) {
      return SignedOutPage(ctx, facts, token, 409,
                           "An account for " + *email + " exists already: sign in first, then open this link again.",
                           *email);
    }
    if (why.code() == Status::Code::kNotFound) return NotFound(std::nullopt);
    return SignedOutPage(ctx, facts, token, StatusOf(why), why.message(), *email);
  }
  Response response = Redirect("/org", 303);
  response.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, session->id, ctx.options.session_lifetime,
                                                        ctx.options.Secure()));
  response.headers.emplace_back("Set-Cookie", SetCookie(kSigninCsrfCookie, "", std::chrono::seconds(0), ctx.options.Secure()));
  return response;
}

Response HandleInvite(const WebContext& ctx, const Request& request) {
  const std::string token = request.path.substr(std::min(request.path.size(), kInvitePrefix.size()));
  const std::optional<Viewer> viewer = FindViewer(ctx.db, request);
  auto facts = LoadInvite(ctx.db, token);
  if (!facts.ok()) {
    if (facts.status().code() == Status::Code::kNotFound) return NotFound(viewer);
    spdlog::error("web: invite lookup failed: {}", facts.status().ToString());
    return Page(503, "Try again", "<p>The server could not read this invite right now; please try again.</p>");
  }
  if (request.method == "GET") return viewer ? SignedInPage(*viewer, *facts, token) : SignedOutPage(ctx, *facts, token);
  if (request.method != "POST") return Page(405, "Method not allowed", "<p>Use GET or POST.</p>");
  const std::optional<Form> form = ParseForm(request.body);
  if (!form) return Page(400, "Bad form", "<p>The form could not be read; open the invite link again.</p>");
  if (viewer) return JoinAsViewer(ctx, *viewer, *form, token);
  return CreateAccountAndJoin(ctx, request, *facts, *form, token);
}

}  // namespace

Route InviteRoute(const WebContext& ctx) {
  return Route{std::string(kInvitePrefix), false, [ctx](const Request& r) { return HandleInvite(ctx, r); }, true};
}

}  // namespace rm::web
