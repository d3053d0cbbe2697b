// The dashboard's Usage page (SPEC §9, issue 16 Build 4): this month's reads, writes and
// queries by vendor, the plan's limits (memories, active keys) as bars, and a chart of the
// operations of each day over the last 30 or 90 days (inline SVG drawn here: no script).
//
//   GET /usage[?days=30|90]
#pragma once

#include <vector>

#include "web/exchange.h"
#include "web/web_context.h"

namespace rm::web {

// `ctx` must outlive the routes.
std::vector<Route> UsageRoutes(const WebContext& ctx);

}  // namespace rm::web
