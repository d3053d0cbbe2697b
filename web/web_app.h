// The web side of the server (SPEC §8): the OAuth 2.1 authorization server that lets Claude
// and ChatGPT connectors sign in, its metadata, and the sign-in and consent pages.
//
//   GET  /.well-known/oauth-protected-resource[/mcp]   RFC 9728 (oauth_metadata.cc)
//   GET  /.well-known/oauth-authorization-server       RFC 8414 (oauth_metadata.cc)
//   GET  /oauth/authorize, POST (consent)              authorize_page.cc
//   POST /oauth/token, /oauth/register, /oauth/revoke  oauth_endpoints.cc
//   GET  /signin, POST /signin, POST /signout          signin_pages.cc
//   the dashboard: /, /memories/…, /connections, …     dashboard_routes.cc
//
// Each handler is a plain function of a Request (web/exchange.h) that may use the store;
// app/ mounts Routes() on the HTTP server, which runs them on its workers.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/oauth_clients.h"
#include "store/web_accounts.h"
#include "web/exchange.h"
#include "web/form.h"
#include "web/login_limiter.h"
#include "web/rate_window.h"
#include "web/web_context.h"
#include "web/web_options.h"

namespace rm::web {

class WebApp {
 public:
  // `db` (and `memories`) must outlive this object and the routes. Without `memories` the
  // dashboard's memory pages are off (the OAuth endpoints and sign-in work alone).
  WebApp(store::Store& db, WebOptions options, std::shared_ptr<tools::MemoryService> memories = nullptr);

  std::vector<Route> Routes();

  // --- handlers (public for tests, which call them without sockets)
  Response ProtectedResourceMetadata(const Request& request) const;
  Response AuthorizationServerMetadata(const Request& request) const;
  Response Authorize(const Request& request);
  Response Token(const Request& request);
  Response Register(const Request& request);
  Response Revoke(const Request& request);
  Response SignIn(const Request& request);
  Response SignOut(const Request& request);

  // The dashboard's pages (SPEC §9), each group in its own file (web/dashboard_routes.cc).
  std::vector<Route> DashboardRoutes();

 private:
  // The signed-in person's session (from the cookie), if any.
  std::optional<store::WebSession> CurrentSession(const Request& request);
  // The client named by `client_id`: registered, or a Client ID Metadata Document (fetched).
  // nullopt with `why` set when it is unknown or invalid.
  std::optional<store::OAuthClient> ResolveClient(const std::string& client_id, std::string& why);

  Response SignInForm(const Request& request, int status, std::string_view error, std::string_view next,
                      std::string_view email);
  Response SignedIn(const std::string& user_id, std::string_view next);
  // Registration rate: true if one more may be registered this hour, in all and from `address`.
  bool TakeRegistration(const std::string& address);

  store::Store& db_;
  const WebOptions options_;
  const WebContext context_;
  LoginLimiter logins_;
  // An Argon2id check holds 64 MiB and ~0.3 s of a core: at most two at once, so a burst of
  // sign-ins queues instead of taking the machine's memory (util/password_hash.cc).
  std::counting_semaphore<16> password_checks_{2};
  RateWindow registrations_;             // all callers together: options_.registrations_per_hour
  RateWindow registrations_by_address_;  // one address: a tenth of that
  RateWindow metadata_fetches_;          // Client ID Metadata Document fetches, all together
};

// A path of this server to return to after signing in: "/..." but not "//host" or "/\host"
// (those leave the site). Anything else becomes "/".
std::string SafeNextPath(std::string_view next);

}  // namespace rm::web
