// Signing in (SPEC §8): email + password (Argon2id), or a one-time link from
// `reflect-memory signin-link`; signing out; and the page a signed-in person lands on.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "store/users.h"
#include "util/crypto.h"
#include "util/password_hash.h"
#include "web/cookies.h"
#include "web/html.h"
#include "web/web_app.h"

namespace rm::web {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A hash no password matches, verified when the account does not exist so that a wrong email
// takes as long as a wrong password (the time does not reveal which accounts exist).
const std::string& DecoyHash() {
  static const std::string decoy = HashPassword(RandomHex(16)).value();
  return decoy;
}

}  // namespace

std::string SafeNextPath(std::string_view next) {
  if (next.empty() || next.front() != '/' || next.size() > 4096) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (char c : next) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\') return "/";
  }
  return std::string(next);
}

std::optional<store::WebSession> WebApp::CurrentSession(const Request& request) {
  const std::string id = CookieValue(request.cookie, kSessionCookie);
  if (id.empty()) return std::nullopt;
  auto session = store::ReadValue<store::WebSession>(db_, [&](store::Connection& c) { return store::FindWebSession(c, id); });
  if (!session.ok()) return std::nullopt;
  return std::move(session).value();
}

Response WebApp::SignInForm(const Request& request, int status, std::string_view error, std::string_view next,
                            std::string_view email) {
  const auto query = ParseForm(request.query).value_or(Form{});
  const std::string link = request.method == "GET" ? query.Get("link") : std::string();
  const std::string csrf = RandomHex(32);
  std::string body = "<h1>Sign in to Reflect Memory</h1>";
  if (!error.empty()) body += "<p class=\"error\" role=\"alert\">" + Escape(error) + "</p>";
  body += "<form method=\"post\" action=\"/signin\">"
          "<input type=\"hidden\" name=\"csrf\" value=\"" + csrf + "\">"
          "<input type=\"hidden\" name=\"next\" value=\"" + Escape(next) + "\">";
  if (!link.empty()) {
    // A link is used up by a POST, not by opening it: mail scanners that follow links do not
    // spend it, and a person sees where it signs them in.
    body += "<input type=\"hidden\" name=\"link\" value=\"" + Escape(link) + "\">"
            "<p>You opened a one-time sign-in link.</p><button type=\"submit\">Sign in</button>";
  } else {
    body += "<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" "
            "autocomplete=\"username\" required value=\"" + Escape(email) + "\">"
            "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" "
            "autocomplete=\"current-password\" required>"
            "<button type=\"submit\">Sign in</button>"
            "<p class=\"muted\">No password yet? Run <code>reflect-memory user set-password EMAIL</code> on the "
            "server, or <code>reflect-memory signin-link --user EMAIL</code> for a one-time link.</p>";
  }
  body += "</form>";
  Response page = Page(status, "Sign in", body);
  page.headers.emplace_back("Set-Cookie", SetCookie(kSigninCsrfCookie, csrf, std::chrono::hours(1), options_.Secure()));
  return page;
}

Response WebApp::SignIn(const Request& request) {
  if (request.method == "GET") {
    const auto query = ParseForm(request.query).value_or(Form{});
    if (CurrentSession(request) && !query.Has("link")) return Redirect(SafeNextPath(query.Get("next")), 303);
    return SignInForm(request, 200, "", SafeNextPath(query.Get("next")), "");
  }
  if (request.method != "POST") return Page(405, "Method not allowed", "<p>Use GET or POST.</p>");
  const std::optional<Form> form = ParseForm(request.body);
  if (!form) return SignInForm(request, 400, "The form could not be read; please try again.", "/", "");
  const std::string next = SafeNextPath(form->Get("next"));
  // Login CSRF: the form must come from a page this server rendered for this browser.
  if (!SecretsEqual(form->Get("csrf"), CookieValue(request.cookie, kSigninCsrfCookie))) {
    return SignInForm(request, 403, "This form expired or came from another site; please sign in again.", next, "");
  }

  if (form->Has("link")) {
    auto user = store::WriteValue<std::string>(db_, [&](store::Connection& c) { return store::UseSignInLink(c, form->Get("link")); });
    if (!user.ok()) {
      return SignInForm(request, 401,
                        "This sign-in link is unknown, expired or already used. Ask for a new one with "
                        "`reflect-memory signin-link --user EMAIL`.",
                        next, "");
    }
    return SignedIn(*user, next);
  }

  const std::string email = Lower(form->Get("email"));
  const std::string password = form->Get("password");
  // Behind a reverse proxy on this machine every request comes from loopback: counting those
  // per address would let fifty wrong guesses by anyone lock everyone out. The per-account
  // limit still holds for them.
  const std::string address = request.peer_address == "127.0.0.1" || request.peer_address == "::1"
                                  ? "loopback:" + email
                                  : request.peer_address;
  if (!logins_.Allowed(email, address)) {
    spdlog::warn("web: a sign-in was refused from {}: too many failed attempts", request.peer_address);
    return SignInForm(request, 429, "Too many failed sign-ins. Wait 15 minutes and try again.", next, email);
  }
  auto account = store::ReadValue<std::optional<store::PasswordAccount>>(
      db_, [&](store::Connection& c) { return store::FindAccountByEmail(c, email); });
  if (!account.ok()) {
    spdlog::error("web: sign-in lookup failed: {}", account.status().ToString());
    return SignInForm(request, 503, "The server could not check your password right now; try again.", next, email);
  }
  const bool has_password = *account && (*account)->password_hash;
  if (!password_checks_.try_acquire_for(std::chrono::seconds(5))) {
    return SignInForm(request, 503, "The server is busy checking other sign-ins; try again in a moment.", next, email);
  }
  const bool matches = VerifyPassword(password, has_password ? *(*account)->password_hash : DecoyHash());
  password_checks_.release();
  if (!has_password || !matches) {
    logins_.Failed(email, address);
    return SignInForm(request, 401, "The email or the password is wrong.", next, email);
  }
  return SignedIn((*account)->user_id, next);
}

Response WebApp::SignedIn(const std::string& user_id, std::string_view next) {
  auto session = store::WriteValue<store::WebSession>(
      db_, [&](store::Connection& c) { return store::CreateWebSession(c, user_id, options_.session_lifetime); });
  if (!session.ok()) {
    spdlog::error("web: could not start a session: {}", session.status().ToString());
    return Page(503, "Try again", "<p>The server could not sign you in right now; please try again.</p>");
  }
  Response response = Redirect(next, 303);
  response.headers.emplace_back("Set-Cookie",
                                SetCookie(kSessionCookie, session->id, options_.session_lifetime, options_.Secure()));
  response.headers.emplace_back("Set-Cookie", SetCookie(kSigninCsrfCookie, "", std::chrono::seconds(0), options_.Secure()));
  return response;
}

Response WebApp::SignOut(const Request& request) {
  if (request.method != "POST") return Page(405, "Method not allowed", "<p>Sign out with the button on the page.</p>");
  const auto session = CurrentSession(request);
  const auto form = ParseForm(request.body);
  if (session) {
    if (!form || !SecretsEqual(form->Get("csrf"), session->csrf_token)) {
      return Page(403, "Not signed out", "<p>This form expired or came from another site.</p>");
    }
    Status ended = db_.Write([&](store::Connection& c) { return store::EndWebSession(c, session->id); });
    if (!ended.ok()) spdlog::error("web: could not end a session: {}", ended.ToString());
  }
  Response response = Redirect("/signin", 303);
  response.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, "", std::chrono::seconds(0), options_.Secure()));
  return response;
}

}  // namespace rm::web
