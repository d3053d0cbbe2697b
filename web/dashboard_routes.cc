// The dashboard's routes: each group of pages lives in its own file and adds its routes here.
#include "web/connection_pages.h"
#include "web/dashboard_page.h"
#include "web/memory_pages.h"
#include "web/org_pages.h"
#include "web/usage_page.h"
#include "web/web_app.h"

namespace rm::web {

std::vector<Route> WebApp::DashboardRoutes() {
  std::vector<Route> routes = {{"/assets/dashboard.js", false, DashboardScript}};
  auto add = [&routes](std::vector<Route> group) {
    for (Route& route : group) routes.push_back(std::move(route));
  };
  if (context_.memories) add(MemoryRoutes(context_));
  add(ConnectionRoutes(context_));
  add(UsageRoutes(context_));
  add(OrgRoutes(context_));
  return routes;
}

}  // namespace rm::web
