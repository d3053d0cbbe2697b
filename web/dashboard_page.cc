#include "web/dashboard_page.h"

#include "store/users.h"
#include "store/web_accounts.h"
#include "web/cookies.h"
#include "web/html.h"

namespace rm::web {
namespace {

constexpr std::string_view kDashboardStyle =
    "body{max-width:60rem}nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:center;border-bottom:1px solid #ddd;"
    "padding-bottom:.5rem;margin-bottom:1rem}nav a{text-decoration:none;color:#225}nav a[aria-current]{font-weight:bold;"
    "border-bottom:2px solid #225}nav form{margin-left:auto}nav button{margin:0}.who{color:#666;font-size:.9rem}"
    "table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #eee;"
    "vertical-align:top;overflow-wrap:anywhere}.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}"
    ".row>*{flex:1 1 10rem}textarea{width:100%;min-height:10rem;box-sizing:border-box}pre{white-space:pre-wrap;"
    "overflow-wrap:anywhere}.tag{display:inline-block;background:#eef;border-radius:.3rem;padding:0 .3rem;margin:0 .2rem .2rem 0}"
    ".del{background:#fdd}.ins{background:#dfd}.bar{background:#eee;height:.8rem;border-radius:.2rem}"
    ".bar>span{display:block;height:100%;background:#58a;border-radius:.2rem}svg{max-width:100%;height:auto}"
    "img,video{max-width:100%}";

constexpr std::string_view kScript =
    "// Progressive enhancement only: every page works without it.\n"
    "document.querySelectorAll('[data-copy]').forEach(function (b) {\n"
    "  if (!navigator.clipboard) return;  // plain HTTP off localhost: no clipboard, no button\n"
    "  b.hidden = false;\n"
    "  b.addEventListener('click', function () {\n"
    "    var t = document.getElementById(b.getAttribute('data-copy'));\n"
    "    if (t && navigator.clipboard) navigator.clipboard.writeText(t.textContent.trim()).then(function () {\n"
    "      b.textContent = 'Copied';\n"
    "    });\n"
    "  });\n"
    "});\n"
    "document.querySelectorAll('form[data-confirm]').forEach(function (f) {\n"
    "  f.addEventListener('submit', function (e) {\n"
    "    if (!window.confirm(f.getAttribute('data-confirm'))) e.preventDefault();\n"
    "  });\n"
    "});\n";

}  // namespace

std::optional<Viewer> FindViewer(store::Store& db, const Request& request) {
  const std::string id = CookieValue(request.cookie, kSessionCookie);
  if (id.empty()) return std::nullopt;
  std::optional<Viewer> viewer;
  Status read = db.Read([&](store::Connection& c) -> Status {
    auto session = store::FindWebSession(c, id);
    if (!session.ok()) return session.status();
    auto user = store::FindUserById(c, session->user_id);
    if (!user.ok()) return user.status();
    viewer = Viewer{user->id, user->email, user->plan, session->csrf_token, user->org_id, user->org_role, user->team_id};
    return Status::Ok();
  });
  if (!read.ok()) return std::nullopt;
  return viewer;
}

Response SignInFirst(const Request& request) {
  const std::string here = request.path + (request.query.empty() ? "" : "?" + request.query);
  return Redirect("/signin?" + EncodeForm({{"next", request.method == "GET" ? here : std::string("/")}}), 303);
}

bool CsrfOk(const Viewer& viewer, const Form& form) { return SecretsEqual(form.Get("csrf"), viewer.csrf); }

std::string CsrfField(const Viewer& viewer) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + Escape(viewer.csrf) + "\">";
}

tools::Caller DashboardCaller(const Viewer& viewer) {
  tools::Caller caller;
  caller.user_id = viewer.user_id;
  caller.origin = "dashboard";
  return caller;
}

Response DashboardPage(const Viewer& viewer, std::string_view title, std::string_view tab, std::string_view body_html,
                       int status) {
  auto link = [&](std::string_view href, std::string_view name, std::string_view id) {
    return "<a href=\"" + std::string(href) + "\"" + (id == tab ? " aria-current=\"page\"" : "") + ">" +
           std::string(name) + "</a>";
  };
  std::string body = "<style>" + std::string(kDashboardStyle) + "</style><nav aria-label=\"Dashboard\">" +
                     link("/", "Memories", "memories") + link("/connections", "Connections", "connections") +
                     link("/usage", "Usage", "usage") + link("/org", "Org", "org") +
                     "<span class=\"who\">" + Escape(viewer.email) + "</span>"
                     "<form method=\"post\" action=\"/signout\">" + CsrfField(viewer) +
                     "<button type=\"submit\">Sign out</button></form></nav><main>" +
                     std::string(body_html) + "</main><script src=\"/assets/dashboard.js\" defer></script>";
  Response page = Page(status, title, body);
  for (auto& [name, value] : page.headers) {
    // The dashboard loads its one script from this server; still no inline script anywhere.
    if (name == "Content-Security-Policy") value += "; script-src 'self'";
  }
  return page;
}

Response DashboardError(const Viewer& viewer, int status, std::string_view message) {
  return DashboardPage(viewer, status == 404 ? "Not found" : "Cannot do that", "",
                       "<h1>" + std::string(status == 404 ? "Not found" : "Cannot do that") + "</h1><p class=\"error\" role=\"alert\">" +
                           Escape(message) + "</p><p><a href=\"/\">Back to your memories</a></p>",
                       status);
}

Response DashboardScript(const Request&) {
  Response response;
  response.content_type = "text/javascript; charset=utf-8";
  response.body = std::string(kScript);
  response.headers = {{"Cache-Control", "max-age=3600"}, {"X-Content-Type-Options", "nosniff"}};
  return response;
}

}  // namespace rm::web
