#include "web/web_app.h"

#include <algorithm>

namespace rm::web {

WebApp::WebApp(store::Store& db, WebOptions options, std::shared_ptr<tools::MemoryService> memories)
    : db_(db),
      options_(std::move(options)),
      context_{db_, options_, std::move(memories)},
      logins_(options_.login_failures_per_account, options_.login_failures_per_address, options_.login_window),
      registrations_(options_.registrations_per_hour, std::chrono::hours(1)),
      registrations_by_address_(std::max(1, options_.registrations_per_hour / 10), std::chrono::hours(1)),
      metadata_fetches_(60, std::chrono::minutes(1)) {}

std::vector<Route> WebApp::Routes() {
  auto route = [this](std::string path, bool any_origin, Response (WebApp::*handler)(const Request&)) {
    return Route{std::move(path), any_origin, [this, handler](const Request& r) { return (this->*handler)(r); }};
  };
  auto metadata = [this](std::string path, Response (WebApp::*handler)(const Request&) const) {
    return Route{std::move(path), true, [this, handler](const Request& r) { return (this->*handler)(r); }};
  };
  std::vector<Route> routes = {
      metadata("/.well-known/oauth-protected-resource", &WebApp::ProtectedResourceMetadata),
      metadata("/.well-known/oauth-protected-resource/mcp", &WebApp::ProtectedResourceMetadata),
      metadata("/.well-known/oauth-authorization-server", &WebApp::AuthorizationServerMetadata),
      route("/oauth/token", true, &WebApp::Token),
      route("/oauth/register", true, &WebApp::Register),
      route("/oauth/revoke", true, &WebApp::Revoke),
      route("/oauth/authorize", false, &WebApp::Authorize),
      route("/signin", false, &WebApp::SignIn),
      route("/signout", false, &WebApp::SignOut),
  };
  for (Route& page : DashboardRoutes()) routes.push_back(std::move(page));
  return routes;
}

}  // namespace rm::web
