// The frame every dashboard page shares (SPEC §9): who is signed in, the navigation, the
// CSRF rule for every change, and the caller the memory service sees (origin "dashboard").
//
// A page handler starts with
//   auto viewer = FindViewer(ctx.db, request);
//   if (!viewer) return SignInFirst(request);
// and checks CsrfOk(*viewer, form) before any POST changes anything.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/database.h"
#include "tools/principal.h"
#include "web/exchange.h"
#include "web/form.h"

namespace rm::web {

// The signed-in person, fresh from the store on every request.
struct Viewer {
  std::string user_id;
  std::string email;
  std::string plan;
  std::string csrf;  // the session's; every form carries it as field "csrf"
  std::optional<std::string> org_id;
  std::optional<std::string> org_role;  // owner | admin | member
  std::optional<std::string> team_id;
};

// nullopt: no session (or it expired, or the user is gone).
std::optional<Viewer> FindViewer(store::Store& db, const Request& request);

// 303 to /signin?next=<this page>, so the person comes back here.
Response SignInFirst(const Request& request);

// The form's CSRF token is this session's (constant-time).
bool CsrfOk(const Viewer& viewer, const Form& form);
// The hidden input every form includes.
std::string CsrfField(const Viewer& viewer);

// The memory service's caller for a person on the dashboard: the user, no vendor filter (it is
// their own page), usage origin "dashboard".
tools::Caller DashboardCaller(const Viewer& viewer);

// A dashboard page: navigation (Memories, Connections, Usage, Org), the person, sign-out, and
// `body_html` (markup built with Escape). `tab` names the active tab ("memories", ...).
Response DashboardPage(const Viewer& viewer, std::string_view title, std::string_view tab, std::string_view body_html,
                       int status = 200);

// A page's answer to a request it cannot serve: 404 for anything not found or not the
// viewer's (never "forbidden": another person's ids are not confirmed to exist), 400 for bad
// input, with a message.
Response DashboardError(const Viewer& viewer, int status, std::string_view message);

// The script every dashboard page loads (/assets/dashboard.js): progressive — copy buttons,
// confirmations; every page works without it.
Response DashboardScript(const Request& request);

}  // namespace rm::web
