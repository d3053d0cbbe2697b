// The dashboard's Connections pages (SPEC §9, issue 16 Build 3): per vendor, the person's API
// keys and OAuth grants with their last use and this month's calls; creating a key (its secret
// shown once), revoking a key or a grant; and how to connect each AI client to this server.
//
//   GET  /connections                 the list and the "Connect" panels
//   POST /connections/keys            create a key (label, vendor; empty vendor: an owner key)
//   POST /connections/keys/revoke     key_id
//   POST /connections/grants/revoke   grant_id
#pragma once

#include <vector>

#include "web/exchange.h"
#include "web/web_context.h"

namespace rm::web {

// `ctx` must outlive the routes.
std::vector<Route> ConnectionRoutes(const WebContext& ctx);

}  // namespace rm::web
