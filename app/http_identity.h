// Who an HTTP request acts as (SPEC §2, §8): the bearer token is an API key (rm_live_…) or an
// OAuth access token (rm_at_…) a connector got by signing in through web/. Either way the
// caller is a user and, for an agent key or a grant consented as a vendor, that vendor —
// never what the client says about itself.
#pragma once

#include <string>
#include <string_view>

#include "store/connection.h"
#include "transports/http/http_server.h"
#include "util/status.h"

namespace rm::app {

// The credential of `token`. Unauthenticated (one message for all) for an unknown, revoked or
// expired key or token, and for a token minted for another resource than `resource` (RFC
// 8707: a token for some other server must not work here). An OAuth grant without mcp:write
// is read-only (Credential::may_write). Works on a read connection.
Result<transports::Credential> ResolveHttpCredential(store::Connection& conn, std::string_view token,
                                                     const std::string& resource);

}  // namespace rm::app
